// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/phase_kind.hpp"

#include <array>
#include <limits>

namespace tunecap::config {
namespace {

constexpr auto kAny = std::numeric_limits<std::size_t>::max();

constexpr std::array kKinds{
    PhaseKindInfo{PhaseKind::audio_caption, "audio_caption", true, true, 0, 0, PhaseText::prompt, true, InputAlignment::none,
                  "the model hears the track and answers the prompt (with the genre hint when asked)"},
    // One input phase: the step revises the caption of its first model for the same prompt.
    PhaseKindInfo{PhaseKind::audio_revise, "audio_revise", true, true, 1, 1, PhaseText::audio_revise_template, true,
                  InputAlignment::same_prompt, "the model hears the track and corrects an upstream caption"},
    PhaseKindInfo{PhaseKind::revise, "revise", false, true, 1, 1, PhaseText::revise_template, true, InputAlignment::same_prompt,
                  "the model revises an upstream caption as text"},
    PhaseKindInfo{PhaseKind::ensemble, "ensemble", false, true, 2, kAny, PhaseText::ensemble_template, false,
                  InputAlignment::same_prompt, "the model merges the captions of several phases for the same prompt"},
    PhaseKindInfo{PhaseKind::template_, "template", false, false, 0, 0, PhaseText::prompt, false, InputAlignment::none,
                  "tunecap fills the prompt's variables itself; no model runs"},
};

}  // namespace

std::span<const PhaseKindInfo> phase_kinds() { return kKinds; }

const PhaseKindInfo& describe(PhaseKind kind) {
    for (const auto& info : kKinds) {
        if (info.kind == kind) return info;
    }
    return kKinds.front();  // unreachable: every enumerator has a row
}

std::string_view to_string(PhaseKind kind) { return describe(kind).name; }

std::optional<PhaseKind> parse_phase_kind(std::string_view text) {
    for (const auto& info : kKinds) {
        if (info.name == text) return info.kind;
    }
    return std::nullopt;
}

}  // namespace tunecap::config
