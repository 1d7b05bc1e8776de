// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text a step sends: the phase's prompt or template with its variables filled in. Pure.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace tunecap::pipeline {

// {name} -> value; {{ and }} are literal braces; unknown names stay as written (the config loader
// has already rejected them).
std::string fill_template(const std::string& text, const std::map<std::string, std::string>& variables);

// Cuts text to at most limit characters at a word boundary (never inside a UTF-8 sequence).
std::string cut_to(const std::string& text, std::size_t limit);

struct UpstreamCaption {
    std::string phase;
    std::string model;
    std::string caption;
};

struct StepText {
    std::string user;           // what the model is asked
    std::size_t input_chars = 0;  // characters of upstream captions in it (for shrinking)
    std::string hint;           // the genres the genre hint named; empty without one
};

// The wrong-hint probe's genres for a track: for each of its genres that names one side of a
// contrast (case-insensitively, whole or as one of its words: "Minimal Techno" is techno), the other
// side, each once and never one the track has. A track with no such genre gets the first genre of
// the list it does not have, so every track is probed.
std::vector<std::string> contrasting_genres(const std::vector<std::string>& genres,
                                            const std::vector<config::GenreContrast>& contrasts);


// audio_caption: the prompt (+ the genre hint); audio_revise/revise: the template with {caption};
// ensemble: the template with {captions}, numbered. Each upstream caption is cut to input_limit.
StepText render_step(const config::Config& config, const config::Phase& phase, const config::Prompt& prompt,
                     const std::map<std::string, std::string>& variables, const std::vector<UpstreamCaption>& inputs,
                     std::optional<std::size_t> input_limit);

}  // namespace tunecap::pipeline
