// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt.hpp"

#include "tokenizer.hpp"

namespace tunecap::fake_llama_server {
namespace {

std::uint64_t mix(std::uint64_t value) {
    value += 0x9E3779B97F4A7C15ULL;
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
    return value ^ (value >> 31);
}

void render_chatml(const std::vector<ChatMessage>& messages, const TemplateOptions& options, Prompt& prompt) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& message = messages[i];
        const bool prefill = i + 1 == messages.size() && message.role == "assistant";
        prompt.add_text("<|im_start|>" + message.role + "\n");
        for (const auto& part : message.content.parts) {
            if (part.audio) prompt.add_audio(*part.audio);
            else prompt.add_text(part.text);
        }
        if (prefill) return;
        prompt.add_text("<|im_end|>\n");
    }
    if (!options.add_generation_prompt) return;
    prompt.add_text("<|im_start|>assistant\n");
    // Qwen3's template tail: thinking off adds an empty think block to the prompt (s2-04).
    if (options.style == OutputStyle::think && !options.enable_thinking) prompt.add_text("<think>\n\n</think>\n\n");
}

void render_harmony(const std::vector<ChatMessage>& messages, const TemplateOptions& options, Prompt& prompt) {
    prompt.add_text(
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\n\nReasoning: " +
        options.reasoning_effort +
        "\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>");
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& message = messages[i];
        const bool prefill = i + 1 == messages.size() && message.role == "assistant";
        if (message.role == "system" || message.role == "developer") {
            prompt.add_text("<|start|>developer<|message|># Instructions\n\n");
        } else if (message.role == "assistant") {
            prompt.add_text("<|start|>assistant<|channel|>final<|message|>");
        } else {
            prompt.add_text("<|start|>" + message.role + "<|message|>");
        }
        for (const auto& part : message.content.parts) {
            if (part.audio) prompt.add_audio(*part.audio);
            else prompt.add_text(part.text);
        }
        if (prefill) return;
        // GPT-OSS's template ends the developer instructions with a blank line.
        if (message.role == "system" || message.role == "developer") prompt.add_text("\n\n");
        prompt.add_text("<|end|>");
    }
    if (options.add_generation_prompt) prompt.add_text("<|start|>assistant");
}

}  // namespace

void Prompt::add_text(std::string text) {
    if (text.empty()) return;
    if (!parts.empty() && !parts.back().audio) {
        parts.back().text += text;
        return;
    }
    parts.push_back(PromptPart{std::move(text), std::nullopt});
}

void Prompt::add_audio(const AudioClip& clip) { parts.push_back(PromptPart{{}, clip}); }

std::string Prompt::text(const std::string& marker) const {
    std::string out;
    for (const auto& part : parts) out += part.audio ? marker : part.text;
    return out;
}

std::uint64_t Prompt::hash() const {
    std::uint64_t hash = 1469598103934665603ULL;
    for (const auto& part : parts) hash = part.audio ? mix(hash ^ part.audio->content_hash) : fnv1a64(part.text, hash);
    return hash;
}

bool Prompt::has_audio() const {
    for (const auto& part : parts) {
        if (part.audio) return true;
    }
    return false;
}

std::vector<double> Prompt::audio_seconds() const {
    std::vector<double> seconds;
    for (const auto& part : parts) {
        if (part.audio) seconds.push_back(part.audio->seconds());
    }
    return seconds;
}

std::vector<std::string> Prompt::audio_formats() const {
    std::vector<std::string> formats;
    for (const auto& part : parts) {
        if (part.audio) formats.emplace_back(to_string(part.audio->format));
    }
    return formats;
}

TokenizedPrompt tokenize(const Prompt& prompt) {
    TokenizedPrompt tokens;
    for (const auto& part : prompt.parts) {
        if (part.audio) {
            const auto begin = tokens.keys.size();
            const auto count = static_cast<std::size_t>(part.audio->tokens());
            for (std::size_t i = 0; i < count; ++i) tokens.keys.push_back(mix(part.audio->content_hash + i));
            tokens.audio_spans.emplace_back(begin, tokens.keys.size());
            tokens.audio_tokens += count;
            continue;
        }
        for (const auto& piece : split_pieces(part.text)) tokens.keys.push_back(token_key(piece));
    }
    return tokens;
}

Prompt render_chat(const std::vector<ChatMessage>& messages, const TemplateOptions& options) {
    Prompt prompt;
    if (options.style == OutputStyle::harmony) render_harmony(messages, options, prompt);
    else render_chatml(messages, options, prompt);
    return prompt;
}

std::string chat_template_source(OutputStyle style) {
    if (style == OutputStyle::harmony) {
        return "{#- fake-llama-server: Harmony (gpt-oss) -#}\n"
               "{{- '<|start|>system<|message|>' }}{{- 'Reasoning: ' + (reasoning_effort | default('medium')) }}{{- '<|end|>' }}\n"
               "{%- for message in messages %}\n"
               "    {{- '<|start|>' + message.role + '<|message|>' + message.content + '<|end|>' }}\n"
               "{%- endfor %}\n"
               "{%- if add_generation_prompt %}{{- '<|start|>assistant' }}{%- endif %}";
    }
    return "{#- fake-llama-server: ChatML (Qwen3 style) -#}\n"
           "{%- for message in messages %}\n"
           "    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
           "{%- endfor %}\n"
           "{%- if add_generation_prompt %}\n"
           "    {{- '<|im_start|>assistant\\n' }}\n"
           "    {%- if enable_thinking is defined and enable_thinking is false %}\n"
           "        {{- '<think>\\n\\n</think>\\n\\n' }}\n"
           "    {%- endif %}\n"
           "{%- endif %}";
}

}  // namespace tunecap::fake_llama_server
