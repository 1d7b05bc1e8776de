// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/render.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "core/text.hpp"

namespace tunecap::pipeline {

std::string fill_template(const std::string& text, const std::map<std::string, std::string>& variables) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "{{") == 0 || text.compare(i, 2, "}}") == 0) {
            out.push_back(text[i]);
            ++i;
            continue;
        }
        if (text[i] == '{') {
            const auto close = text.find('}', i);
            if (close != std::string::npos) {
                const auto it = variables.find(text.substr(i + 1, close - i - 1));
                if (it != variables.end()) {
                    out += it->second;
                    i = close;
                    continue;
                }
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::string cut_to(const std::string& text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // UTF-8 continuation
    const auto space = text.rfind(' ', end);
    if (space != std::string::npos && space > limit / 2) end = space;
    return std::string(core::trim(std::string_view(text).substr(0, end)));
}

StepText render_step(const config::Config& config, const config::Phase& phase, const config::Prompt& prompt,
                     const std::map<std::string, std::string>& variables, const std::vector<UpstreamCaption>& inputs,
                     std::optional<std::size_t> input_limit) {
    auto vars = variables;
    vars["prompt"] = fill_template(prompt.text, variables);
    StepText out;
    std::vector<std::string> captions;
    for (const auto& input : inputs) {
        captions.push_back(input_limit ? cut_to(input.caption, *input_limit) : input.caption);
        out.input_chars = std::max(out.input_chars, input.caption.size());
    }
    switch (config::describe(phase.kind).text) {
    case config::PhaseText::prompt:
        out.user = vars["prompt"];
        break;
    case config::PhaseText::revise_template:
    case config::PhaseText::audio_revise_template: {
        vars["caption"] = captions.empty() ? "" : captions.front();
        const bool audio = config::describe(phase.kind).text == config::PhaseText::audio_revise_template;
        out.user = fill_template(audio ? config.templates.audio_revise : config.templates.revise, vars);
        break;
    }
    case config::PhaseText::ensemble_template: {
        std::string list;
        for (std::size_t i = 0; i < captions.size(); ++i) list += fmt::format("{}{}. {}", i ? "\n" : "", i + 1, captions[i]);
        vars["captions"] = list;
        out.user = fill_template(config.templates.ensemble, vars);
        break;
    }
    }
    if (phase.genre_hint != config::GenreHint::none && config::describe(phase.kind).genre_hint) {
        out.user += "\n\n" + fill_template(config.templates.genre_hint, vars);
        out.hint = vars["genres"];
    }
    return out;
}

namespace {

// Whether a track's genre names this genre: equal, or one of its words ("Minimal Techno", "techno").
bool names_genre(const std::string& track_genre, const std::string& genre) {
    const auto haystack = core::to_lower_ascii(track_genre);
    const auto needle = core::to_lower_ascii(genre);
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
        const auto end = at + needle.size();
        const bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(haystack[at - 1]));
        const bool ends = end == haystack.size() || !std::isalnum(static_cast<unsigned char>(haystack[end]));
        if (starts && ends) return true;
    }
    return false;
}

bool has_genre(const std::vector<std::string>& genres, const std::string& genre) {
    return std::any_of(genres.begin(), genres.end(), [&](const std::string& g) { return names_genre(g, genre); });
}

}  // namespace

std::vector<std::string> contrasting_genres(const std::vector<std::string>& genres,
                                            const std::vector<config::GenreContrast>& contrasts) {
    std::vector<std::string> out;
    const auto add = [&](const std::string& genre) {
        if (!has_genre(genres, genre) && !has_genre(out, genre)) out.push_back(genre);
    };
    for (const auto& genre : genres) {
        for (const auto& [a, b] : contrasts) {
            if (names_genre(genre, a)) add(b);
            if (names_genre(genre, b)) add(a);
        }
    }
    for (const auto& [a, b] : contrasts) {
        if (!out.empty()) break;
        add(a);
        if (out.empty()) add(b);
    }
    return out;
}

}  // namespace tunecap::pipeline
