// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Measured facts as JSON: `tunecap analyze --json`, the track files, and the store's track rows.

#include <filesystem>
#include <optional>
#include <string>

#include "analysis/facts.hpp"

namespace tunecap::report {

// {"duration_seconds": ..., "loudness": {...} or null, "tempo": {...} or null, "key": {...} or
// null, "onsets_per_second": ..., "brightness_hz": ...}, numbers rounded to what is meaningful
// (0.01 LU, 0.1 BPM, 0.01 confidence, 1 Hz). Parsing it back gives the facts a run uses, so a
// resumed run sees exactly what the first one did.
std::string facts_json(const analysis::Facts& facts);
std::optional<analysis::Facts> parse_facts_json(const std::string& text);

// The facts as a store's track row keeps them: "analysis-<version>" on a line, then their JSON.
std::string stored_facts(const analysis::Facts& facts);
// The facts of a track row; nullopt when it holds none, or only those of another analysis version.
std::optional<analysis::Facts> read_stored_facts(const std::string& info_json);

// One line of `tunecap analyze --json`: {"file": ..., then the facts}.
std::string facts_json_line(const std::filesystem::path& file, const analysis::Facts& facts);

}  // namespace tunecap::report
