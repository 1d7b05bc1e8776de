// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/json_output.hpp"

#include "claims/claims_json.hpp"
#include "core/atomic_file.hpp"
#include "pipeline/caption.hpp"
#include "report/facts_json.hpp"
#include "report/json_parts.hpp"
#include "report/path_json.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace tunecap::report {
namespace {

using nlohmann::ordered_json;

ordered_json audio_json(const audio::AudioInfo& info) {
    return {{"duration_seconds", info.duration_seconds},
            {"sample_rate", info.sample_rate},
            {"channels", info.channels},
            {"codec", info.codec},
            {"container", info.container}};
}

ordered_json genres_json(const tags::Genres& genres) {
    ordered_json out = {{"names", genres.names}, {"source", std::string(tags::to_string(genres.source))}};
    if (!genres.origin.empty()) out["origin"] = genres.origin;
    return out;
}

void add_status(ordered_json& out, pipeline::StepStatus status, const std::string& reason) {
    out["status"] = std::string(pipeline::to_string(status));
    if (!reason.empty()) out["reason"] = reason;
}

void add_result(ordered_json& out, const store::StepRow& row, bool reused) {
    out["caption"] = row.caption;
    out["raw"] = row.raw_output;
    if (!row.reasoning.empty()) out["reasoning"] = row.reasoning;
    if (!row.error.empty()) out["error"] = row.error;
    out["flags"] = row.flags;
    out["tokens"] = {{"prompt", row.prompt_tokens}, {"cached", row.cached_tokens}, {"completion", row.completion_tokens}};
    out["timings_ms"] = {{"request", row.elapsed_ms}, {"prompt", row.prompt_ms}, {"generation", row.predicted_ms}};
    if (!row.server_build.empty()) out["server_build"] = row.server_build;
    out["finished_at"] = row.finished_at;
    out["reused"] = reused;
    out["key"] = row.key;
}

// What the caption says of tempo and key, checked against what tunecap measured: as stored with the
// step, or checked now for a row stored before steps kept their claims.
ordered_json step_claims(const store::StepRow& row, const std::optional<claims::Facts>& facts) {
    return ordered_json::parse(row.claims.empty() ? claims::to_json(row.caption, facts ? &*facts : nullptr) : row.claims);
}

// phases -> models -> prompts, each level with its status and, when not done, the reason.
ordered_json phases_json(const std::vector<pipeline::PhaseRecord>& phases, const std::optional<analysis::Facts>& facts) {
    const auto checked = facts ? std::optional(pipeline::claim_facts(*facts)) : std::nullopt;
    ordered_json out = ordered_json::object();
    for (const auto& phase : phases) {
        ordered_json p = {{"kind", std::string(config::to_string(phase.kind))}};
        add_status(p, phase.status, phase.reason);
        ordered_json models = ordered_json::object();
        for (const auto& model : phase.models) {
            ordered_json m = ordered_json::object();
            add_status(m, model.status, model.reason);
            ordered_json prompts = ordered_json::object();
            for (const auto& step : model.steps) {
                ordered_json s = ordered_json::object();
                add_status(s, step.status, step.status == model.status && !step.result ? "" : step.reason);
                if (step.result) {
                    add_result(s, *step.result, step.reused);
                    s["claims"] = step_claims(*step.result, checked);
                }
                prompts[step.prompt] = std::move(s);
            }
            m["prompts"] = std::move(prompts);
            models[model.model] = std::move(m);
        }
        p["models"] = std::move(models);
        out[phase.id] = std::move(p);
    }
    return out;
}

ordered_json track_object(const pipeline::TrackRecord& track) {
    ordered_json out = {{"id", track.id}};
    put_path(out, "file", track.file);
    out["content_sha256"] = track.content_hash;
    out["genres"] = genres_json(track.genres);
    out["audio"] = audio_json(track.audio);
    if (track.truncated) {
        out["audio"]["truncated"] = {{"decoded_seconds", track.truncated->decoded_seconds},
                                     {"declared_seconds", track.truncated->declared_seconds}};
    }
    out["facts"] = track.facts ? facts_object(*track.facts) : ordered_json(nullptr);
    if (!track.warnings.empty()) out["warnings"] = track.warnings;
    out["phases"] = phases_json(track.phases, track.facts);
    return out;
}

}  // namespace

std::string track_json(const pipeline::TrackRecord& track) { return dump_text(track_object(track), 2) + "\n"; }

std::string results_json(const RunSummary& summary, const config::Config& config) {
    ordered_json tracks = ordered_json::array();
    for (const auto& track : summary.tracks) {
        ordered_json t = {{"id", track.id}};
        put_path(t, "file", track.file);
        put_path(t, "json", track_json_path(summary.out_dir, track));
        t["genres"] = genres_json(track.genres);
        t["duration_seconds"] = track.audio.duration_seconds;
        tracks.push_back(std::move(t));
    }
    ordered_json failures = ordered_json::array();
    for (const auto& failure : summary.failures) {
        ordered_json f = ordered_json::object();
        put_path(f, "file", failure.file);
        f["error"] = failure.error;
        failures.push_back(std::move(f));
    }
    ordered_json effective = ordered_json::object();
    for (const auto& [key, value] : config.effective) {
        effective[key] = {{"value", value.first}, {"origin", value.second}};
    }
    ordered_json loads = ordered_json::array();
    for (const auto& load : summary.loads) {
        ordered_json l = {{"model", load.model},
                          {"load_seconds", load.load_seconds},
                          {"steps", load.steps},
                          {"restarts", load.restarts},
                          {"server_build", load.server_build}};
        if (load.replicas > 1 || load.dropped > 0) {
            l["replicas"] = load.replicas;
            l["replicas_dropped"] = load.dropped;
        }
        if (load.peak_gpu_mib) l["peak_gpu_mib"] = *load.peak_gpu_mib;
        if (!load.error.empty()) l["error"] = load.error;
        loads.push_back(std::move(l));
    }
    // Per phase and model: how many steps ended how, and their mean latency.
    std::map<std::string, std::map<std::string, std::map<std::string, double>>> phase_stats;
    for (const auto& track : summary.tracks) {
        for (const auto& phase : track.phases) {
            for (const auto& model : phase.models) {
                auto& stats = phase_stats[phase.id][model.model];
                for (const auto& step : model.steps) {
                    stats[std::string(pipeline::to_string(step.status))] += 1;
                    if (step.result && step.status == pipeline::StepStatus::done) {
                        stats["request_ms_total"] += step.result->elapsed_ms;
                        stats["completion_tokens_total"] += step.result->completion_tokens;
                    }
                }
            }
        }
    }
    ordered_json phases = ordered_json::object();
    for (const auto& [phase, models] : phase_stats) {
        for (const auto& [model, stats] : models) phases[phase][model] = stats;
    }
    ordered_json out = {{"tunecap_version", summary.version},
                        {"started_at", summary.started_at},
                        {"finished_at", summary.finished_at},
                        {"command_line", summary.command_line}};
    if (summary.config_file.empty()) {
        out["config_file"] = "built-in default";
    } else {
        put_path(out, "config_file", summary.config_file);
    }
    out["counts"] = {{"tracks", summary.tracks.size() + summary.failures.size()},
                     {"succeeded", summary.tracks.size()},
                     {"failed", summary.failures.size()}};
    out["steps"] = {{"executed", summary.steps_executed}, {"reused", summary.steps_reused},
                    {"failed", summary.steps_failed}, {"skipped", summary.steps_skipped}};
    out["interrupted"] = summary.interrupted;
    if (!summary.store_error.empty()) out["store_error"] = summary.store_error;
    out["model_loads"] = std::move(loads);
    out["phases"] = std::move(phases);
    out["tracks"] = std::move(tracks);
    out["failures"] = std::move(failures);
    out["config"] = std::move(effective);
    return dump_text(out, 2) + "\n";
}

std::filesystem::path track_json_path(const std::filesystem::path& out_dir, const pipeline::TrackRecord& track) {
    return out_dir / "tracks" / (track.id + ".json");
}

}  // namespace tunecap::report

namespace tunecap::report {

namespace {

pipeline::StepStatus status_of(const ordered_json& level) {
    return pipeline::parse_step_status(level.value("status", "")).value_or(pipeline::StepStatus::pending);
}

// A model or phase takes the status its steps or models roll up to, as the run wrote it.
void roll_up(ordered_json& level, std::optional<pipeline::StepStatus> status) {
    if (!status) return;
    level["status"] = std::string(pipeline::to_string(*status));
    if (*status == pipeline::StepStatus::done || *status == pipeline::StepStatus::failed) level.erase("reason");
}

// The step as re-derived from its stored row; true when anything changed.
bool refresh_step(ordered_json& step, const store::StepRow& row) {
    ordered_json updated = step;
    updated["status"] = std::string(store::to_string(row.outcome));
    updated["caption"] = row.caption;
    updated["flags"] = row.flags;
    if (!row.claims.empty()) updated["claims"] = ordered_json::parse(row.claims);
    if (row.error.empty()) {
        updated.erase("error");
        updated.erase("reason");
    } else {
        updated["error"] = row.error;
        updated["reason"] = row.error;
    }
    if (updated == step) return false;
    step = std::move(updated);
    return true;
}

}  // namespace

core::Result<std::size_t> refresh_captions(const std::filesystem::path& track_json, const RowsByTrackAndKey& rows) {
    std::ifstream in(track_json);
    if (!in) return core::Error{track_json.string() + ": cannot read"};
    auto track = ordered_json::parse(in, nullptr, false);
    if (!track.is_object() || !track.contains("phases")) return core::Error{track_json.string() + ": not a tunecap track file"};
    const std::string track_id = track.value("id", "");
    std::size_t changed = 0;
    for (auto& [phase_id, phase] : track["phases"].items()) {
        std::vector<pipeline::StepStatus> model_states;
        for (auto& [model_id, model] : phase["models"].items()) {
            std::vector<pipeline::StepStatus> step_states;
            for (auto& [prompt_id, step] : model["prompts"].items()) {
                if (step.contains("key")) {
                    const auto it = rows.find({track_id, step["key"].get<std::string>()});
                    if (it != rows.end() && refresh_step(step, it->second)) {
                        ++changed;
                    }
                }
                step_states.push_back(status_of(step));
            }
            roll_up(model, pipeline::model_rollup(step_states));
            model_states.push_back(status_of(model));
        }
        roll_up(phase, pipeline::phase_rollup(model_states));
    }
    if (changed == 0) return changed;
    if (auto written = core::write_file_atomically(track_json, dump_text(track, 2) + "\n", {}, core::Sync::no); !written) {
        return written.error();
    }
    return changed;
}

}  // namespace tunecap::report
