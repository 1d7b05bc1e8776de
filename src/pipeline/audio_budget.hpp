// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How much of a track's audio a request carries. The server pads audio to 30 s windows and spends
// 750 prompt tokens on every started window, so a slot's context bounds the audio it can take
// besides the text and the answer. Pure.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/audio_format.hpp"
#include "core/result.hpp"

namespace tunecap::pipeline {

struct AudioBudget {
    double max_seconds = 600;
    int slot_context = 0;     // per-slot n_ctx; 0 = unknown, no check
    int reserved_tokens = 0;  // the text of the prompt and the tokens to generate
};

// The budget of a model's audio requests. slot_context is the server's per-slot n_ctx when it is
// running, else what the config gives each slot (ctx, or the default a managed server gets, over
// slots; 0 for an endpoint whose config says nothing). The tokens set aside for the text are those
// of the longest text any of the model's audio steps can send, from the config alone: every prompt
// of a track carries the same audio, and the server reuses it from its cache.
AudioBudget audio_budget(const config::Config& config, const config::Model& model, std::optional<int> slot_context);

// Where the audio of a track with `samples` samples at `sample_rate` is cut: at most max_seconds,
// and what the slot's windows hold together with the reserved tokens. n windows hold strictly less
// than n * 30 s, as a whole 30 s costs one more window of padding. nullopt: the whole track goes.
// An error with the reason when not even one window fits.
core::Result<std::optional<std::size_t>> plan_audio_cut(std::size_t samples, int sample_rate, const AudioBudget& budget);

// Audio as sent: cut where plan_audio_cut says, a length that is an exact multiple of 30 s trimmed
// by 5 ms (the server would otherwise encode a whole window of padding), encoded in `format`.
struct PreparedAudio {
    std::shared_ptr<const std::string> base64;  // the encoded file
    core::AudioFormat format = core::AudioFormat::wav;
    double seconds = 0;
    std::optional<std::size_t> cut_at;  // samples kept when cut
};
core::Result<PreparedAudio> prepare_audio(std::vector<float> samples, int sample_rate, const AudioBudget& budget,
                                          core::AudioFormat format);

// Prompt tokens the server spends on audio of this length: every started 30 s window costs 750.
int audio_prompt_tokens(double seconds);

// The per-slot context the model's longest request needs, for `slots: auto` (placement.hpp): its
// answer (max_tokens), the markup around the text, the longest text any of its steps can send (a
// text step's prompt, template and every caption it reads at the model's max_input_chars, else the
// T5 budget's length), and for a model that hears audio the windows of the longest track, at most
// runtime.max_audio_seconds. From the config alone, bounded above like the audio budget.
int slot_context_needed(const config::Config& config, const config::Model& model, double longest_track_seconds);

}  // namespace tunecap::pipeline
