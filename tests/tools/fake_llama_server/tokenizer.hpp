// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A deterministic stand-in for a BPE tokenizer, close enough in counts to GPT-2/Qwen on English
// (the recordings: "hello " x 3000 = 3000 tokens, "The quick brown fox" = 4):
//   - special tokens `<|name|>`, `<think>`, `</think>` are one token each;
//   - a word (ASCII letters and any non-ASCII bytes) with at most one leading space is one token;
//   - digits go in groups of up to three, with at most one leading space;
//   - a run of other punctuation, with at most one leading space, is one token;
//   - a run of newlines/tabs is one token; extra spaces before a word form their own token.
// Token ids are stable hashes (special tokens have fixed ids); prompt-cache comparisons use 64-bit
// keys of the pieces, so equal text gives equal keys in every process.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tunecap::fake_llama_server {

std::vector<std::string> split_pieces(std::string_view text);
std::int32_t token_id(std::string_view piece);
std::uint64_t token_key(std::string_view piece);
std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = 14695981039346656037ULL);

}  // namespace tunecap::fake_llama_server
