// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Prompts as the engine sees them: text and audio parts in order. Chat messages are rendered with
// the template of the simulated model family (ChatML, with Qwen3's empty think block when thinking
// is off; Harmony for the harmony style), each input_audio part standing where the media marker
// would be, so "audio first" prompts share a long prefix the slot cache can reuse.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audio.hpp"
#include "settings.hpp"

namespace tunecap::fake_llama_server {

struct PromptPart {
    std::string text;                // used when audio is empty
    std::optional<AudioClip> audio;  // one decoded clip: clip.tokens() prompt tokens
};

struct Prompt {
    std::vector<PromptPart> parts;
    void add_text(std::string text);
    void add_audio(const AudioClip& clip);
    // The prompt as text, each clip shown as `marker`; what /completion echoes as "prompt" and what
    // the request log records.
    std::string text(const std::string& marker) const;
    // Identity of the prompt content (text and audio bytes), the seed of the simulated output.
    std::uint64_t hash() const;
    bool has_audio() const;
    std::vector<double> audio_seconds() const;
    std::vector<std::string> audio_formats() const;  // what each clip's bytes were sniffed as
};

struct TokenizedPrompt {
    std::vector<std::uint64_t> keys;  // one per token; equal content gives equal keys
    std::vector<std::pair<std::size_t, std::size_t>> audio_spans;  // [begin, end) of each clip
    std::size_t audio_tokens = 0;
    std::size_t size() const { return keys.size(); }
};

TokenizedPrompt tokenize(const Prompt& prompt);

struct ChatMessage {
    std::string role;
    Prompt content;
};

struct TemplateOptions {
    OutputStyle style = OutputStyle::plain;
    bool enable_thinking = true;             // chat_template_kwargs.enable_thinking
    std::string reasoning_effort = "medium"; // Harmony system header
    bool add_generation_prompt = true;
};

// A last message with role "assistant" is continued (prefill), not closed.
Prompt render_chat(const std::vector<ChatMessage>& messages, const TemplateOptions& options);

// The Jinja source reported by /props.chat_template for the style's model family.
std::string chat_template_source(OutputStyle style);

}  // namespace tunecap::fake_llama_server
