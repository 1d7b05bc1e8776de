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
// The answer when the model's sampling sets no max_tokens.
constexpr int kDefaultAnswerTokens = 256;
// English runs about 4 characters a token; 3 errs on the side of the text fitting.
constexpr std::size_t kCharsPerToken = 3;
// Room for the track's genres in a genre hint.
constexpr std::size_t kGenresChars = 200;
// A caption read by audio_revise when neither max_input_chars nor a T5 budget bounds it.
constexpr std::size_t kUnboundedCaptionChars = 2000;
// Characters a T5 token stands for in a cleaned caption, at the most.
constexpr std::size_t kCharsPerT5Token = 5;

std::size_t caption_chars(const config::Config& config, const config::Model& model) {
    if (model.max_input_chars) return static_cast<std::size_t>(*model.max_input_chars);
    if (config.cleaning.max_t5_tokens) return static_cast<std::size_t>(*config.cleaning.max_t5_tokens) * kCharsPerT5Token;
    return kUnboundedCaptionChars;
}

// The longest user text any audio step of the model can send, in tokens: its prompt, the genre
// hint with room for the genres, and for audio_revise the template around a caption. From the
// config alone, so every prompt of a track carries the same audio and a run plans what it sends.
int longest_audio_text_tokens(const config::Config& config, const config::Model& model) {
    std::size_t longest = 0;
    for (const auto& phase : config.phases) {
        if (!config::uses_audio(phase.kind) || std::find(phase.models.begin(), phase.models.end(), model.name) == phase.models.end()) {
            continue;
        }
        for (const auto& id : phase.prompts) {
            std::size_t chars = config.find_prompt(id)->text.size();
            if (phase.genre_hint != config::GenreHint::none) chars += config.templates.genre_hint.size() + kGenresChars;
            if (config::describe(phase.kind).text == config::PhaseText::audio_revise_template) {
                chars += config.templates.audio_revise.size() + caption_chars(config, model);
            }
            longest = std::max(longest, chars);
        }
    }
    return static_cast<int>(longest / kCharsPerToken + 1);
}

// The longest text any text-only step of the model can send, in tokens: the prompt, the template
// around it and every caption it reads (one per model of each input phase).
int longest_text_step_tokens(const config::Config& config, const config::Model& model) {
    std::size_t longest = 0;
    for (const auto& phase : config.phases) {
        if (!config::uses_model(phase.kind) || config::uses_audio(phase.kind) ||
            std::find(phase.models.begin(), phase.models.end(), model.name) == phase.models.end()) {
            continue;
        }
        std::size_t captions = 0;
        for (const auto& input : phase.inputs) captions += config.find_phase(input)->models.size();
        std::size_t around = 0;
        switch (config::describe(phase.kind).text) {
        case config::PhaseText::revise_template: around = config.templates.revise.size(); break;
        case config::PhaseText::ensemble_template: around = config.templates.ensemble.size(); break;
        default: break;
        }
        for (const auto& id : phase.prompts) {
            std::size_t chars = config.find_prompt(id)->text.size() + around + captions * caption_chars(config, model);
            if (phase.genre_hint != config::GenreHint::none) chars += config.templates.genre_hint.size() + kGenresChars;
            longest = std::max(longest, chars);
        }
    }
    return static_cast<int>(longest / kCharsPerToken + 1);
}

}  // namespace

AudioBudget audio_budget(const config::Config& config, const config::Model& model, std::optional<int> slot_context) {
    AudioBudget budget;
    budget.max_seconds = config.runtime.max_audio_seconds;
    if (slot_context) {
        budget.slot_context = *slot_context;
    } else if (model.ctx || !model.external()) {
        // What tunecap gives a managed server; an endpoint's context is known only from its config.
        budget.slot_context = model.ctx.value_or(config::kDefaultContext) / std::max(1, model.slots.value_or(1));
    }
    const auto sampling = llm::sampling_with_defaults(model.family, model.sampling);
    budget.reserved_tokens = kPromptOverheadTokens + longest_audio_text_tokens(config, model) +
                             sampling.max_tokens.value_or(kDefaultAnswerTokens);
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

core::Result<PreparedAudio> prepare_audio(std::vector<float> samples, int sample_rate, const AudioBudget& budget,
                                          core::AudioFormat format) {
    auto cut = plan_audio_cut(samples.size(), sample_rate, budget);
    if (!cut) return cut.error();
    PreparedAudio out;
    out.cut_at = *cut;
    if (out.cut_at) samples.resize(*out.cut_at);
    const auto window = static_cast<std::size_t>(kWindowSeconds) * static_cast<std::size_t>(sample_rate);
    if (!samples.empty() && samples.size() % window == 0) samples.resize(samples.size() - kPaddingTrimSamples);
    out.seconds = static_cast<double>(samples.size()) / sample_rate;
    const auto encoded = audio::encode_audio(samples, sample_rate, format);
    if (!encoded) return encoded.error();
    out.base64 = std::make_shared<const std::string>(core::base64_encode(encoded.value()));
    out.format = format;
    return out;
}

int audio_prompt_tokens(double seconds) {
    return (static_cast<int>(seconds / kWindowSeconds) + 1) * kWindowTokens;
}

int slot_context_needed(const config::Config& config, const config::Model& model, double longest_track_seconds) {
    const auto sampling = llm::sampling_with_defaults(model.family, model.sampling);
    const int answer = sampling.max_tokens.value_or(kDefaultAnswerTokens);
    int text = kPromptOverheadTokens + longest_text_step_tokens(config, model) + answer;
    const bool hears = std::any_of(config.phases.begin(), config.phases.end(), [&](const config::Phase& phase) {
        return config::uses_audio(phase.kind) && std::find(phase.models.begin(), phase.models.end(), model.name) != phase.models.end();
    });
    if (!hears) return text;
    const double seconds = std::clamp(longest_track_seconds, 0.0, config.runtime.max_audio_seconds);
    const int audio = kPromptOverheadTokens + longest_audio_text_tokens(config, model) + answer + audio_prompt_tokens(seconds);
    return std::max(text, audio);
}

}  // namespace tunecap::pipeline
