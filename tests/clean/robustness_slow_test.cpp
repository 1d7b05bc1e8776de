// SPDX-License-Identifier: GPL-3.0-or-later
// Long inputs: the caption contract on 64 KiB of each troublesome pattern, every family. Pure, but
// over ten seconds under the sanitizers, hence its own slow program.

#include <gtest/gtest.h>

#include <string>

#include "clean/clean.hpp"
#include "invariants.hpp"

namespace tunecap::clean {
namespace {

TEST(Robustness, LongRepetitiveInputsAreFixedPoints) {
    // Each pattern repeated to 64 KiB: rules that peel one layer per pass, or that rescan the whole
    // text per match, show up here as a broken fixed point or a slow test.
    constexpr std::size_t kSize = 64 * 1024;
    for (const std::string pattern :
         {"(note) ", "Let me know. ", "[[", "<think>", "</think>", "<|im_start|>", "<|channel|>",
          "We need x. ", "Caption: ", "\"", "((", "a\n", "- ", "# ", "...", "user\n",
          "assistantfinal", "Sure! ", "Here is the caption: ", "**", "(Note: x)\n", "```\n"}) {
        std::string raw;
        while (raw.size() < kSize) raw += pattern;
        for (Family family : kAllFamilies) {
            const CleanOptions options{family, 64, nullptr};
            testing::expect_contract(clean_caption(raw, options), options, pattern);
        }
    }
}

TEST(Robustness, TheBudgetHoldsForAFiveMegabyteWord) {
    // Before: a single word was kept whole whatever the budget.
    const std::string raw = "A " + std::string(5 * 1024 * 1024, 'x') + " track.";
    for (const int budget : {3, 16, 64}) {
        const CleanOptions options{Family::qwen3, budget, nullptr};
        const CleanResult result = clean_caption(raw, options);
        EXPECT_LE(result.t5_tokens, budget);
        EXPECT_TRUE(result.usable());
        testing::expect_contract(result, options, "budget " + std::to_string(budget));
    }
}

}  // namespace
}  // namespace tunecap::clean
