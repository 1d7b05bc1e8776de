// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Measured facts as JSON: `tunecap analyze --json`, the track files, and the store's track rows.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/facts.hpp"

namespace tunecap::report {

// {"duration_seconds": ..., "loudness": {...} or null, "tempo": {...} or null, "key": {...} or
// null, "onsets_per_second": ..., "brightness_hz": ..., and "truncated": {"decoded_seconds": ...,
// "declared_seconds": ...} when the file ends before its header says}, numbers rounded to what is meaningful
// (0.01 LU, 0.1 BPM, 0.01 confidence, 1 Hz). Parsing it back gives the facts a run uses, so a
// resumed run sees exactly what the first one did.
std::string facts_json(const analysis::Facts& facts);
std::optional<analysis::Facts> parse_facts_json(const std::string& text);

// What a store's track row keeps of a track beyond its file and hash, for resumed runs, metrics and
// exports: its genres and the facts measured of it.
struct TrackInfo {
    std::vector<std::string> genres;
    std::string genre_source;               // cli, info, tags or fallback
    std::optional<analysis::Facts> facts;   // nullopt: not measured
};
// {"genres": [...], "genre_source": ..., "analysis_version": N, "facts": {...} or null}
std::string track_info_json(const TrackInfo& info);
// The info of a track row. Facts measured by another analysis version read as not measured, and a
// row that is not such JSON (an older tunecap's) as empty.
TrackInfo read_track_info(const std::string& info_json);

// One line of `tunecap analyze --json`: {"file": ... (with "file_hex" when not UTF-8, see
// path_json.hpp), then the facts}.
std::string facts_json_line(const std::filesystem::path& file, const analysis::Facts& facts);

}  // namespace tunecap::report
