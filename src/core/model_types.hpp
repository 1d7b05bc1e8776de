// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The vocabulary shared by config, llm, clean and pipeline for talking about a model: its
// prompt-format family, the request path and sampling values.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tunecap::core {

enum class Family { qwen3, chatml, harmony, granite, qwen2_5_omni, music_flamingo };

inline constexpr std::array<Family, 6> kAllFamilies{Family::qwen3,   Family::chatml,       Family::harmony,
                                                    Family::granite, Family::qwen2_5_omni, Family::music_flamingo};

constexpr std::string_view to_string(Family family) {
    switch (family) {
    case Family::qwen3: return "qwen3";
    case Family::chatml: return "chatml";
    case Family::harmony: return "harmony";
    case Family::granite: return "granite";
    case Family::qwen2_5_omni: return "qwen2.5-omni";
    case Family::music_flamingo: return "music-flamingo";
    }
    return "unknown";
}

constexpr std::optional<Family> parse_family(std::string_view text) {
    for (auto family : kAllFamilies) {
        if (to_string(family) == text) return family;
    }
    return std::nullopt;
}

// chat: POST /v1/chat/completions, the server applies the GGUF's template.
// raw:  POST /completion with a prompt tunecap renders itself (llm/prompt_format.hpp).
enum class RequestPath { chat, raw };

// Unset values fall back to the family's defaults, then to the server's.
struct Sampling {
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<int> top_k;
    std::optional<double> min_p;
    std::optional<double> repeat_penalty;
    std::optional<std::int64_t> seed;
    std::optional<int> max_tokens;
};

}  // namespace tunecap::core
