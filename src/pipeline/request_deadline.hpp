// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How long a request may take before its server counts as hung: its expected work (prompt tokens
// and the tokens it may generate) at the floor speeds of runtime.request_deadline, plus a fixed
// allowance. The speeds are far below any working server's, so only a server that stopped working
// reaches the deadline (configs/default.yaml gives the figures and why). Pure.

#include <chrono>
#include <cstddef>

#include "config/config.hpp"

namespace tunecap::pipeline {

struct RequestWork {
    std::size_t prompt_chars = 0;  // the system prompt and the user text, as sent
    double audio_seconds = 0;      // 0: no audio
    int max_tokens = 0;            // 0: not set (the server may generate until its context is full)
};

// Prompt tokens from characters: English text averages about 4 characters a token in the models'
// tokenizers; 3 counts more tokens than that, so the deadline errs long.
inline constexpr std::size_t kCharsPerToken = 3;
// A request without max_tokens is given this many: more than any caption needs.
inline constexpr int kUnsetMaxTokens = 2048;

// Prompt tokens: the text's estimate and 750 per started 30 s window of audio.
std::size_t estimated_prompt_tokens(const RequestWork& work);

std::chrono::milliseconds request_deadline(const RequestWork& work, const config::RequestDeadline& speeds);

}  // namespace tunecap::pipeline
