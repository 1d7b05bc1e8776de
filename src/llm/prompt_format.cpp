// SPDX-License-Identifier: GPL-3.0-or-later
#include "llm/prompt_format.hpp"

namespace tunecap::llm {
namespace {

using core::Family;

constexpr std::string_view kQwenOmniSystem =
    "You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of perceiving auditory "
    "and visual inputs, as well as generating text and speech.";
constexpr std::string_view kGraniteSystem =
    "You are a helpful assistant. Please ensure responses are professional, accurate, and safe.";

// Harmony system header. The "Current date" line of OpenAI's template is left out on purpose: it
// would change the rendered prompt, and with it every stored step's key, each day.
constexpr std::string_view kHarmonySystem =
    "You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n\n"
    "Reasoning: low\n\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.";

std::string chatml(const std::optional<std::string>& system, std::string_view user) {
    std::string out;
    if (system && !system->empty()) out += "<|im_start|>system\n" + *system + "<|im_end|>\n";
    out += "<|im_start|>user\n";
    out += user;
    out += "<|im_end|>\n<|im_start|>assistant\n";
    return out;
}

}  // namespace

std::optional<std::string> default_system_prompt(Family family) {
    switch (family) {
    case Family::qwen2_5_omni: return std::string(kQwenOmniSystem);
    case Family::granite: return std::string(kGraniteSystem);
    default: return std::nullopt;
    }
}

RenderedPrompt render_raw_prompt(Family family, const std::optional<std::string>& system_override,
                                 std::string_view user, std::string_view media_marker) {
    const auto system = system_override ? system_override : default_system_prompt(family);
    std::string content;
    switch (family) {
    case Family::music_flamingo:
        // The audio goes first and on its own line; mtmd adds the <sound> token itself.
        content = media_marker.empty() ? std::string(user) : std::string(media_marker) + "\n" + std::string(user);
        break;
    default:
        content = std::string(media_marker) + std::string(user);
        break;
    }
    switch (family) {
    case Family::chatml:
    case Family::qwen2_5_omni:
    case Family::music_flamingo:
        return {chatml(system, content), {"<|im_end|>"}};
    case Family::qwen3:
        // Thinking off, exactly as Qwen3's template renders enable_thinking=false.
        return {chatml(system, content) + "<think>\n\n</think>\n\n", {"<|im_end|>"}};
    case Family::harmony: {
        std::string out = "<|start|>system<|message|>" + std::string(kHarmonySystem) + "<|end|>";
        // As GPT-OSS's template writes them: the instructions end with a blank line.
        if (system && !system->empty()) out += "<|start|>developer<|message|># Instructions\n\n" + *system + "\n\n<|end|>";
        out += "<|start|>user<|message|>" + content + "<|end|>";
        // Prefill the final channel so the answer is the caption, not the analysis.
        out += "<|start|>assistant<|channel|>final<|message|>";
        return {out, {"<|return|>", "<|end|>"}};
    }
    case Family::granite: {
        std::string out;
        if (system && !system->empty()) out += "<|start_of_role|>system<|end_of_role|>" + *system + "<|end_of_text|>\n";
        out += "<|start_of_role|>user<|end_of_role|>" + content + "<|end_of_text|>\n";
        out += "<|start_of_role|>assistant<|end_of_role|>";
        return {out, {"<|end_of_text|>"}};
    }
    }
    return {chatml(system, content), {"<|im_end|>"}};
}

core::RequestPath default_request_path(Family family) {
    return (family == Family::harmony || family == Family::granite) ? core::RequestPath::raw : core::RequestPath::chat;
}

core::Sampling sampling_with_defaults(Family family, const core::Sampling& configured) {
    core::Sampling defaults;
    switch (family) {
    case Family::qwen3:
        defaults = {0.7, 0.8, 20, 0.0, std::nullopt, std::nullopt, 256};
        break;
    case Family::harmony:
        defaults = {1.0, 1.0, 0, 0.0, std::nullopt, std::nullopt, 256};
        break;
    case Family::granite:
        defaults = {0.0, 1.0, 0, 0.0, std::nullopt, std::nullopt, 256};
        break;
    case Family::chatml:
    case Family::qwen2_5_omni:
    case Family::music_flamingo:
        defaults = {0.7, 0.8, 20, 0.05, 1.05, std::nullopt, 256};
        break;
    }
    auto pick = [](const auto& mine, const auto& fallback) { return mine ? mine : fallback; };
    return {pick(configured.temperature, defaults.temperature), pick(configured.top_p, defaults.top_p),
            pick(configured.top_k, defaults.top_k),             pick(configured.min_p, defaults.min_p),
            pick(configured.repeat_penalty, defaults.repeat_penalty), pick(configured.seed, defaults.seed),
            pick(configured.max_tokens, defaults.max_tokens)};
}

}  // namespace tunecap::llm
