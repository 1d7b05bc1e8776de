// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/runner.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "core/text.hpp"
#include "pipeline/caption.hpp"
#include "pipeline/executor.hpp"
#include "pipeline/gpu_peak.hpp"
#include "pipeline/scheduler.hpp"
#include "pipeline/step_graph.hpp"

namespace tunecap::pipeline {
namespace {

// After the first Ctrl-C the requests in flight get this long to finish and be stored: a caption
// takes seconds on a GPU, and a stop that takes longer feels ignored. What is cut off is sent
// again by the next run.
constexpr auto kStopGrace = std::chrono::seconds(5);
// How often the wait for the slot workers looks at the stop flags: a Ctrl-C is answered within a
// blink, and waking 20 times a second costs nothing.
constexpr auto kStopPoll = std::chrono::milliseconds(50);

class Runner {
public:
    Runner(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
           const BackendFactory& backends, const RunOptions& options)
        : m_config(config), m_tracks(tracks), m_store(store), m_backends(backends), m_options(options),
          m_graph(config, tracks, options.force), m_transport(options.generate ? nullptr : llm::real_transport()),
          m_generate(options.generate ? options.generate : http_generate(m_transport)),
          m_clock(options.clock ? options.clock : core::real_clock()) {
        m_cleaning.max_t5_tokens = config.cleaning.max_t5_tokens;
        m_cleaning.counter = options.token_counter;
        for (const auto& model : config.models) m_files.emplace(model.name, fingerprint_model_files(model));
        m_claimed.assign(m_graph.size(), false);
        m_handed_over.assign(m_graph.size(), false);
    }

    RunOutcome run() {
        const auto stages = load_stages(model_load_order(m_config), m_options.stages);
        while (!stopping()) {
            settle();
            if (run_local_steps()) continue;
            const auto next = next_stage(stages, [&](const std::string& model) { return m_graph.has_ready(model); });
            if (!next) break;
            run_stage(*next);
        }
        if (!m_store_failed) settle();
        m_outcome.interrupted = stop_requested();
        std::optional<std::string> stopped_because;
        if (m_store_failed) {
            stopped_because = "not stored: the run stopped when the store failed";
        } else if (m_outcome.interrupted) {
            stopped_because = "interrupted before it ran";
        }
        m_graph.close(stopped_because);
        return m_outcome;
    }

private:
    // One server of a loaded model.
    struct Replica {
        std::size_t index = 0;
        std::unique_ptr<BackendSession> session;
        int slots = 1;         // the server's, as it started (props() waits while a restart holds the session)
        bool dropped = false;  // out of service while other replicas were not: its steps went to them
    };

    // A model loaded for a stage: its replicas and the groups of steps waiting for a slot.
    struct LoadedModel {
        const config::Model* model = nullptr;
        std::vector<std::unique_ptr<Replica>> replicas;
        std::size_t live = 0;    // replicas not dropped
        std::string error;       // set when no server started: every step of the model fails with it
        GroupQueue queue;
        ModelLoad load;
        bool more_coming = false;  // some of its steps still wait for inputs this stage makes (batch_floor)
        std::vector<const LoadedModel*> gpu_neighbours;  // the stage's models that share a GPU with it
    };

    bool stop_requested() const { return m_options.stop_requested && m_options.stop_requested->load(); }
    bool stopping() const { return m_store_failed || stop_requested(); }
    // A row that cannot be stored stops the run: going on would spend hours on work that is lost.
    void store_failed(const core::Error& error) {
        const std::lock_guard lock(m_store_error_mutex);
        if (m_outcome.store_error.empty()) m_outcome.store_error = error.message;
        m_store_failed = true;
    }
    bool abort_requested() const { return m_options.abort_requested && m_options.abort_requested->load(); }

    void settle() {
        SettleContext context;
        context.plan = [&](const StepNode& node, const std::vector<StepInput>& inputs) {
            const auto files = node.model ? m_files.at(node.model->name) : ModelFiles{};
            return plan_step(m_config, *node.phase, node.model, *node.prompt, files, m_tracks[node.track], inputs);
        };
        context.find = [&](const StepNode& node, const std::string& key) { return find_stored(node, key); };
        SettleCounts counts;
        {
            const std::lock_guard lock(m_mutex);
            counts = m_graph.settle(context);
        }
        m_outcome.reused += counts.reused;
        m_outcome.skipped += counts.skipped;
        if (m_options.progress && counts.reused + counts.skipped > 0) m_options.progress->steps_settled(counts.reused + counts.skipped);
    }

    // The stored row of a step. A row another track (or a renamed phase, model or prompt) left under
    // the same key answers for this step too, and is stored again under this step's own names so
    // that every track keeps a row for each of its steps. The truncated_audio flag follows the
    // track, in the store too: a row stored before its file was known to be truncated gets it, and
    // a row another track with the same audio left loses it when this track's file is whole.
    std::optional<store::StepRow> find_stored(const StepNode& node, const std::string& key) {
        auto row = m_store.find_step(key);
        if (!row || row->outcome != store::StepOutcome::done) return row;
        const auto& track = m_tracks[node.track];
        const auto flag = std::find(row->flags.begin(), row->flags.end(), kTruncatedAudioFlag);
        const bool flag_differs = track.truncated.has_value() != (flag != row->flags.end());
        if (flag_differs && track.truncated) row->flags.emplace_back(kTruncatedAudioFlag);
        if (flag_differs && !track.truncated) row->flags.erase(flag);
        const auto model = node.model ? node.model->name : std::string(kNoModel);
        if (!flag_differs && row->track_id == track.id && row->phase == node.phase->id && row->model == model &&
            row->prompt == node.prompt->id) {
            return row;
        }
        row->track_id = track.id;
        row->phase = node.phase->id;
        row->model = model;
        row->prompt = node.prompt->id;
        if (auto stored = m_store.put_step(*row); !stored) store_failed(stored.error());
        return row;
    }

    // Steps of kinds without a model, computed here; true when there were any.
    bool run_local_steps() {
        std::vector<std::size_t> ready;
        {
            const std::lock_guard lock(m_mutex);
            ready = m_graph.ready("");
        }
        for (auto i : ready) {
            if (stopping() || !commit(i, run_local_step(m_tracks[m_graph.node(i).track], m_graph.node(i), m_cleaning))) break;
            ++m_outcome.executed;
        }
        return !ready.empty();
    }

    // Commits a finished step to the store at once and records it. A step is done only once its row
    // is committed: false when it could not be, and the run stops.
    // What storing throws (out of memory, say) counts as a failed store: it must not end tunecap.
    bool commit(std::size_t index, store::StepRow row) {
        row.finished_at = core::utc_now_iso();
        core::Status stored = core::Ok{};
        try {
            stored = m_store.put_step(row);
        } catch (const std::exception& e) {
            stored = core::Error{std::string("storing a step failed: ") + e.what()};
        }
        if (!stored) {
            store_failed(stored.error());
            return false;
        }
        const std::lock_guard lock(m_mutex);
        if (row.outcome == store::StepOutcome::failed) ++m_outcome.failed;
        m_graph.finish(index, std::move(row));
        ++m_commits;
        m_changed.notify_all();
        return true;
    }

    // Loads the stage's models as their first steps become ready and runs their steps until none is
    // left to run or the run stops; then stops their servers.
    void run_stage(const std::vector<std::string>& stage) {
        std::map<std::string, LoadedModel> loaded;  // nodes stay put: workers hold references
        GpuPeak peak(m_options.gpu_probe);
        std::optional<core::Clock::TimePoint> stop_seen;
        bool aborted = false;
        auto last_settle = std::chrono::steady_clock::now();
        std::uint64_t settled_commits = m_commits.load();
        // Steps become ready only in a settle: the graph is walked for them once after each, not on
        // every wake-up (each commit wakes this loop).
        bool settled = true;
        while (true) {
            if (settled && !stopping()) {
                settled = false;
                for (const auto& name : stage) {
                    if (!stopping() && loaded.count(name) == 0 && has_ready(name)) load_model(*m_config.find_model(name), loaded);
                }
                queue_ready(stage, loaded);
                fail_unserved(loaded);
            }
            std::unique_lock lock(m_mutex);
            if (stopping()) {
                if (m_busy == 0) break;
                const bool end_now = abort_requested() || m_store_failed;
                if (!aborted && !stop_seen && !end_now) {
                    stop_seen = m_clock->now();
                    if (m_options.log) {
                        m_options.log->warn("run", "stopping: waiting for {} request(s) in flight on {} (at most {} s; Ctrl-C again to stop now)",
                                            m_in_flight.load(), core::join(stage, ", "),
                                            std::chrono::duration_cast<std::chrono::seconds>(kStopGrace).count());
                    }
                }
                if (!aborted && (end_now || m_clock->now() - *stop_seen >= kStopGrace)) {
                    aborted = true;
                    lock.unlock();
                    if (m_options.log) {
                        m_options.log->warn("run", "stopping now: ending {} request(s) in flight on {}; they run again next time{}",
                                            m_in_flight.load(), core::join(stage, ", "),
                                            m_store_failed ? " (the store cannot save them)" : "");
                    }
                    for (auto& [name, model] : loaded) {
                        for (auto& replica : model.replicas) replica->session->abort();
                    }
                    lock.lock();
                }
            }
            // Nothing runs: once settled after the last step, the stage is over unless that made
            // steps of its models ready.
            const bool idle = !stopping() && m_busy == 0 &&
                              std::all_of(loaded.begin(), loaded.end(), [](const auto& l) { return l.second.queue.empty(); });
            if (idle && settled_commits == m_commits.load()) {
                lock.unlock();
                if (run_local_steps()) {
                    settled = true;
                    continue;
                }
                lock.lock();
                if (!std::any_of(stage.begin(), stage.end(), [&](const std::string& m) { return m_graph.has_ready(m); })) break;
            }
            if (!idle) m_changed.wait_for(lock, kStopPoll);
            lock.unlock();
            // Settling walks the whole graph: while steps run, not more often than settle_interval.
            const auto now = std::chrono::steady_clock::now();
            if (settled_commits != m_commits.load() && (idle || now - last_settle >= settle_interval())) {
                settled_commits = m_commits.load();
                settle();
                run_local_steps();
                last_settle = now;
                settled = true;
            }
        }
        {
            const std::lock_guard lock(m_mutex);
            m_stage_over = true;
        }
        m_changed.notify_all();
        for (auto& worker : m_workers) worker.join();
        m_workers.clear();
        m_stage_over = false;
        const auto stage_peak = peak.finish();
        for (const auto& name : stage) {
            const auto found = loaded.find(name);
            if (found == loaded.end()) continue;
            auto& model = found->second;
            for (auto& replica : model.replicas) {
                model.load.restarts += replica->session->restarts();
                replica->session->stop();
            }
            // Every server out of service: the load failed, for the report as for the steps.
            if (!model.replicas.empty() &&
                std::all_of(model.replicas.begin(), model.replicas.end(), [](const auto& r) { return r->session->out_of_service(); })) {
                model.load.error = model.replicas.back()->session->error();
            }
            if (stage_peak && loaded.size() == 1 && !model.replicas.empty()) {
                model.load.peak_gpu_mib = *stage_peak / static_cast<double>(model.replicas.size());
            }
            if (!model.replicas.empty()) {
                if (m_options.progress) m_options.progress->model_finished(name);
                store_load(model.load);
            }
            m_outcome.loads.push_back(model.load);
        }
    }

    bool sends_audio(const std::vector<std::size_t>& steps) const {
        return std::any_of(steps.begin(), steps.end(), [&](std::size_t i) { return config::uses_audio(m_graph.node(i).phase->kind); });
    }

    // Settling after every finished step would make a large run quadratic (each settle walks every
    // step); one microsecond per step between settles keeps the pipeline's delay small (0.1 s at
    // 2,000 tracks, 3 s at 50,000) and the main thread's share of the work bounded.
    std::chrono::nanoseconds settle_interval() const { return std::chrono::nanoseconds(1000 * m_graph.size()); }

    bool has_ready(const std::string& model) {
        const std::lock_guard lock(m_mutex);
        return m_graph.has_ready(model);
    }

    // Starts every replica of the model and one worker per slot of each. Steps of a model no server
    // of which started fail with the reason (fail_unserved), unless the run is stopping.
    void load_model(const config::Model& model, std::map<std::string, LoadedModel>& loaded) {
        bool needs_audio = false;
        std::size_t ready = 0;
        {
            const std::lock_guard lock(m_mutex);
            for (std::size_t i = 0; i < m_graph.size(); ++i) {
                const auto& node = m_graph.node(i);
                if (!node.model || node.model->name != model.name || node.state == StepState::settled) continue;
                needs_audio = needs_audio || config::uses_audio(node.phase->kind);
                ready += node.state == StepState::ready;
            }
        }
        LoadedModel entry;
        entry.model = &model;
        entry.load.model = model.name;
        if (m_options.log) m_options.log->info("run", "{}: loading for {} step(s)", model.name, ready);
        const auto count = model.replica_count();
        std::string first_error;
        const auto started = m_clock->now();
        for (std::size_t r = 0; r < count && !stop_requested(); ++r) {  // one after the other: see README, replicas
            auto backend = m_backends(model, r, needs_audio);
            if (!backend) {
                if (first_error.empty()) first_error = backend.error().message;
                if (m_options.log && !stop_requested()) {
                    m_options.log->warn("run", "{}{}", backend.error().message,
                                        count > 1 ? fmt::format(" (replica {} of {})", r + 1, count) : "");
                }
                continue;
            }
            auto replica = std::make_unique<Replica>();
            replica->index = r;
            replica->slots = std::max(1, backend.value()->props().total_slots);
            const auto label = count > 1 ? fmt::format("{} (replica {} of {})", model.name, r + 1, count) : model.name;
            replica->session = std::make_unique<BackendSession>(std::move(backend).take(), label, m_spawner, m_generate,
                                                                m_options.log, [this] {
                                                                    if (m_transport) m_transport->cancel();
                                                                });
            entry.replicas.push_back(std::move(replica));
        }
        entry.load.load_seconds = std::chrono::duration<double>(m_clock->now() - started).count();
        if (entry.replicas.empty() && stop_requested()) {
            if (m_options.log) m_options.log->warn("run", "stopping: the start of {} was cancelled", model.name);
            return;  // its steps never ran; the next run sends them
        }
        entry.live = entry.replicas.size();
        entry.load.replicas = entry.replicas.size();
        if (entry.replicas.empty()) {
            entry.load.error = first_error;
            entry.error = "model " + model.name + " could not start: " + first_error;
            if (m_options.log && count > 1) m_options.log->warn("run", "{}: no replica started", model.name);
        } else {
            entry.load.server_build = entry.replicas.front()->session->props().build_info;
            if (m_options.progress) m_options.progress->model_started(model.name, ready);
        }
        const std::lock_guard lock(m_mutex);
        auto& placed = loaded.emplace(model.name, std::move(entry)).first->second;
        for (auto& [name, other] : loaded) {
            if (&other == &placed || !share_gpu(model, *other.model)) continue;
            placed.gpu_neighbours.push_back(&other);
            other.gpu_neighbours.push_back(&placed);
        }
        for (auto& replica : placed.replicas) {
            for (int slot = 0; slot < replica->slots; ++slot) {
                m_workers.emplace_back([this, &placed, r = replica.get(), slot] { work(placed, *r, slot); });
            }
        }
    }

    // Groups the ready steps of each loaded model that are not queued yet, by track (scheduler).
    void queue_ready(const std::vector<std::string>& stage, std::map<std::string, LoadedModel>& loaded) {
        const std::lock_guard lock(m_mutex);
        for (auto& [name, model] : loaded) {
            std::vector<SlotWork> work;
            model.more_coming = m_graph.waiting(name, stage) > 0;
            for (auto i : m_graph.ready(name)) {
                if (m_claimed[i]) continue;
                m_claimed[i] = true;
                const auto& node = m_graph.node(i);
                work.push_back({i, node.track, node.phase->id, config::uses_audio(node.phase->kind)});
            }
            if (work.empty()) continue;
            model.load.steps += work.size();
            auto groups = slot_groups(work, std::max<std::size_t>(1, live_slots(model)));
            std::map<std::size_t, int> parts;  // per track: a track split over slots stays split
            for (const auto& group : groups) ++parts[m_graph.node(group.front()).track];
            for (auto& group : groups) {
                const auto track = m_graph.node(group.front()).track;
                const bool audio = sends_audio(group);
                model.queue.push({std::move(group), track, audio}, parts[track] == 1);
            }
            if (m_options.progress && model.load.steps > work.size()) m_options.progress->steps_queued(name, work.size());
        }
        m_changed.notify_all();
    }

    // The queued steps of a model no server of which started fail with that reason.
    void fail_unserved(std::map<std::string, LoadedModel>& loaded) {
        for (auto& [name, model] : loaded) {
            std::vector<std::size_t> steps;
            {
                const std::lock_guard lock(m_mutex);
                if (model.error.empty()) continue;
                steps = model.queue.drain();
            }
            for (auto i : steps) {
                if (stopping()) break;
                commit(i, failed_step(m_tracks[m_graph.node(i).track], m_graph.node(i), model.error));
            }
        }
    }

    // One slot of one replica: takes the next group of its model's steps until the stage is over,
    // the run stops, or its replica is dropped.
    void work(LoadedModel& model, Replica& replica, int slot) {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_changed.wait_for(lock, kStopPoll, [&] {
                return m_stage_over || stopping() || replica.dropped || model.queue.available({replica.index, slot}, batch_floor(model));
            });
            if (m_stage_over || stopping() || replica.dropped) break;
            auto group = model.queue.take({replica.index, slot}, batch_floor(model));
            if (!group) continue;
            ++m_busy;
            lock.unlock();
            run_group(model, replica, group->steps, slot);
            lock.lock();
            model.queue.finished({replica.index, slot});
            --m_busy;
            m_changed.notify_all();
        }
    }

    static std::size_t live_slots(const LoadedModel& model) {
        std::size_t slots = 0;
        for (const auto& replica : model.replicas) {
            if (!replica->dropped) slots += static_cast<std::size_t>(replica->slots);
        }
        return slots;
    }

    // Two managed models may share a GPU unless both name GPUs and none in common (a model without
    // `gpus:` runs on whatever GPUs llama-server sees), as placement counts them.
    static bool share_gpu(const config::Model& a, const config::Model& b) {
        if (a.external() || b.external()) return false;
        if (a.gpus.empty() || b.gpus.empty()) return true;
        return std::any_of(a.gpus.begin(), a.gpus.end(), [&](int gpu) { return std::find(b.gpus.begin(), b.gpus.end(), gpu) != b.gpus.end(); });
    }

    // Models side by side share the GPU, and one decode step of four streams costs it far less than
    // four steps of one. A model whose steps become ready one by one as other models finish their
    // inputs (a revision per caption) would decode them one at a time, at the dearest GPU cost per
    // token. While a model on the same GPU runs requests and this stage has more of its steps to
    // make ready, its idle slots wait until a group waits for each of them. Otherwise the floor is 0
    // and a group goes at once. docs/slots.md has figures.
    static std::size_t batch_floor(const LoadedModel& model) {
        if (!model.more_coming) return 0;
        if (std::none_of(model.gpu_neighbours.begin(), model.gpu_neighbours.end(), [](const LoadedModel* m) { return m->queue.busy() > 0; })) {
            return 0;
        }
        const auto slots = live_slots(model);
        return slots > model.queue.busy() ? slots - model.queue.busy() : 0;
    }

    // For metrics and the report across runs: load time, peak GPU memory and restarts per model.
    void store_load(const ModelLoad& load) {
        const store::LoadRow row{m_run_id, load.model, load.load_seconds, load.peak_gpu_mib, load.restarts, load.server_build};
        if (auto stored = m_store.put_load(row); !stored) store_failed(stored.error());
    }

    // One slot's steps in order; a track's audio is decoded once for all of them. When the replica
    // goes out of service and another is still serving, the step that found it so and the rest of
    // the group go back to the queue for the others, unstored, and the replica is dropped.
    void run_group(LoadedModel& loaded, Replica& replica, const std::vector<std::size_t>& group, int slot) {
        const auto& model = *loaded.model;
        auto& session = *replica.session;
        std::optional<core::Result<PreparedAudio>> audio;
        for (std::size_t k = 0; k < group.size(); ++k) {
            const auto i = group[k];
            if (stopping()) return;
            const auto& node = m_graph.node(i);
            const auto& track = m_tracks[node.track];
            const bool with_audio = config::uses_audio(node.phase->kind);
            store::StepRow row;
            ++m_in_flight;
            try {  // nothing a step throws may end the run: it becomes that step's failure
                if (with_audio && !audio) audio = prepare_track_audio(session, model, track);
                row = with_audio && !audio->ok()
                          ? failed_step(track, node, audio->error().message)
                          : run_model_step(m_config, track, node, with_audio ? &audio->value() : nullptr, session, slot,
                                           m_cleaning);
            } catch (const std::exception& e) {
                row = failed_step(track, node, e.what());
            } catch (...) {
                row = failed_step(track, node, "an unknown error");
            }
            --m_in_flight;
            if (row.outcome == store::StepOutcome::failed && stop_requested()) {
                // A stop may be what failed it (its request ended, a restart cancelled): not stored,
                // so the next run sends it again.
                const std::lock_guard lock(m_mutex);
                ++m_outcome.abandoned;
                return;
            }
            if (row.outcome == store::StepOutcome::failed && hand_over(loaded, replica, group, k)) return;
            const bool done = row.outcome == store::StepOutcome::done;
            const auto tokens = row.completion_tokens;
            const auto elapsed_ms = row.elapsed_ms;
            if (!commit(i, std::move(row))) return;
            if (m_options.progress) m_options.progress->step_finished(model.name, done, tokens, elapsed_ms);
            const std::lock_guard lock(m_mutex);
            ++m_outcome.executed;
        }
    }

    // After group[from] failed: when its replica's server failed (died or hung, and a restart did
    // not mend it) and another replica still serves the model, puts group[from...] back at the head
    // of the model's queue, unstored, and returns true. A replica out of service is dropped; a step
    // whose server failed is handed over once, so a step that crashes every server fails instead
    // of taking them all down. False: store the failure (the last replica's steps fail as they come).
    bool hand_over(LoadedModel& loaded, Replica& replica, const std::vector<std::size_t>& group, std::size_t from) {
        const bool out_of_service = replica.session->out_of_service();
        if (!out_of_service && !replica.session->failing()) return false;  // the server answered: a step's own failure
        const std::lock_guard lock(m_mutex);
        if (replica.dropped) {
            // another of its slots dropped it already
        } else if (loaded.live <= 1) {
            return false;
        } else if (!out_of_service) {
            if (m_handed_over[group[from]]) return false;
            m_handed_over[group[from]] = true;
        } else {
            replica.dropped = true;
            --loaded.live;
            ++loaded.load.dropped;
            if (m_options.log) {
                m_options.log->warn("run", "{}: replica {} is out of service; the {} other(s) take over its steps",
                                    loaded.model->name, replica.index + 1, loaded.live);
            }
        }
        std::vector<std::size_t> rest(group.begin() + static_cast<std::ptrdiff_t>(from), group.end());
        const auto track = m_graph.node(rest.front()).track;
        const bool audio = sends_audio(rest);
        loaded.queue.push_front({std::move(rest), track, audio});
        if (replica.dropped) loaded.queue.forget(replica.index);
        m_changed.notify_all();
        return true;
    }

    core::Result<PreparedAudio> prepare_track_audio(const BackendSession& session, const config::Model& model,
                                                    const TrackRecord& track) {
        const auto n_ctx = session.props().n_ctx;
        const auto budget = audio_budget(m_config, model, n_ctx > 0 ? std::optional<int>(n_ctx) : std::nullopt);
        auto prepared = load_track_audio(track, budget, m_config.runtime.audio_format);
        if (prepared && prepared->cut_at && m_options.log) {
            m_options.log->warn("run", "{}: audio cut to {:.1f} s for {} (max_audio_seconds {}, slot context {} tokens)",
                                track.file.string(), prepared->seconds, model.name, budget.max_seconds, budget.slot_context);
        }
        return prepared;
    }

    const config::Config& m_config;
    std::vector<TrackRecord>& m_tracks;
    store::Store& m_store;
    const BackendFactory& m_backends;
    const RunOptions& m_options;
    StepGraph m_graph;
    std::shared_ptr<llm::HttpTransport> m_transport;  // the requests' own, so a second Ctrl-C can end them; none with options.generate
    Generate m_generate;
    std::shared_ptr<core::Clock> m_clock;
    clean::CleanOptions m_cleaning;
    std::map<std::string, ModelFiles> m_files;
    RunOutcome m_outcome;
    const std::string m_run_id = core::utc_now_iso();  // groups this run's model loads in the store
    // The graph, the outcome counters and the loaded models' queues and replicas, shared by the
    // main thread and the slot workers; m_changed tells them of a step finished, a group queued or
    // taken, a replica dropped, or the stage's end.
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<bool> m_claimed;  // per node: queued (or run) in this run
    std::vector<bool> m_handed_over;  // per node: its server failed once and another replica took it
    std::size_t m_busy = 0;       // groups being run
    bool m_stage_over = false;
    std::vector<std::thread> m_workers;  // the slot workers of the stage's models
    std::atomic<std::uint64_t> m_commits{0};  // steps finished, to know when to settle again
    std::mutex m_store_error_mutex;
    std::atomic<bool> m_store_failed{false};
    std::atomic<int> m_in_flight{0};  // steps being sent, for the stop message
    SpawnThread m_spawner;
};

}  // namespace

RunOutcome run_pipeline(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
                        const BackendFactory& backends, const RunOptions& options) {
    Runner runner(config, tracks, store, backends, options);
    return runner.run();
}

}  // namespace tunecap::pipeline
