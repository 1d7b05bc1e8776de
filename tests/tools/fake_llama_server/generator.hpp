// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the simulated model writes: a plausible one- or two-sentence music caption assembled from
// word lists, chosen by a hash of (seed, prompt content), so the same request gives the same text
// on any slot (like the real server) and different prompts or tracks give different captions.
// The output style (FAKE_LLAMA_STYLE) wraps it the way real model families do, so tunecap's
// cleaning and reasoning handling can be exercised.

#include <cstdint>
#include <string>
#include <string_view>

#include "settings.hpp"

namespace tunecap::fake_llama_server {

struct Composition {
    std::string thought;  // what a reasoning model would think first
    std::string caption;
};

// `prompt_text` is only scanned for a genre name (a genre hint in the prompt is honoured).
Composition compose(std::uint64_t seed, std::uint64_t prompt_hash, std::string_view prompt_text);

// More caption sentences, for generation that goes on past the natural end (ignore_eos).
std::string filler(std::uint64_t seed, std::uint64_t prompt_hash, int round);

// The raw text the model generates after `prompt` (the rendered chat prompt or the raw /completion
// prompt): think style opens a <think> block unless the prompt already closed an empty one (or
// says /no_think); harmony writes an analysis message then the final one unless the prompt ends
// with the final-channel prefill; wrapper adds a "Here is the caption:" wrapper.
std::string raw_output(OutputStyle style, const Composition& composition, std::string_view prompt);

struct ParsedOutput {
    std::string reasoning;
    std::string content;
};

// The server-side reasoning parser (--jinja and reasoning_format other than none): think blocks
// and the Harmony analysis channel go to reasoning_content. `final` trims both ends like the
// non-streaming reply; streaming parses partial text and trims only the start.
ParsedOutput parse_reasoning(OutputStyle style, std::string_view raw, bool final);

}  // namespace tunecap::fake_llama_server
