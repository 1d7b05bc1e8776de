// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/request_deadline.hpp"

#include <cmath>

#include "pipeline/audio_budget.hpp"

namespace tunecap::pipeline {

std::size_t estimated_prompt_tokens(const RequestWork& work) {
    const auto text = (work.prompt_chars + kCharsPerToken - 1) / kCharsPerToken;
    const auto audio = work.audio_seconds > 0 ? static_cast<std::size_t>(audio_prompt_tokens(work.audio_seconds)) : 0;
    return text + audio;
}

std::chrono::milliseconds request_deadline(const RequestWork& work, const config::RequestDeadline& speeds) {
    const double generated = work.max_tokens > 0 ? work.max_tokens : kUnsetMaxTokens;
    const double seconds = speeds.allowance_s + static_cast<double>(estimated_prompt_tokens(work)) / speeds.prefill_tps +
                           generated / speeds.decode_tps;
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}

}  // namespace tunecap::pipeline
