// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "audio/audio.hpp"
#include "config/config.hpp"
#include "core/hash.hpp"
#include "core/text.hpp"
#include "pipeline/plan.hpp"
#include "report/json_output.hpp"
#include "tags/genres.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

std::string utc_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

struct Inputs {
    std::vector<fs::path> tracks;
    std::vector<report::TrackFailure> failures;  // paths that do not exist or cannot be listed
};

// Folders are searched recursively for audio extensions; files named explicitly are taken as given.
Inputs collect_inputs(const std::vector<std::string>& args) {
    Inputs inputs;
    std::set<fs::path> seen;
    auto add = [&](const fs::path& path) {
        std::error_code ec;
        auto key = fs::weakly_canonical(path, ec);
        if (ec) key = path;
        if (seen.insert(key).second) inputs.tracks.push_back(path);
    };
    for (const auto& arg : args) {
        const fs::path path(arg);
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> found;
            fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                if (it->is_regular_file(ec) && audio::is_audio_extension(it->path())) found.push_back(it->path());
            }
            if (ec) {
                inputs.failures.push_back({path, path.string() + ": cannot list folder: " + ec.message()});
                continue;
            }
            if (found.empty()) {
                inputs.failures.push_back({path, path.string() + ": no audio files found in this folder"});
                continue;
            }
            std::sort(found.begin(), found.end());
            for (const auto& file : found) add(file);
        } else if (fs::exists(path, ec)) {
            add(path);
        } else {
            inputs.failures.push_back({path, path.string() + ": no such file or folder"});
        }
    }
    return inputs;
}

struct RunSettings {
    config::Config config;
    pipeline::PhaseSelection selection;
    tags::GenreOptions genre_options;
    fs::path out_dir;
};

core::Result<RunSettings> settings_from(const CommandLine& line) {
    config::LoadOptions load;
    if (auto file = line.value("--config")) load.user_file = *file;
    auto config = config::load(load);
    if (!config) return config.error();
    RunSettings settings{std::move(config).take(), {line.all("--skip"), line.all("--only")}, {}, line.value_or_default("--out")};
    if (auto genre = line.value("--genre")) settings.genre_options.cli = *genre;
    if (auto info = line.value("--info")) {
        std::error_code ec;
        if (!fs::is_regular_file(*info, ec)) return core::Error{*info + ": --info file not found"};
        settings.genre_options.info = fs::path(*info);
    }
    if (auto status = pipeline::validate_selection(settings.config, settings.selection); !status) return status.error();
    return settings;
}

std::string describe_genres(const tags::Genres& genres) {
    return fmt::format("{} ({})", core::join(genres.names, ", "), tags::to_string(genres.source));
}

// Steps still pending after planning would need the model runtime, which this build does not have
// yet (issue 4); they are reported as such rather than left looking unfinished.
void mark_unrun(std::vector<pipeline::PhaseRecord>& phases) {
    static const std::string kReason = "model inference is not available in this build of tunecap";
    for (auto& phase : phases) {
        if (phase.status == pipeline::StepStatus::pending) {
            phase.status = pipeline::StepStatus::skipped;
            phase.reason = kReason;
        }
        for (auto& model : phase.models) {
            if (model.status != pipeline::StepStatus::pending) continue;
            model.status = pipeline::StepStatus::skipped;
            model.reason = kReason;
            for (auto& step : model.steps) {
                step.status = pipeline::StepStatus::skipped;
                step.reason = kReason;
            }
        }
    }
}

pipeline::TrackRecord process_track(const fs::path& file, const RunSettings& settings, core::Log& log) {
    pipeline::TrackRecord track;
    track.file = file;
    track.content_hash = core::sha256_file(file).take();
    track.id = pipeline::make_track_id(file, track.content_hash);
    auto genres = tags::resolve_genres(file, settings.genre_options);
    for (const auto& warning : genres.warnings) log.warn("tags", "{}", warning);
    track.genres = std::move(genres.genres);
    track.warnings = std::move(genres.warnings);
    track.audio = audio::decode(file).take().source;
    track.phases = pipeline::plan_phases(settings.config, settings.selection, pipeline::real_file_check());
    mark_unrun(track.phases);
    return track;
}

void print_plan(const RunSettings& settings, const Inputs& inputs, std::ostream& out) {
    out << fmt::format("dry run: {} track(s), {} phase(s); nothing is decoded or written\n", inputs.tracks.size(),
                       settings.config.phases.size());
    for (const auto& file : inputs.tracks) {
        auto genres = tags::resolve_genres(file, settings.genre_options);
        out << fmt::format("  track {}: genres {}\n", file.string(), describe_genres(genres.genres));
    }
    const auto phases = pipeline::plan_phases(settings.config, settings.selection, pipeline::real_file_check());
    for (const auto& phase : phases) {
        out << fmt::format("  phase {} ({}): {}{}\n", phase.id, config::to_string(phase.kind), pipeline::to_string(phase.status),
                           phase.reason.empty() ? "" : " - " + phase.reason);
        for (const auto& model : phase.models) {
            out << fmt::format("    {} x {} prompt(s) per track: {}{}\n", model.model, model.steps.size(),
                               pipeline::to_string(model.status), model.reason.empty() ? "" : " - " + model.reason);
        }
    }
}

}  // namespace

int run_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    if (line.positionals.empty()) {
        log.error("run", "no tracks given; usage: tunecap run TRACK_OR_DIR... (see 'tunecap run --help')");
        return kExitUsage;
    }
    auto settings = settings_from(line);
    if (!settings) {
        log.error("config", "{}", settings.error().message);
        return kExitUsage;
    }
    const auto inputs = collect_inputs(line.positionals);
    if (line.has("--dry-run")) {
        for (const auto& failure : inputs.failures) log.error("run", "{}", failure.error);
        print_plan(*settings, inputs, out);
        return inputs.failures.empty() ? kExitOk : kExitSomeFailed;
    }

    report::RunSummary summary;
    summary.version = TUNECAP_VERSION;
    summary.started_at = utc_now();
    summary.out_dir = settings->out_dir;
    summary.config_file = settings->config.user_file;
    summary.command_line.push_back("tunecap");
    summary.command_line.push_back(line.command);
    summary.failures = inputs.failures;
    for (const auto& failure : inputs.failures) log.error("run", "{}", failure.error);

    for (const auto& file : inputs.tracks) {
        try {
            auto track = process_track(file, *settings, log);
            if (auto written = report::write_file_atomic(report::track_json_path(settings->out_dir, track), report::track_json(track));
                !written) {
                throw core::Failure(written.error());
            }
            log.info("run", "{}: {:.1f} s {} {} Hz {} ch; genres {}", file.string(), track.audio.duration_seconds,
                     track.audio.codec, track.audio.sample_rate, track.audio.channels, describe_genres(track.genres));
            summary.tracks.push_back(std::move(track));
        } catch (const std::exception& e) {
            log.error("run", "{}", e.what());
            summary.failures.push_back({file, e.what()});
        }
    }

    summary.finished_at = utc_now();
    const auto results_path = settings->out_dir / "results.json";
    if (auto written = report::write_file_atomic(results_path, report::results_json(summary, settings->config)); !written) {
        log.error("run", "{}", written.error().message);
        return kExitSomeFailed;
    }
    out << fmt::format("{} track(s) done, {} failed; results in {}\n", summary.tracks.size(), summary.failures.size(),
                       results_path.string());
    out << fmt::format("per-track JSON in {}\n", (settings->out_dir / "tracks").string());
    return summary.failures.empty() ? kExitOk : kExitSomeFailed;
}

int config_show_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    auto settings = settings_from(line);
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
