// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/facts_text.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/text.hpp"

namespace tunecap::pipeline {
namespace {

// Integrated loudness of commercial masters runs from about -14 LUFS (streaming targets) to -6
// (loud club masters); below -20 is quiet (ambient, classical, film).
constexpr double kLoudLufs = -10;
constexpr double kQuietLufs = -20;
// Spectral centroid of full mixes: under 1.2 kHz sounds dark or warm, over 2.5 kHz bright.
constexpr double kDarkHz = 1200;
constexpr double kBrightHz = 2500;

std::string clock_duration(double seconds) {
    const auto whole = static_cast<long>(std::lround(seconds));
    return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

std::string duration_words(double seconds) {
    if (seconds < 60) return fmt::format("about {} seconds long", std::lround(seconds / 5) * 5);
    const auto minutes = std::lround(seconds / 60);
    return fmt::format("about {} minute{} long", minutes, minutes == 1 ? "" : "s");
}

std::string bpm_words(const analysis::Tempo& tempo) {
    const auto bpm = std::lround(tempo.bpm);
    if (tempo.confidence >= kConfidentTempo) return fmt::format("{}", bpm);
    return fmt::format("about {} (or half or double that)", bpm);
}

bool confident_key(const std::optional<analysis::Facts>& facts) {
    return facts && facts->key && facts->key->confidence >= kConfidentKey;
}

// "loud and bright", "quiet and dark", "bright"; empty when neither stands out.
std::string character(const analysis::Facts& facts) {
    std::vector<std::string> words;
    if (facts.loudness) {
        if (facts.loudness->integrated_lufs >= kLoudLufs) words.emplace_back("loud");
        if (facts.loudness->integrated_lufs <= kQuietLufs) words.emplace_back("quiet");
    }
    if (facts.brightness_hz >= kBrightHz) words.emplace_back("bright");
    if (facts.brightness_hz > 0 && facts.brightness_hz <= kDarkHz) words.emplace_back("dark");
    return core::join(words, " and ");
}

}  // namespace

std::map<std::string, std::string> track_variables(const std::vector<std::string>& genres, double duration_seconds,
                                                   const std::optional<analysis::Facts>& facts) {
    std::map<std::string, std::string> vars = {{"genres", core::join(genres, ", ")},
                                               {"duration", clock_duration(duration_seconds)},
                                               {"bpm", "unknown"},
                                               {"key", "unknown"},
                                               {"mode", "unknown"},
                                               {"loudness", "unknown"},
                                               {"facts", facts_sentence(genres, duration_seconds, facts)}};
    if (facts && facts->tempo) vars["bpm"] = bpm_words(*facts->tempo);
    if (confident_key(facts)) {
        vars["key"] = analysis::key_name(*facts->key);
        vars["mode"] = facts->key->minor ? "minor" : "major";
    }
    if (facts && facts->loudness) vars["loudness"] = fmt::format("{:.0f} LUFS", facts->loudness->integrated_lufs);
    return vars;
}

std::string facts_sentence(const std::vector<std::string>& genres, double duration_seconds,
                           const std::optional<analysis::Facts>& facts) {
    std::string text = "A track";
    if (facts && facts->tempo) {
        const auto bpm = std::lround(facts->tempo->bpm);
        // "An 85 BPM track": eighty, eight hundred, eleven and eighteen start with a vowel sound.
        const auto digits = std::to_string(bpm);
        const bool vowel = digits.starts_with('8') || digits == "11" || digits == "18";
        text = facts->tempo->confidence >= kConfidentTempo
                   ? fmt::format("{} {} BPM track", vowel ? "An" : "A", bpm)
                   : fmt::format("A track of roughly {} BPM (or half or double that)", bpm);
    }
    if (confident_key(facts)) text += " in " + analysis::key_name(*facts->key);
    const bool tagged = !genres.empty() && !(genres.size() == 1 && genres.front() == "Unknown");
    if (tagged) text += ", tagged " + core::join(genres, ", ");
    std::vector<std::string> rest;
    if (facts) {
        if (auto words = character(*facts); !words.empty()) rest.push_back(std::move(words));
    }
    rest.push_back(duration_words(duration_seconds));
    return text + "; " + core::join(rest, ", ") + ".";
}

}  // namespace tunecap::pipeline
