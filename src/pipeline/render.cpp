// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/render.hpp"

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
    if (phase.genre_hint && config::describe(phase.kind).genre_hint) out.user += "\n\n" + fill_template(config.templates.genre_hint, vars);
    return out;
}

}  // namespace tunecap::pipeline
