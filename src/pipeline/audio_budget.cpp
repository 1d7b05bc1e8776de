// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/audio_budget.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "audio/audio.hpp"
#include "core/base64.hpp"
#include "llm/prompt_format.hpp"

namespace tunecap::pipeline {
namespace {

constexpr int kWindowTokens = 750;  // prompt tokens per started 30 s window of audio
constexpr int kWindowSeconds = 30;
constexpr int kPaddingTrimSamples = 80;  // 5 ms at 16 kHz: enough to leave an exact multiple of 30 s
// What surrounds the user text: system prompt, role markup, the audio markers.
constexpr int kPromptOverheadTokens = 128;
// The user text of an audio step: a prompt of a few hundred characters, or an audio_revise
// template around a caption of at most the T5 budget; about 1,500 characters of English.
constexpr int kTextAllowanceTokens = 512;
// The answer when the model's sampling sets no max_tokens.
constexpr int kDefaultAnswerTokens = 256;

}  // namespace

AudioBudget audio_budget(const config::Config& config, const config::Model& model, std::optional<int> slot_context) {
    AudioBudget budget;
    budget.max_seconds = config.runtime.max_audio_seconds;
    if (slot_context) {
        budget.slot_context = *slot_context;
    } else if (model.ctx) {
        budget.slot_context = *model.ctx / std::max(1, model.slots.value_or(1));
    }
    const auto sampling = llm::sampling_with_defaults(model.family, model.sampling);
    budget.reserved_tokens = kPromptOverheadTokens + kTextAllowanceTokens + sampling.max_tokens.value_or(kDefaultAnswerTokens);
    return budget;
}

core::Result<std::optional<std::size_t>> plan_audio_cut(std::size_t samples, int sample_rate, const AudioBudget& budget) {
    const auto window = static_cast<std::size_t>(kWindowSeconds) * static_cast<std::size_t>(sample_rate);
    std::size_t keep = std::min(samples, static_cast<std::size_t>(budget.max_seconds * sample_rate));
    if (budget.slot_context > 0) {
        const int windows = (budget.slot_context - budget.reserved_tokens) / kWindowTokens;
        if (windows < 1) {
            return core::Error{fmt::format("audio needs at least {} prompt tokens besides {} for the text and the answer, but "
                                           "a slot of this server holds {}; raise the model's ctx or lower its slots",
                                           kWindowTokens, budget.reserved_tokens, budget.slot_context)};
        }
        keep = std::min(keep, static_cast<std::size_t>(windows) * window - kPaddingTrimSamples);
    }
    if (keep < samples) return std::optional<std::size_t>(keep);
    return std::optional<std::size_t>();
}

core::Result<PreparedAudio> prepare_audio(std::vector<float> samples, int sample_rate, const AudioBudget& budget) {
    auto cut = plan_audio_cut(samples.size(), sample_rate, budget);
    if (!cut) return cut.error();
    PreparedAudio out;
    out.cut_at = *cut;
    if (out.cut_at) samples.resize(*out.cut_at);
    const auto window = static_cast<std::size_t>(kWindowSeconds) * static_cast<std::size_t>(sample_rate);
    if (!samples.empty() && samples.size() % window == 0) samples.resize(samples.size() - kPaddingTrimSamples);
    out.seconds = static_cast<double>(samples.size()) / sample_rate;
    const auto wav = audio::encode_wav_pcm16(samples, sample_rate);
    out.wav_base64 = std::make_shared<const std::string>(core::base64_encode(wav));
    return out;
}

int audio_prompt_tokens(double seconds) {
    return (static_cast<int>(seconds / kWindowSeconds) + 1) * kWindowTokens;
}

}  // namespace tunecap::pipeline
