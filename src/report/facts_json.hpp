// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Measured facts as JSON, for `tunecap analyze --json` and the track files.

#include <filesystem>
#include <string>

#include "analysis/facts.hpp"

namespace tunecap::report {

// One line: {"file": ..., "duration_seconds": ..., "loudness": {...} or null, "tempo": {...} or
// null, "key": {...} or null, "onsets_per_second": ..., "brightness_hz": ...}. Numbers rounded to
// what is meaningful (0.01 LU, 0.1 BPM, 0.01 confidence, 1 Hz).
std::string facts_json_line(const std::filesystem::path& file, const analysis::Facts& facts);

}  // namespace tunecap::report
