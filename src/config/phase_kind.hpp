// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What each phase kind is, in one table read by config validation, planning and rendering: whether
// the model hears the audio, whether a model runs at all, how many input phases it reads, which
// template asks the model, and how its prompts line up with its inputs.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace tunecap::config {

enum class PhaseKind { audio_caption, audio_revise, revise, ensemble, template_ };

// The text a step of the kind sends: the prompt itself, or one of the config's templates around it.
enum class PhaseText { prompt, revise_template, audio_revise_template, ensemble_template };

// How a step finds its inputs: none, or from every input phase the steps with the same prompt id
// (so every prompt of the phase must be run by each of its input phases).
enum class InputAlignment { none, same_prompt };

struct PhaseKindInfo {
    PhaseKind kind;
    std::string_view name;
    bool audio;  // the model hears the track
    bool model;  // runs on a model; a kind without one is computed by tunecap
    std::size_t min_inputs;
    std::size_t max_inputs;
    PhaseText text;
    bool genre_hint;  // `genre_hint: true` appends the genre_hint template to the text
    InputAlignment alignment;
    std::string_view summary;
};

// Every kind, in declaration order.
std::span<const PhaseKindInfo> phase_kinds();
const PhaseKindInfo& describe(PhaseKind kind);

std::string_view to_string(PhaseKind kind);
std::optional<PhaseKind> parse_phase_kind(std::string_view text);
inline bool uses_audio(PhaseKind kind) { return describe(kind).audio; }
inline bool uses_model(PhaseKind kind) { return describe(kind).model; }

}  // namespace tunecap::config
