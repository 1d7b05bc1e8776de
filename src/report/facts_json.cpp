// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/facts_json.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tunecap::report {
namespace {

using nlohmann::ordered_json;

double rounded(double value, double step) { return std::isfinite(value) ? std::round(value / step) * step : 0; }

}  // namespace

std::string facts_json_line(const std::filesystem::path& file, const analysis::Facts& facts) {
    ordered_json out = {{"file", file.string()},
                        {"duration_seconds", rounded(facts.duration_seconds, 0.01)},
                        {"sample_rate", facts.sample_rate},
                        {"channels", facts.channels}};
    out["loudness"] = nullptr;
    if (facts.loudness) {
        out["loudness"] = {{"integrated_lufs", rounded(facts.loudness->integrated_lufs, 0.01)},
                           {"range_lu", rounded(facts.loudness->range_lu, 0.01)},
                           {"true_peak_dbtp", rounded(facts.loudness->true_peak_dbtp, 0.01)}};
    }
    out["tempo"] = nullptr;
    if (facts.tempo) {
        out["tempo"] = {{"bpm", rounded(facts.tempo->bpm, 0.1)}, {"confidence", rounded(facts.tempo->confidence, 0.01)}};
    }
    out["key"] = nullptr;
    if (facts.key) {
        const auto name = analysis::key_name(*facts.key);
        out["key"] = {{"name", name},
                      {"tonic", name.substr(0, name.find(' '))},
                      {"mode", facts.key->minor ? "minor" : "major"},
                      {"confidence", rounded(facts.key->confidence, 0.01)}};
    }
    out["onsets_per_second"] = rounded(facts.onsets_per_second, 0.01);
    out["brightness_hz"] = rounded(facts.brightness_hz, 1);
    return out.dump();
}

}  // namespace tunecap::report
