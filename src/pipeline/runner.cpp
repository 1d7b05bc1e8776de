// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/runner.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "audio/audio.hpp"
#include "clean/clean.hpp"
#include "core/base64.hpp"
#include "core/clock.hpp"
#include "core/hash.hpp"
#include "llm/client.hpp"
#include "llm/prompt_format.hpp"
#include "pipeline/render.hpp"

namespace tunecap::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWindowTokens = 750;   // prompt tokens per started 30 s window of audio
constexpr int kWindowSeconds = 30;
constexpr int kPaddingTrimSamples = 80;  // 5 ms at 16 kHz: enough to leave an exact multiple of 30 s
// Tokens for what surrounds the user text: system prompt, role markup, the audio markers.
constexpr int kPromptOverheadTokens = 128;
// A generation of a few hundred tokens takes seconds on a GPU and minutes on a CPU; a request that
// has not answered in 15 minutes is stuck.
constexpr auto kRequestDeadline = std::chrono::minutes(15);

// What identifies a model's output besides the prompt: its files (path, size, modification time),
// how it is served and how it samples.
std::string model_identity(const config::Model& model) {
    auto file_identity = [](const std::filesystem::path& path) {
        if (path.empty()) return std::string("-");
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return path.string() + ":missing";
        return fmt::format("{}:{}:{}", path.string(), st.st_size, st.st_mtim.tv_sec);
    };
    const auto sampling = llm::sampling_with_defaults(model.family, model.sampling);
    auto opt = [](const auto& v) { return v ? fmt::format("{}", *v) : std::string("-"); };
    return fmt::format("{}|{}|{}|{}|{}|ctx={}|np={}|{}|T={} p={} k={} minp={} rep={} seed={} max={}", model.name,
                       core::to_string(model.family), file_identity(model.gguf), file_identity(model.mmproj),
                       model.endpoint ? model.endpoint->url : "managed", opt(model.ctx), opt(model.slots),
                       model.request.value_or(llm::default_request_path(model.family)) == core::RequestPath::raw ? "raw" : "chat",
                       opt(sampling.temperature), opt(sampling.top_p), opt(sampling.top_k), opt(sampling.min_p),
                       opt(sampling.repeat_penalty), opt(sampling.seed), opt(sampling.max_tokens));
}

// Runs tasks one at a time on a thread that lives as long as the runner. Servers are restarted
// through it: a child's parent-death signal fires when the *thread* that spawned it ends, so a
// server must not be spawned from a slot worker, which ends when its model's work does.
class SpawnThread {
public:
    SpawnThread() : m_thread([this] { loop(); }) {}
    ~SpawnThread() {
        {
            const std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    SpawnThread(const SpawnThread&) = delete;
    SpawnThread& operator=(const SpawnThread&) = delete;

    // Runs task on the spawn thread and waits for it.
    void run(const std::function<void()>& task) {
        std::unique_lock lock(m_mutex);
        const auto ticket = ++m_submitted;
        m_tasks.push_back(task);
        m_wake.notify_all();
        m_finished_cv.wait(lock, [&] { return m_finished >= ticket; });
    }

private:
    void loop() {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_wake.wait(lock, [this] { return m_done || !m_tasks.empty(); });
            if (m_tasks.empty()) return;
            auto task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
            ++m_finished;
            m_finished_cv.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_finished_cv;
    std::deque<std::function<void()>> m_tasks;
    std::uint64_t m_submitted = 0;
    std::uint64_t m_finished = 0;
    bool m_done = false;
    std::thread m_thread;
};

// Samples a GPU probe once a second on its own thread while a model is loaded.
class GpuPeak {
public:
    explicit GpuPeak(const std::function<std::optional<double>()>& probe) : m_probe(probe) {
        if (!m_probe) return;
        m_thread = std::thread([this] {
            std::unique_lock lock(m_mutex);
            do {
                lock.unlock();
                const auto used = m_probe();
                lock.lock();
                if (used && (!m_peak || *used > *m_peak)) m_peak = used;
            } while (!m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return m_done; }));
        });
    }
    ~GpuPeak() { finish(); }
    std::optional<double> finish() {
        if (m_thread.joinable()) {
            {
                const std::lock_guard lock(m_mutex);
                m_done = true;
            }
            m_wake.notify_all();
            m_thread.join();
        }
        return m_peak;
    }

private:
    const std::function<std::optional<double>()>& m_probe;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::optional<double> m_peak;
    std::thread m_thread;
};

struct Step {
    std::size_t track = 0;
    const config::Phase* phase = nullptr;
    const config::Model* model = nullptr;  // nullptr for template phases
    const config::Prompt* prompt = nullptr;
    StepRecord* record = nullptr;
    std::vector<std::size_t> inputs;  // indices of the steps whose captions it reads
    std::string key;                  // set once the inputs are resolved: the step is ready
    std::string request_text;         // base rendering (no shrinking)
    std::size_t input_chars = 0;
    bool forced = false;
    // Excluded by --skip/--only, or its model is not available here: it does not run, but a stored
    // result is still used, so that e.g. `--only revision` reads yesterday's flamingo captions.
    bool reuse_only = false;
    StepStatus planned_status = StepStatus::pending;
    std::string planned_reason;
};

bool resolved(const Step& step) { return step.record->status != StepStatus::pending; }

class Runner {
public:
    Runner(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
           const BackendFactory& backends, const RunOptions& options)
        : m_config(config), m_tracks(tracks), m_store(store), m_backends(backends), m_options(options) {
        if (!config.cleaning.sentencepiece_model.empty()) {
            auto counter = clean::SentencePieceCounter::load(config.cleaning.sentencepiece_model);
            if (!counter) throw core::Failure(counter.error());
            m_counter = std::make_unique<clean::SentencePieceCounter>(std::move(counter).take());
        }
        build_steps();
    }

    RunOutcome run() {
        const auto order = model_load_order(m_config);
        while (!stopping()) {
            settle();
            const config::Model* next = nullptr;
            for (const auto& name : order) {
                if (has_ready_steps(name)) {
                    next = m_config.find_model(name);
                    break;
                }
            }
            if (!next) break;
            run_model(*next);
        }
        settle();
        finish();
        return m_outcome;
    }

private:
    bool stopping() const { return m_options.stop_requested && m_options.stop_requested->load(); }

    template <class... Args>
    void log_info(fmt::format_string<Args...> format, Args&&... args) {
        if (m_options.log) m_options.log->info("run", format, std::forward<Args>(args)...);
    }
    template <class... Args>
    void log_warn(fmt::format_string<Args...> format, Args&&... args) {
        if (m_options.log) m_options.log->warn("run", format, std::forward<Args>(args)...);
    }

    void build_steps() {
        std::set<std::string> forced(m_options.force.begin(), m_options.force.end());
        // A forced phase forces everything downstream of it.
        for (const auto& phase : m_config.phases) {
            for (const auto& input : phase.inputs) {
                if (forced.contains(input)) forced.insert(phase.id);
            }
        }
        std::map<std::tuple<std::size_t, std::string, std::string, std::string>, std::size_t> index;
        for (std::size_t t = 0; t < m_tracks.size(); ++t) {
            for (auto& phase_record : m_tracks[t].phases) {
                const auto* phase = m_config.find_phase(phase_record.id);
                for (auto& model_record : phase_record.models) {
                    for (auto& step_record : model_record.steps) {
                        Step step;
                        step.track = t;
                        step.phase = phase;
                        step.model = m_config.find_model(model_record.model);
                        step.prompt = m_config.find_prompt(step_record.prompt);
                        step.record = &step_record;
                        step.forced = forced.contains(phase->id);
                        if (phase_record.inherited) {
                            // Skipped in the plan only because an input will not run here: with
                            // the input's results stored, it runs after all.
                            step_record.status = StepStatus::pending;
                            step_record.reason.clear();
                        } else if (step_record.status != StepStatus::pending) {
                            step.reuse_only = true;
                            step.planned_status = step_record.status;
                            step.planned_reason = step_record.reason;
                            step_record.status = StepStatus::pending;
                        }
                        for (const auto& input : phase->inputs) {
                            for (const auto& input_record : m_tracks[t].phases) {
                                if (input_record.id != input) continue;
                                for (const auto& model : input_record.models) {
                                    step.inputs.push_back(index.at({t, input, model.model, step_record.prompt}));
                                }
                            }
                        }
                        index[{t, phase->id, model_record.model, step_record.prompt}] = m_steps.size();
                        m_steps.push_back(std::move(step));
                    }
                }
            }
        }
    }

    std::vector<UpstreamCaption> upstream(const Step& step) const {
        std::vector<UpstreamCaption> out;
        for (auto i : step.inputs) {
            const auto& input = m_steps[i];
            out.push_back({input.phase->id, input.model ? input.model->name : "template", input.record->result->caption});
        }
        return out;
    }

    std::map<std::string, std::string> variables(const Step& step) const {
        const auto& track = m_tracks[step.track];
        return track_variables(track.genres.names, track.audio.duration_seconds);
    }

    // Resolves every pending step whose inputs are resolved: skipped when an input did not
    // succeed, done when the store has its key, otherwise ready (key set) for its model.
    void settle() {
        const auto before = m_outcome.reused + m_outcome.skipped;
        settle_pass();
        if (m_options.progress && m_outcome.reused + m_outcome.skipped > before) {
            m_options.progress->steps_settled(m_outcome.reused + m_outcome.skipped - before);
        }
    }

    void settle_pass() {
        for (auto& step : m_steps) {
            if (resolved(step) || !step.key.empty()) continue;
            bool waiting = false;
            const Step* bad_input = nullptr;
            for (auto i : step.inputs) {
                if (!resolved(m_steps[i])) waiting = true;
                else if (m_steps[i].record->status != StepStatus::done && !bad_input) bad_input = &m_steps[i];
            }
            if (waiting) continue;
            if (bad_input && step.reuse_only) {
                restore_plan(step);
                continue;
            }
            if (bad_input) {
                step.record->status = StepStatus::skipped;
                step.record->reason = fmt::format("input {}/{}/{} is {}", bad_input->phase->id,
                                                  bad_input->model ? bad_input->model->name : "template",
                                                  bad_input->record->prompt, to_string(bad_input->record->status));
                ++m_outcome.skipped;
                continue;
            }
            const auto inputs = upstream(step);
            std::optional<std::size_t> limit;
            if (step.model && step.model->max_input_chars) limit = static_cast<std::size_t>(*step.model->max_input_chars);
            const auto text = render_step(m_config, *step.phase, *step.prompt, variables(step), inputs, limit);
            step.request_text = text.user;
            step.input_chars = text.input_chars;
            std::vector<std::string> input_keys;
            for (auto i : step.inputs) input_keys.push_back(m_steps[i].key);
            const auto& track = m_tracks[step.track];
            if (!step.model) {  // a template phase: no model, made here
                step.key = step_key(track.content_hash, *step.phase, config::Model{}, text.user, input_keys, 0);
                finish_step(step, run_template(step));
                continue;
            }
            step.key = step_key(track.content_hash, *step.phase, *step.model, rendered_for_key(step), input_keys,
                                m_config.runtime.max_audio_seconds);
            if (!step.forced) {
                if (auto stored = m_store.find_step(step.key); stored && stored->status == "done") {
                    step.record->result = std::move(stored);
                    step.record->status = StepStatus::done;
                    step.record->reused = true;
                    step.record->reason.clear();
                    ++m_outcome.reused;
                    continue;
                }
            }
            if (step.reuse_only) restore_plan(step);
        }
    }

    void restore_plan(Step& step) {
        step.record->status = step.planned_status;
        step.record->reason = step.planned_reason;
        if (step.planned_status == StepStatus::skipped) ++m_outcome.skipped;
    }

    std::string rendered_for_key(const Step& step) const {
        const auto path = step.model->request.value_or(llm::default_request_path(step.model->family));
        if (path == core::RequestPath::raw) {
            return llm::render_raw_prompt(step.model->family, step.model->system, step.request_text,
                                          config::uses_audio(step.phase->kind) ? "<audio>" : "")
                .text;
        }
        const auto system = step.model->system ? *step.model->system : llm::default_system_prompt(step.model->family).value_or("");
        return "chat|" + system + "|" + (config::uses_audio(step.phase->kind) ? "<audio>|" : "|") + step.request_text;
    }

    store::StepRow run_template(const Step& step) {
        store::StepRow row = base_row(step);
        row.request = step.request_text;
        row.raw_output = step.request_text;
        row.status = "done";
        apply_cleaning(row, core::Family::chatml);
        return row;
    }

    store::StepRow base_row(const Step& step) const {
        store::StepRow row;
        row.key = step.key;
        row.track_id = m_tracks[step.track].id;
        row.phase = step.phase->id;
        row.model = step.model ? step.model->name : "template";
        row.prompt = step.prompt->id;
        return row;
    }

    void apply_cleaning(store::StepRow& row, core::Family family) const {
        clean::CleanOptions options;
        options.family = family;
        options.max_t5_tokens = m_config.cleaning.max_t5_tokens;
        options.counter = m_counter.get();
        const auto cleaned = clean::clean_caption(row.raw_output, options);
        row.caption = cleaned.caption;
        row.flags.clear();
        for (auto flag : cleaned.flags) row.flags.emplace_back(clean::to_string(flag));
        if (!cleaned.usable()) {
            row.status = "failed";
            row.error = "the model's output holds no usable caption";
        } else if (cleaned.has(clean::Flag::no_final_channel)) {
            // What is left is the model's analysis, not an answer: not a caption to train on.
            row.status = "failed";
            row.error = "Harmony output without a final channel: the model never answered";
        }
    }

    // Records a finished step (done or failed) and commits it to the store at once.
    void finish_step(Step& step, store::StepRow row) {
        row.finished_at = core::utc_now_iso();
        if (auto stored = m_store.put_step(row); !stored) {
            log_warn("{}: {}", m_tracks[step.track].file.string(), stored.error().message);
        }
        const std::lock_guard lock(m_mutex);
        step.record->status = row.status == "done" ? StepStatus::done : StepStatus::failed;
        step.record->reason = row.error;
        step.record->result = std::move(row);
        if (step.record->status == StepStatus::failed) ++m_outcome.failed;
    }

    bool has_ready_steps(const std::string& model) const {
        return std::any_of(m_steps.begin(), m_steps.end(), [&](const Step& s) {
            return s.model && s.model->name == model && !resolved(s) && !s.key.empty();
        });
    }

    void run_model(const config::Model& model) {
        std::vector<std::size_t> ready;
        bool needs_audio = false;
        for (std::size_t i = 0; i < m_steps.size(); ++i) {
            const auto& s = m_steps[i];
            if (s.model && s.model->name == model.name && !resolved(s) && !s.key.empty()) {
                ready.push_back(i);
                needs_audio = needs_audio || config::uses_audio(s.phase->kind);
            }
        }
        ModelLoad load;
        load.model = model.name;
        load.steps = ready.size();
        log_info("{}: loading for {} step(s)", model.name, ready.size());
        const auto started = Clock::now();
        auto backend = m_backends(model, needs_audio);
        load.load_seconds = std::chrono::duration<double>(Clock::now() - started).count();
        if (!backend) {
            load.error = backend.error().message;
            log_warn("{}", load.error);
            for (auto i : ready) {
                auto row = base_row(m_steps[i]);
                row.status = "failed";
                row.error = "model " + model.name + " could not start: " + backend.error().message;
                const std::lock_guard lock(m_mutex);
                m_steps[i].record->status = StepStatus::failed;
                m_steps[i].record->reason = row.error;
                m_steps[i].record->result = std::move(row);
                ++m_outcome.failed;
            }
            m_outcome.loads.push_back(load);
            return;
        }
        m_backend = std::move(backend).take();
        m_generation = 0;
        m_backend_error.clear();
        load.server_build = m_backend->props().build_info;
        if (m_options.progress) m_options.progress->model_started(model.name, ready.size());

        // One group per track, audio steps first, then in graph order: the slot keeps the track's
        // audio in its cache from one prompt to the next.
        std::map<std::size_t, std::vector<std::size_t>> by_track;
        for (auto i : ready) by_track[m_steps[i].track].push_back(i);
        std::vector<std::vector<std::size_t>> groups;
        for (auto& [track, steps] : by_track) {
            std::stable_sort(steps.begin(), steps.end(), [&](std::size_t a, std::size_t b) {
                return config::uses_audio(m_steps[a].phase->kind) > config::uses_audio(m_steps[b].phase->kind);
            });
            groups.push_back(std::move(steps));
        }
        GpuPeak peak(m_options.gpu_probe);
        const int slots = std::max(1, m_backend->props().total_slots);
        split_for_slots(groups, static_cast<std::size_t>(slots));
        const auto workers = std::min<std::size_t>(static_cast<std::size_t>(slots), groups.size());
        std::atomic<std::size_t> next_group{0};
        std::vector<std::thread> threads;
        for (std::size_t w = 0; w < workers; ++w) {
            threads.emplace_back([&, w] {
                for (auto g = next_group++; g < groups.size() && !stopping(); g = next_group++) {
                    run_group(model, groups[g], static_cast<int>(w));
                }
            });
        }
        for (auto& thread : threads) thread.join();
        load.restarts = m_restarts;
        load.peak_gpu_mib = peak.finish();
        m_restarts = 0;
        m_backend->stop();
        m_backend.reset();
        if (m_options.progress) m_options.progress->model_finished(model.name);
        m_outcome.loads.push_back(load);
    }

    // With fewer tracks than slots, idle slots are worth more than the audio cache: split the
    // largest group until every slot has work. Audio steps split only between phases (each part
    // costs the server one more encoding of the track, worth it once per phase, not per prompt);
    // text steps split anywhere.
    void split_for_slots(std::vector<std::vector<std::size_t>>& groups, std::size_t slots) const {
        // Where a group may be cut, nearest its middle; 0 when it may not be.
        auto cut_point = [&](const std::vector<std::size_t>& group) -> std::size_t {
            if (group.size() < 2) return 0;
            const bool audio = std::any_of(group.begin(), group.end(),
                                           [&](std::size_t i) { return config::uses_audio(m_steps[i].phase->kind); });
            std::size_t best = 0;
            for (std::size_t cut = 1; cut < group.size(); ++cut) {
                const bool boundary = m_steps[group[cut]].phase != m_steps[group[cut - 1]].phase;
                if (audio && !boundary) continue;
                const auto distance = [&](std::size_t c) { return c > group.size() / 2 ? c - group.size() / 2 : group.size() / 2 - c; };
                if (best == 0 || distance(cut) < distance(best)) best = cut;
            }
            return best;
        };
        while (groups.size() < slots) {
            std::size_t chosen = groups.size();
            for (std::size_t g = 0; g < groups.size(); ++g) {
                if (cut_point(groups[g]) != 0 && (chosen == groups.size() || groups[g].size() > groups[chosen].size())) chosen = g;
            }
            if (chosen == groups.size()) return;
            auto& group = groups[chosen];
            const auto cut = cut_point(group);
            std::vector<std::size_t> tail(group.begin() + static_cast<std::ptrdiff_t>(cut), group.end());
            group.resize(cut);
            groups.push_back(std::move(tail));
        }
    }

    void run_group(const config::Model& model, const std::vector<std::size_t>& group, int slot) {
        std::optional<core::Result<PreparedAudio>> audio;  // decoded once per track per model load
        for (auto i : group) {
            if (stopping()) return;
            auto& step = m_steps[i];
            const bool with_audio = config::uses_audio(step.phase->kind);
            if (with_audio && !audio) audio = load_audio(step, model);
            store::StepRow row;
            if (with_audio && !audio->ok()) {
                row = base_row(step);
                row.status = "failed";
                row.error = audio->error().message;
            } else {
                row = execute(step, model, slot, with_audio ? audio->value().wav_base64 : nullptr);
                if (with_audio && audio->value().cut) row.flags.emplace_back("audio_cut");
            }
            if (m_options.progress) {
                m_options.progress->step_finished(model.name, row.status == "done", row.completion_tokens, row.elapsed_ms);
            }
            finish_step(step, std::move(row));
            const std::lock_guard lock(m_mutex);  // slot workers share the counters
            ++m_outcome.executed;
        }
    }

    core::Result<PreparedAudio> load_audio(const Step& step, const config::Model& model) {
        const auto& track = m_tracks[step.track];
        auto decoded = audio::decode(track.file);
        if (!decoded) return decoded.error();
        const auto sampling = llm::sampling_with_defaults(model.family, model.sampling);
        AudioBudget budget;
        budget.max_seconds = m_config.runtime.max_audio_seconds;
        {
            const std::lock_guard lock(m_backend_mutex);
            budget.slot_context = m_backend->props().n_ctx;
        }
        budget.reserved_tokens = kPromptOverheadTokens + static_cast<int>(step.request_text.size() / 3) +
                                 sampling.max_tokens.value_or(256);
        auto prepared = prepare_audio(std::move(decoded->samples), decoded->sample_rate, budget);
        if (!prepared) return core::Error{track.file.string() + ": " + prepared.error().message};
        if (prepared->cut) {
            log_warn("{}: audio cut to {:.1f} s for {} (max_audio_seconds {}, slot context {} tokens)", track.file.string(),
                     prepared->seconds, model.name, budget.max_seconds, budget.slot_context);
        }
        return prepared;
    }

    store::StepRow execute(Step& step, const config::Model& model, int slot, std::shared_ptr<const std::string> audio) {
        store::StepRow row = base_row(step);
        const auto inputs = upstream(step);
        const auto vars = variables(step);
        llm::GenerationRequest request;
        request.family = model.family;
        request.path = model.request.value_or(llm::default_request_path(model.family));
        request.system = model.system;
        request.sampling = llm::sampling_with_defaults(model.family, model.sampling);
        request.audio_base64 = std::move(audio);
        request.deadline = kRequestDeadline;

        auto attempt = [&](std::optional<std::size_t> limit) -> llm::LlmResult<llm::GenerationResult> {
            std::optional<std::size_t> cut = limit;
            if (!cut && model.max_input_chars) cut = static_cast<std::size_t>(*model.max_input_chars);
            request.user = render_step(m_config, *step.phase, *step.prompt, vars, inputs, cut).user;
            for (int tries = 0;; ++tries) {
                llm::EndpointAddress address;
                std::string marker;
                int generation = 0;
                int slots = 1;
                {
                    const std::lock_guard lock(m_backend_mutex);
                    if (!m_backend_error.empty()) {
                        return llm::LlmError{llm::ErrorKind::connection_lost, 0, m_backend_error, {}, {}};
                    }
                    address = m_backend->address();
                    marker = m_backend->props().media_marker;
                    generation = m_generation;
                    slots = m_backend->props().total_slots;
                }
                request.id_slot = slots > 1 ? slot : -1;
                auto result = llm::Client(address).generate(request, marker);
                if (result || result.error().kind != llm::ErrorKind::connection_lost || tries > 0) return result;
                // The server died or the connection broke: restart it (once for all the steps in
                // flight) and try this step once more.
                const std::lock_guard lock(m_backend_mutex);
                if (generation == m_generation && m_backend_error.empty()) {
                    log_warn("{}: connection lost ({}); restarting the server", model.name, result.error().message);
                    core::Status recovered = core::Ok{};
                    m_spawner.run([&] { recovered = m_backend->recover(); });
                    if (!recovered) {
                        m_backend_error = "model " + model.name + " could not be restarted: " + recovered.error().message;
                    }
                    ++m_generation;
                    ++m_restarts;
                }
            }
        };
        const auto result = llm::generate_shrinking(attempt, step.input_chars, std::nullopt);
        row.request = request.path == core::RequestPath::raw
                          ? llm::render_raw_prompt(model.family, model.system, request.user,
                                                   request.audio_base64 ? "<audio>" : "").text
                          : request.user;
        {
            const std::lock_guard lock(m_backend_mutex);
            row.server_build = m_backend->props().build_info;
        }
        if (!result) {
            row.status = "failed";
            row.error = fmt::format("{} ({})", result.error().message, llm::to_string(result.error().kind));
            return row;
        }
        row.status = "done";
        row.raw_output = result->content;
        row.reasoning = result->reasoning;
        row.prompt_tokens = result->prompt_tokens;
        row.completion_tokens = result->completion_tokens;
        row.elapsed_ms = result->elapsed_ms;
        if (result->timings) {
            row.cached_tokens = result->timings->cache_n;
            row.prompt_ms = result->timings->prompt_ms;
            row.predicted_ms = result->timings->predicted_ms;
        }
        apply_cleaning(row, model.family);
        return row;
    }

    void finish() {
        m_outcome.interrupted = stopping();
        for (auto& step : m_steps) {
            if (resolved(step)) continue;
            step.record->reason = m_outcome.interrupted ? "interrupted before it ran" : "its inputs never finished";
        }
        // Roll the step outcomes up to the model and phase records.
        for (auto& track : m_tracks) {
            for (auto& phase : track.phases) {
                std::set<StepStatus> phase_states;
                for (auto& model : phase.models) {
                    std::set<StepStatus> states;
                    for (const auto& step : model.steps) states.insert(step.status);
                    if (states.size() == 1) {
                        model.status = *states.begin();
                    } else if (states.contains(StepStatus::failed)) {
                        model.status = StepStatus::failed;
                    } else if (states.contains(StepStatus::done)) {
                        model.status = StepStatus::done;
                    }
                    if (model.status == StepStatus::done || model.status == StepStatus::failed) model.reason.clear();
                    phase_states.insert(model.status);
                }
                if (phase_states.size() == 1) phase.status = *phase_states.begin();
                else if (phase_states.contains(StepStatus::done)) phase.status = StepStatus::done;
                if (phase.status == StepStatus::done) phase.reason.clear();
            }
        }
    }

    const config::Config& m_config;
    std::vector<TrackRecord>& m_tracks;
    store::Store& m_store;
    const BackendFactory& m_backends;
    const RunOptions& m_options;
    std::unique_ptr<clean::TokenCounter> m_counter;
    std::vector<Step> m_steps;
    RunOutcome m_outcome;
    std::mutex m_mutex;  // step records and outcome counters, written by the slot workers

    std::mutex m_backend_mutex;  // the backend while its workers run: address, restarts
    std::unique_ptr<server::Backend> m_backend;
    SpawnThread m_spawner;
    int m_generation = 0;
    int m_restarts = 0;
    std::string m_backend_error;
};

}  // namespace

int audio_prompt_tokens(double seconds) {
    return (static_cast<int>(seconds / kWindowSeconds) + 1) * kWindowTokens;
}

core::Result<PreparedAudio> prepare_audio(std::vector<float> samples, int sample_rate, const AudioBudget& budget) {
    PreparedAudio out;
    const auto window = static_cast<std::size_t>(kWindowSeconds) * static_cast<std::size_t>(sample_rate);
    const auto max_samples = static_cast<std::size_t>(budget.max_seconds * sample_rate);
    if (samples.size() > max_samples) {
        samples.resize(max_samples);
        out.cut = true;
    }
    if (budget.slot_context > 0) {
        const int windows = (budget.slot_context - budget.reserved_tokens) / kWindowTokens;
        if (windows < 1) {
            return core::Error{fmt::format("audio needs at least {} prompt tokens besides {} for the text, but a slot of "
                                           "this server holds {}; raise the model's ctx or lower its slots",
                                           kWindowTokens, budget.reserved_tokens, budget.slot_context)};
        }
        // n windows hold strictly less than n * 30 s (a whole 30 s costs one more window of padding).
        const auto fits = static_cast<std::size_t>(windows) * window - kPaddingTrimSamples;
        if (samples.size() > fits) {
            samples.resize(fits);
            out.cut = true;
        }
    }
    if (!samples.empty() && samples.size() % window == 0) samples.resize(samples.size() - kPaddingTrimSamples);
    out.seconds = static_cast<double>(samples.size()) / sample_rate;
    const auto wav = audio::encode_wav_pcm16(samples, sample_rate);
    out.wav_base64 = std::make_shared<const std::string>(core::base64_encode(wav));
    return out;
}

std::vector<std::string> model_load_order(const config::Config& config) {
    std::map<std::string, std::set<std::string>> depends;  // model -> models whose output it reads
    std::vector<std::string> used;
    for (const auto& phase : config.phases) {
        for (const auto& model : phase.models) {
            if (std::find(used.begin(), used.end(), model) == used.end()) used.push_back(model);
            for (const auto& input : phase.inputs) {
                for (const auto& upstream : config.find_phase(input)->models) {
                    if (upstream != model) depends[model].insert(upstream);
                }
            }
        }
    }
    // Config order among equals.
    std::vector<std::string> pending;
    for (const auto& model : config.models) {
        if (std::find(used.begin(), used.end(), model.name) != used.end()) pending.push_back(model.name);
    }
    std::vector<std::string> order;
    while (!pending.empty()) {
        auto ready = std::find_if(pending.begin(), pending.end(), [&](const std::string& m) {
            return std::all_of(depends[m].begin(), depends[m].end(), [&](const std::string& d) {
                return std::find(order.begin(), order.end(), d) != order.end();
            });
        });
        if (ready == pending.end()) ready = pending.begin();  // a cycle between models: one of them loads twice
        order.push_back(*ready);
        pending.erase(ready);
    }
    return order;
}

std::string step_key(const std::string& content_hash, const config::Phase& phase, const config::Model& model,
                     const std::string& request_text, const std::vector<std::string>& input_keys,
                     double max_audio_seconds) {
    std::string material = "tunecap-step-v1\n" + content_hash + "\n" + phase.id + "\n" +
                           std::string(config::to_string(phase.kind)) + "\n" +
                           (model.name.empty() ? std::string("template") : model_identity(model)) + "\n" +
                           fmt::format("max_audio_seconds={}\n", max_audio_seconds) + request_text + "\n";
    for (const auto& key : input_keys) material += key + "\n";
    return core::sha256_hex(material);
}

RunOutcome run_pipeline(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
                        const BackendFactory& backends, const RunOptions& options) {
    Runner runner(config, tracks, store, backends, options);
    return runner.run();
}

}  // namespace tunecap::pipeline
