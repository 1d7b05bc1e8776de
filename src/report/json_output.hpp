// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The JSON outputs of DESIGN.md section 4: <out>/tracks/<track-id>.json and <out>/results.json.
// Files are written to a temporary name and renamed, so a reader never sees half a file.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "pipeline/runner.hpp"
#include "pipeline/track.hpp"

namespace tunecap::report {

struct TrackFailure {
    std::filesystem::path file;
    std::string error;  // the one-line error shown to the user
};

struct RunSummary {
    std::string version;
    std::string started_at;   // ISO 8601 UTC
    std::string finished_at;  // ISO 8601 UTC
    std::filesystem::path out_dir;
    std::filesystem::path config_file;  // empty: built-in default only
    std::vector<std::string> command_line;
    std::vector<pipeline::TrackRecord> tracks;
    std::vector<TrackFailure> failures;
    std::vector<pipeline::ModelLoad> loads;
    std::size_t steps_executed = 0, steps_reused = 0, steps_failed = 0, steps_skipped = 0;
    bool interrupted = false;
    std::string store_error;  // the run stopped because a result could not be stored; empty: it did not
};

std::string track_json(const pipeline::TrackRecord& track);
std::string results_json(const RunSummary& summary, const config::Config& config);

std::filesystem::path track_json_path(const std::filesystem::path& out_dir, const pipeline::TrackRecord& track);

// Stored rows by (track id, key): tracks that send the same request share a key, not a row.
using RowsByTrackAndKey = std::map<std::pair<std::string, std::string>, store::StepRow>;

// Rewrites the status, caption, flags and error of every step of a per-track JSON file that has a
// row in `rows` (after `tunecap clean --results`), and the model and phase statuses they roll up
// to; returns how many steps changed.
core::Result<std::size_t> refresh_captions(const std::filesystem::path& track_json, const RowsByTrackAndKey& rows);

}  // namespace tunecap::report
