// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Measured facts in words, for prompts ({bpm}, {key}, {mode}, {loudness}, {duration}, {facts}) and
// for the caption a `template` phase writes with no model. Pure.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/facts.hpp"

namespace tunecap::pipeline {

// Below these confidences a fact is stated with a hedge (tempo) or not at all (key).
inline constexpr double kConfidentTempo = 0.6;
inline constexpr double kConfidentKey = 0.6;

// The template variables of a track: genres, duration, and the facts, "unknown" where not measured.
std::map<std::string, std::string> track_variables(const std::vector<std::string>& genres, double duration_seconds,
                                                   const std::optional<analysis::Facts>& facts);

// "A 128 BPM track in A minor, tagged Techno, Minimal; loud and bright, about 3 minutes long."
// States the key only when it is confident, hedges a tempo that is not, and leaves out what was
// not measured.
std::string facts_sentence(const std::vector<std::string>& genres, double duration_seconds,
                           const std::optional<analysis::Facts>& facts);

}  // namespace tunecap::pipeline
