// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Prompt formats per family, for the raw path (POST /completion), and per-family defaults.
// The token layouts are those of the models' own chat templates; tests/llm checks them against the
// templates under tests/data/templates.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model_types.hpp"

namespace tunecap::llm {

struct RenderedPrompt {
    std::string text;
    std::vector<std::string> stops;  // guards; the server also stops at the model's EOG tokens
};

// system: nullopt uses the family's default system prompt (default_system_prompt), "" none at all.
// media_marker: where the audio goes (the server's /props.media_marker), empty for text only.
RenderedPrompt render_raw_prompt(core::Family family, const std::optional<std::string>& system,
                                 std::string_view user, std::string_view media_marker);

// Qwen2.5-Omni: Qwen's documented system prompt; Granite 4.0: IBM's default assistant prompt;
// others none. Overridable per request.
std::optional<std::string> default_system_prompt(core::Family family);

// Which request path a family uses when the config does not say: Harmony and Granite render their
// own prompt (so GPT-OSS can be kept out of its analysis channel), the rest use the GGUF template.
core::RequestPath default_request_path(core::Family family);

// The original benchmark's values (Qwen3 non-thinking: T 0.7, top_p 0.8, top_k 20, min_p 0),
// merged under the config's values: a value set in `configured` wins.
core::Sampling sampling_with_defaults(core::Family family, const core::Sampling& configured);

}  // namespace tunecap::llm
