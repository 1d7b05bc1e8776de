// SPDX-License-Identifier: GPL-3.0-or-later
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "core/atomic_file.hpp"
#include "app/inputs.hpp"
#include "app/placement_inputs.hpp"
#include "app/progress.hpp"
#include "analysis/facts.hpp"
#include "audio/audio.hpp"
#include "clean/token_counter.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/hash.hpp"
#include "core/text.hpp"
#include "pipeline/plan.hpp"
#include "pipeline/runner.hpp"
#include "pipeline/scheduler.hpp"
#include "report/facts_json.hpp"
#include "report/json_output.hpp"
#include "server/backend.hpp"
#include "server/environment.hpp"
#include "server/hf_cache.hpp"
#include "store/run_lock.hpp"
#include "store/store.hpp"
#include "tags/genres.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

// Set by SIGINT/SIGTERM, the globals a signal handler needs. The first signal: no new step starts,
// a server still starting gives up, the requests in flight get a few seconds, then the servers
// stop and the results are written. The second: the requests in flight are ended at once (their
// servers stopped), and the results are still written. A third ends tunecap on the spot (the
// servers die with it through their parent-death signal).
std::atomic<bool> g_stop_requested{false};
std::atomic<bool> g_abort_requested{false};

extern "C" void on_stop_signal(int) {
    if (!g_stop_requested.exchange(true)) return;
    if (!g_abort_requested.exchange(true)) return;
    _exit(130);
}

class StopSignals {
public:
    StopSignals() {
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &m_old_int);
        sigaction(SIGTERM, &action, &m_old_term);
    }
    ~StopSignals() {
        sigaction(SIGINT, &m_old_int, nullptr);
        sigaction(SIGTERM, &m_old_term, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    struct sigaction m_old_int {};
    struct sigaction m_old_term {};
};

struct RunSettings {
    config::Config config;
    pipeline::PhaseSelection selection;
    std::vector<std::string> force;
    tags::GenreOptions genre_options;
    fs::path out_dir;
};

core::Result<RunSettings> settings_from(const CommandLine& line, config::Config config) {
    RunSettings settings{std::move(config), {line.all("--skip"), line.all("--only")}, line.all("--force"), {},
                         line.value_or_default("--out")};
    if (auto genre = line.value("--genre")) settings.genre_options.cli = *genre;
    if (auto info = line.value("--info")) {
        std::error_code ec;
        if (!fs::is_regular_file(*info, ec)) return core::Error{*info + ": --info file not found"};
        settings.genre_options.info = fs::path(*info);
    }
    if (auto status = pipeline::validate_selection(settings.config, settings.selection); !status) return status.error();
    if (auto status = pipeline::validate_selection(settings.config, {settings.force, {}}); !status) {
        auto message = status.error().message;
        message.replace(0, 6, "--force");  // the check names --skip
        return core::Error{message};
    }
    return settings;
}

std::string describe_genres(const tags::Genres& genres) {
    return fmt::format("{} ({})", core::join(genres.names, ", "), tags::to_string(genres.source));
}

// The facts of a track, measured once and kept in its store row (keyed by track id, which names
// the file's content), so a resumed run reuses them; always as read back from their JSON, so the
// first run and every resume render them alike. The row also keeps the track's path and genres as
// this run found them, for metrics and exports.
std::optional<analysis::Facts> track_facts(const pipeline::TrackRecord& track, store::Store& store, core::Log& log) {
    const auto row = store.find_track(track.id);
    auto info = row ? report::read_track_info(row->info_json) : report::TrackInfo{};
    if (!info.facts) {
        auto measured = analysis::analyze_file(track.file);
        if (measured) {
            info.facts = std::move(*measured);
        } else {
            log.warn("analysis", "{}", measured.error().message);
        }
    }
    info.genres = track.genres.names;
    info.genre_source = std::string(tags::to_string(track.genres.source));
    const store::TrackRow updated{track.id, track.file.string(), track.content_hash, report::track_info_json(info)};
    if (!row || *row != updated) {
        if (auto put = store.put_track(updated); !put) log.warn("store", "{}", put.error().message);
    }
    return report::read_track_info(updated.info_json).facts;
}

pipeline::TrackRecord read_track(const fs::path& file, const RunSettings& settings, tags::InfoIndex& infos,
                                 store::Store& store, core::Log& log) {
    pipeline::TrackRecord track;
    track.file = file;
    track.content_hash = core::sha256_file(file).take();
    track.id = pipeline::make_track_id(file, track.content_hash);
    auto genres = tags::resolve_genres(file, settings.genre_options, infos);
    for (const auto& warning : genres.warnings) log.warn("tags", "{}", warning);
    track.genres = std::move(genres.genres);
    track.warnings = std::move(genres.warnings);
    pipeline::set_decoded_audio(track, audio::decode(file, audio::kModelSampleRate, settings.config.runtime.max_audio_seconds).take());
    track.facts = track_facts(track, store, log);
    std::string warning;
    if (track.truncated) {
        warning = audio::truncation_text(file, *track.truncated) + "; captioned what was read";
    } else if (track.facts && track.facts->truncated) {
        // Found by the facts' whole-file decode, past the audio the models hear: their captions are
        // of whole audio and are not flagged; the facts' JSON says where the file stops.
        warning = audio::truncation_text(file, *track.facts->truncated) +
                  fmt::format("; past the {:g} s the models hear (runtime.max_audio_seconds), so the captions are whole",
                              settings.config.runtime.max_audio_seconds);
    }
    if (!warning.empty()) {
        log.warn("audio", "{}", warning);
        track.warnings.push_back(std::move(warning));
    }
    track.phases = pipeline::plan_phases(settings.config, settings.selection, pipeline::real_file_check());
    return track;
}

// Used GPU memory from nvidia-smi, summed over GPUs; nullopt without it.
std::function<std::optional<double>()> nvidia_smi_probe() {
    if (!server::find_executable("nvidia-smi")) return {};
    return []() -> std::optional<double> {
        std::FILE* pipe = ::popen("nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null", "r");
        if (!pipe) return std::nullopt;
        double total = 0;
        bool any = false;
        char line[128];
        while (std::fgets(line, sizeof line, pipe)) {
            char* end = nullptr;
            const double mib = std::strtod(line, &end);
            if (end != line) {
                total += mib;
                any = true;
            }
        }
        ::pclose(pipe);
        return any ? std::optional<double>(total) : std::nullopt;
    };
}

// Variables that hold a key for some endpoint: a managed server never sees them.
std::vector<std::string> api_key_names(const config::Config& config) {
    std::vector<std::string> names = {"OPENAI_API_KEY"};
    for (const auto& model : config.models) {
        for (const auto& endpoint : model.endpoints) {
            if (!endpoint.api_key_env.empty()) names.push_back(endpoint.api_key_env);
        }
    }
    return names;
}

pipeline::BackendFactory backend_factory(const config::Config& config, const fs::path& out_dir) {
    return [&config, out_dir](const config::Model& model, std::size_t replica, bool needs_audio)
               -> core::Result<std::unique_ptr<server::Backend>> {
        if (model.external()) {
            auto endpoint = server::ExternalEndpoint::connect(model, replica, config::process_environment());
            if (!endpoint) return endpoint.error();
            return std::unique_ptr<server::Backend>(std::move(endpoint).take());
        }
        auto binary = server::find_executable(config.runtime.llama_server);
        if (!binary) return binary.error();
        server::SupervisorSettings settings;
        settings.log_dir = out_dir / "logs";
        settings.cancelled = [] { return g_stop_requested.load(); };
        std::error_code ec;
        const auto self = fs::read_symlink("/proc/self/exe", ec);
        if (!ec) settings.guard = self;
        settings.environment =
            server::server_environment(server::process_environment_entries(), config.runtime.server_env, api_key_names(config));
        if (replica < model.gpus.size()) {
            // One server per GPU: it sees only its own device, and its logs say which.
            const auto gpu = std::to_string(model.gpus[replica]);
            server::set_variable(*settings.environment, "CUDA_VISIBLE_DEVICES", gpu);
            settings.log_stem = model.name + "-gpu" + gpu;
        }
        if (server::hf_download_pending(server::hf_cache_dirs(config::process_environment()), model)) {
            settings.ready_deadline = server::kDownloadReadyDeadline;  // it is not healthy until the download ends
        }
        auto started = server::ManagedServer::start(model, needs_audio, *binary, settings);
        if (!started) return started.error();
        return std::unique_ptr<server::Backend>(std::move(started).take());
    };
}

std::size_t pending_steps(const std::vector<pipeline::TrackRecord>& tracks) {
    std::size_t count = 0;
    for (const auto& track : tracks) {
        for (const auto& phase : track.phases) {
            for (const auto& model : phase.models) {
                for (const auto& step : model.steps) count += step.status == pipeline::StepStatus::pending;
            }
        }
    }
    return count;
}

}  // namespace

std::optional<LoadedConfig> load_config(const CommandLine& line, core::Log& log) {
    config::LoadOptions load;
    if (auto file = line.value("--config")) load.user_file = *file;
    auto config = config::load(load);
    if (!config) {
        log.error("config", "{}", config.error().message);
        return std::nullopt;
    }
    LoadedConfig loaded{std::move(config).take(), nullptr};
    if (const auto& model = loaded.config.cleaning.sentencepiece_model; !model.empty()) {
        auto counter = clean::SentencePieceCounter::load(model);
        if (!counter) {
            const auto origin = loaded.config.effective.find("cleaning.sentencepiece_model");
            log.error("config", "{}: cleaning.sentencepiece_model: {}",
                      origin == loaded.config.effective.end() ? std::string("config") : origin->second.second,
                      counter.error().message);
            return std::nullopt;
        }
        loaded.token_counter = std::make_shared<clean::SentencePieceCounter>(std::move(counter).take());
    }
    return loaded;
}

// The GPU memory peaks a run would raise the estimates to: those the output folder's store measured,
// when it has one (it is only read, never created).
std::map<std::string, double> stored_peaks(const fs::path& out_dir, core::Log& log) {
    const auto db = out_dir / "tunecap.db";
    std::error_code ec;
    if (!fs::exists(db, ec)) return {};
    auto store = store::Store::open(db);
    if (!store) {
        log.warn("plan", "{}: cannot read the measured peaks, the stages use the estimates alone: {}", db.string(), store.error().message);
        return {};
    }
    return last_peaks((*store)->all_loads());
}

void print_plan(const config::Config& config, const pipeline::PhaseSelection& selection, std::size_t tracks,
                double longest_seconds, const std::map<std::string, double>& peaks, std::ostream& out) {
    const auto phases = pipeline::plan_phases(config, selection, pipeline::real_file_check());
    out << fmt::format("{} track(s), {} phase(s)\n", tracks, phases.size());
    for (const auto& phase : phases) {
        out << fmt::format("  phase {} ({}): {}{}\n", phase.id, config::to_string(phase.kind), pipeline::to_string(phase.status),
                           phase.reason.empty() ? "" : " - " + phase.reason);
    }
    out << "model loads, in order:\n";
    std::size_t load = 0;
    for (const auto& model : pipeline::model_load_order(config)) {
        std::size_t per_track = 0;
        std::vector<std::string> parts;
        for (const auto& phase : phases) {
            for (const auto& m : phase.models) {
                if (m.model != model || m.status != pipeline::StepStatus::pending) continue;
                per_track += m.steps.size();
                parts.push_back(fmt::format("{} x{}", phase.id, m.steps.size()));
            }
        }
        if (per_track == 0) {
            out << fmt::format("  -  {}: nothing to run (not configured or not selected)\n", model);
            continue;
        }
        out << fmt::format("  {}. {}: {} step(s) = {} per track x {} track(s) [{}]\n", ++load, model, per_track * tracks,
                           per_track, tracks, core::join(parts, ", "));
    }
    out << fmt::format("{} model load(s) in all\n", load);
    // Estimates from the GGUF headers, raised to the peaks the output folder's store measured, as a run does.
    const auto need = gguf_memory_need(peaks, server::hf_cache_dirs(config::process_environment()));
    for (const auto& text : pipeline::describe_placement(place_for_run(config, phases, longest_seconds, need))) {
        out << core::escape_for_terminal(text) << "\n";
    }
}

int plan_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    auto settings = settings_from(line, std::move(loaded->config));
    if (!settings) {
        log.error("config", "{}", settings.error().message);
        return kExitUsage;
    }
    const auto inputs = line.positionals.empty() ? Inputs{} : collect_inputs(line.positionals, input_filter(line));
    for (const auto& failure : inputs.failures) log.error("run", "{}", failure.error);
    tags::InfoIndex infos;
    // `slots: auto` is sized for the longest track; one whose header cannot be read counts as the longest allowed.
    const double max_seconds = settings->config.runtime.max_audio_seconds;
    double longest = line.positionals.empty() ? max_seconds : 0;
    for (const auto& file : inputs.tracks) {
        const auto genres = tags::resolve_genres(file, settings->genre_options, infos);
        for (const auto& warning : genres.warnings) log.warn("tags", "{}", warning);  // as a run would say
        // A human line, escaped like a message: a file name or genre must not drive the terminal.
        out << core::escape_for_terminal(fmt::format("track {}: genres {}", file.string(), describe_genres(genres.genres))) << "\n";
        const auto info = audio::probe(file);
        longest = std::max(longest, info ? info->duration_seconds : max_seconds);
    }
    print_plan(settings->config, settings->selection, line.positionals.empty() ? 1 : inputs.tracks.size(), longest,
               stored_peaks(settings->out_dir, log), out);
    return inputs.failures.empty() ? kExitOk : kExitSomeFailed;
}

int run_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    if (line.positionals.empty()) {
        log.error("run", "no tracks given; usage: tunecap run TRACK_OR_DIR... (see 'tunecap run --help')");
        return kExitUsage;
    }
    if (line.has("--dry-run")) {
        out << "dry run: nothing is decoded or written\n";
        return plan_command(line, log, out);
    }
    auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    auto settings = settings_from(line, std::move(loaded->config));
    if (!settings) {
        log.error("config", "{}", settings.error().message);
        return kExitUsage;
    }
    const auto inputs = collect_inputs(line.positionals, input_filter(line));
    g_stop_requested = false;
    g_abort_requested = false;
    const StopSignals signals;  // after the reset, so an early Ctrl-C is not lost

    report::RunSummary summary;
    summary.version = TUNECAP_VERSION;
    summary.started_at = core::utc_now_iso();
    summary.out_dir = settings->out_dir;
    summary.config_file = settings->config.user_file;
    summary.command_line = {"tunecap", line.command};
    summary.failures = inputs.failures;
    for (const auto& failure : inputs.failures) log.error("run", "{}", failure.error);

    const auto lock = store::RunLock::acquire(settings->out_dir);
    if (!lock) {
        log.error("run", "{}", lock.error().message);
        return kExitSomeFailed;
    }
    auto store = store::Store::open(settings->out_dir / "tunecap.db");
    if (!store) {
        log.error("store", "{}", store.error().message);
        return kExitSomeFailed;
    }

    tags::InfoIndex infos;
    for (const auto& file : inputs.tracks) {
        if (g_stop_requested) break;
        try {
            auto track = read_track(file, *settings, infos, **store, log);
            log.info("run", "{}: {:.1f} s {} {} Hz {} ch; genres {}", file.string(), track.audio.duration_seconds,
                     track.audio.codec, track.audio.sample_rate, track.audio.channels, describe_genres(track.genres));
            summary.tracks.push_back(std::move(track));
        } catch (const std::exception& e) {
            log.error("run", "{}", e.what());
            summary.failures.push_back({file, e.what()});
        }
    }

    // Which models load together and the slots of `slots: auto` models, now that the longest track is known.
    double longest = 0;
    for (const auto& track : summary.tracks) longest = std::max(longest, track.audio.duration_seconds);
    const auto placement =
        place_for_run(settings->config, pipeline::plan_phases(settings->config, settings->selection, pipeline::real_file_check()),
                      longest, gguf_memory_need(last_peaks((*store)->all_loads()), server::hf_cache_dirs(config::process_environment())));
    placement.apply_to(settings->config);
    for (const auto& text : pipeline::describe_placement(placement)) log.info("placement", "{}", text);

    Progress progress(log, ::isatty(STDERR_FILENO) ? stderr : nullptr, pending_steps(summary.tracks));
    pipeline::RunOptions options;
    options.token_counter = loaded->token_counter.get();
    options.force = settings->force;
    options.stop_requested = &g_stop_requested;
    options.abort_requested = &g_abort_requested;
    options.log = &log;
    options.progress = &progress;
    options.gpu_probe = nvidia_smi_probe();
    options.stages = placement.stage_names();
    pipeline::RunOutcome outcome;
    try {
        outcome = pipeline::run_pipeline(settings->config, summary.tracks, **store,
                                         backend_factory(settings->config, settings->out_dir), options);
    } catch (const std::exception& e) {
        log.error("run", "{}", e.what());
        return kExitSomeFailed;
    }
    summary.loads = outcome.loads;
    summary.steps_executed = outcome.executed;
    summary.steps_reused = outcome.reused;
    summary.steps_failed = outcome.failed;
    summary.steps_skipped = outcome.skipped;
    summary.interrupted = outcome.interrupted;
    summary.store_error = outcome.store_error;
    if (!outcome.store_error.empty()) log.error("store", "{}", outcome.store_error);

    // One track whose JSON cannot be made must not keep the others' (or results.json) from disk.
    for (const auto& track : summary.tracks) {
        try {
            if (auto written = core::write_file_atomically(report::track_json_path(settings->out_dir, track),
                                                           report::track_json(track), {}, core::Sync::no);
                !written) {
                log.error("report", "{}", written.error().message);
            }
        } catch (const std::exception& e) {
            log.error("report", "{}: its track JSON was not written ({})", track.file.string(), e.what());
        }
    }
    summary.finished_at = core::utc_now_iso();
    const auto results_path = settings->out_dir / "results.json";
    // One bad value must not cost the summary: whatever the writer throws is an error line too.
    bool written = false;
    try {
        const auto saved = core::write_file_atomically(results_path, report::results_json(summary, settings->config), {}, core::Sync::no);
        if (!saved) log.error("report", "{}", saved.error().message);
        written = saved.ok();
    } catch (const std::exception& e) {
        log.error("report", "{}: not written ({})", results_path.string(), e.what());
    }
    out << fmt::format("{} track(s) read, {} failed; steps: {} run, {} reused from the store, {} failed, {} skipped; "
                       "{} model load(s)\n",
                       summary.tracks.size(), summary.failures.size(), outcome.executed, outcome.reused, outcome.failed,
                       outcome.skipped, outcome.loads.size());
    if (written) out << fmt::format("results in {} (per track: {})\n", results_path.string(), (settings->out_dir / "tracks").string());
    if (const auto page = write_report_after_run(**store, settings->config, settings->out_dir, log)) {
        out << fmt::format("report: {}\n", page->string());
    }
    if (!outcome.store_error.empty()) {
        out << fmt::format("stopped: a result could not be stored, so the run stopped there; the {} step(s) "
                           "this run finished before it are stored. Free space (or fix the store) and run the same command again "
                           "to resume\n",
                           outcome.executed);
        return kExitSomeFailed;
    }
    if (outcome.interrupted) {
        if (outcome.abandoned == 0) {
            out << "interrupted: the steps in flight finished and were stored; run the same command again to resume\n";
        } else {
            out << fmt::format("interrupted: {} step(s) in flight were stopped and not stored, the finished ones were; "
                               "run the same command again to resume\n",
                               outcome.abandoned);
        }
        return kExitInterrupted;
    }
    return written && summary.failures.empty() && outcome.failed == 0 ? kExitOk : kExitSomeFailed;
}

int config_show_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    auto settings = settings_from(line, std::move(loaded->config));
    if (!settings) {
        log.error("config", "{}", settings.error().message);
        return kExitUsage;
    }
    std::size_t width = 0;
    for (const auto& [key, value] : settings->config.effective) width = std::max(width, key.size());
    for (const auto& [key, value] : settings->config.effective) {
        auto text = value.first;
        std::replace(text.begin(), text.end(), '\n', ' ');
        if (text.size() > 70) text = text.substr(0, 67) + "...";
        text = core::escape_for_terminal(text);  // after the cut: a character it splits shows as \xNN
        out << fmt::format("{:<{}} = {:<40}  # {}\n", key, width, text, value.second);
    }
    // Command-line settings, from the same options table as parsing and --help.
    for (const auto& spec : option_table()) {
        if (spec.kind == OptionKind::flag || spec.name == "--config") continue;
        if (std::find(spec.commands.begin(), spec.commands.end(), "run") == spec.commands.end()) continue;
        const auto given = line.all(spec.name);
        const auto sources = line.sources.find(std::string(spec.name));
        std::string value = given.empty() ? std::string(spec.default_value) : core::join(given, ", ");
        std::string origin = given.empty() ? "default" : "command line";
        if (!given.empty() && sources != line.sources.end()) origin = "command line " + core::join(sources->second, ", ");
        out << fmt::format("{:<{}} = {:<40}  # {}\n", "run." + std::string(spec.name).substr(2), width,
                           value.empty() ? "(none)" : value, origin);
    }
    return kExitOk;
}

}  // namespace tunecap::app
