// SPDX-License-Identifier: GPL-3.0-or-later
// The two token limits: the model's (an output cut by max_tokens, CleanOptions::cut_off) and the
// text encoder's (max_t5_tokens, a promise whatever the input).

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "clean/clean.hpp"
#include "invariants.hpp"

namespace tunecap::clean {
namespace {

using enum Flag;

CleanOptions cut(Family family) {
    CleanOptions options;
    options.family = family;
    options.cut_off = true;
    return options;
}

struct CutCase {
    std::string_view name;
    Family family;
    std::string_view raw;
    std::string_view expected;
    std::vector<Flag> flags;
    std::vector<Flag> absent;
};

// clang-format off
const std::vector<CutCase> kCutCases = {
    {"half_sentence_dropped", Family::qwen3,
     "A slow ambient piece with long pads. The duration of the",
     "A slow ambient piece with long pads.", {cut_off}, {}},
    {"only_a_half_sentence_is_empty", Family::chatml, "The duration of the", "", {cut_off, empty}, {no_answer}},
    {"cut_inside_a_list", Family::music_flamingo, "- Rolling bassline\n- Acid leads\n- Psych",
     "Rolling bassline. Acid leads.", {cut_off}, {}},
    {"abbreviation_is_not_a_sentence_end", Family::harmony,
     "A pulsing trance anthem (approx. 138 BPM). It builds to a",
     "A pulsing trance anthem (approx. 138 BPM).", {cut_off}, {}},
    {"open_parenthesis_dropped", Family::granite,
     "A dark techno track. It has a pounding kick (with a long. Tail and",
     "A dark techno track. It has a pounding kick.", {cut_off}, {}},
    {"cut_in_harmony_final", Family::harmony,
     "<|channel|>analysis<|message|>We need to. Keep it short.<|end|><|start|>assistant<|channel|>final"
     "<|message|>A warm techno track. With a rolling",
     "A warm techno track.", {cut_off, reasoning_removed}, {no_answer}},
    {"cut_in_json", Family::qwen3, "{\"caption\": \"A warm track. It has a rol",
     "A warm track.", {cut_off, json_unwrapped}, {}},
    {"complete_answer_at_the_limit", Family::qwen2_5_omni, "A warm track with pads.",
     "A warm track with pads.", {}, {cut_off}},
    // The limit cut a run-on after a complete answer, not the answer.
    {"cut_in_think_after_answer", Family::qwen3, "A warm soul ballad\n<think>\nNow I should",
     "A warm soul ballad.", {reasoning_removed}, {cut_off}},
    {"cut_in_turn_after_answer", Family::chatml, "A twinkly music box lullaby<|im_end|>\n<|im_start|>user\nMake it",
     "A twinkly music box lullaby.", {}, {cut_off}},
    // The limit cut the reasoning: there is no answer at all.
    {"cut_in_think", Family::qwen3, "<think>\nOkay, the user wants me to say", "",
     {no_answer, reasoning_removed, empty}, {cut_off}},
};
// clang-format on

TEST(CutOff, TheUnfinishedSentenceIsDropped) {
    for (const CutCase& c : kCutCases) {
        SCOPED_TRACE(c.name);
        const CleanOptions options = cut(c.family);
        const CleanResult result = clean_caption(c.raw, options);
        EXPECT_EQ(result.caption, c.expected);
        for (Flag flag : c.flags) EXPECT_TRUE(result.has(flag)) << "missing flag " << to_string(flag);
        for (Flag flag : c.absent) EXPECT_FALSE(result.has(flag)) << "unexpected flag " << to_string(flag);
        testing::expect_contract(result, options, c.name);
    }
}

TEST(CutOff, WithoutTheFinishReasonTheTextIsTakenAsComplete) {
    const CleanResult result = clean_caption("A slow ambient piece. The duration of the", {Family::qwen3, std::nullopt, nullptr});
    EXPECT_EQ(result.caption, "A slow ambient piece. The duration of the.");
    EXPECT_FALSE(result.has(cut_off));
}

TEST(CutOff, OnlyTheLengthFinishReasonCuts) {
    EXPECT_TRUE(is_cut_off("length"));
    EXPECT_FALSE(is_cut_off("stop"));
    EXPECT_FALSE(is_cut_off(""));
}

int budget_of(const CleanOptions& options) { return *options.max_t5_tokens; }

TEST(Budget, NestedBracketsFit) {
    // Before: 2,000 nested brackets around a word were one "word" and kept whole (2,003 tokens).
    const std::string raw = std::string(2000, '(') + "x" + std::string(2000, ')');
    for (Family family : kAllFamilies) {
        const CleanOptions options{family, 20, nullptr};
        const CleanResult result = clean_caption(raw, options);
        EXPECT_LE(result.t5_tokens, budget_of(options)) << to_string(family);
        EXPECT_EQ(result.caption, "X.");
        EXPECT_TRUE(result.has(truncated));
        testing::expect_contract(result, options, to_string(family));
    }
}

TEST(Budget, AWordLongerThanTheBudgetIsCutInside) {
    // Before: a single word of any length was kept whole.
    const std::string raw = "Synth" + std::string(100 * 1024, 'o') + " and more.";
    const CleanOptions options{Family::chatml, 16, nullptr};
    const CleanResult result = clean_caption(raw, options);
    EXPECT_LE(result.t5_tokens, 16);
    EXPECT_EQ(result.caption.rfind("Synthooo", 0), 0u) << result.caption;
    testing::expect_contract(result, options, "long word");
}

TEST(Budget, RunsOfMarksFit) {
    for (const std::string& raw : {"x" + std::string(5000, '&'), std::string(3000, '"') + "a" + std::string(3000, '"'),
                                  "A (" + std::string(4000, '[') + "dark" + std::string(4000, ']') + ") track."}) {
        const CleanOptions options{Family::qwen3, 12, nullptr};
        const CleanResult result = clean_caption(raw, options);
        EXPECT_LE(result.t5_tokens, 12) << result.caption;
        testing::expect_contract(result, options, raw.substr(0, 10));
    }
}

TEST(Budget, TooSmallForAnyCaptionLeavesNothing) {
    // "A." alone counts three estimated tokens (a piece, the period, end of sequence).
    for (const int budget : {1, 2}) {
        const CleanOptions options{Family::chatml, budget, nullptr};
        const CleanResult result = clean_caption("A warm track.", options);
        EXPECT_EQ(result.caption, "");
        EXPECT_EQ(result.t5_tokens, 0);
        EXPECT_TRUE(result.has(truncated));
        EXPECT_FALSE(result.has(no_answer));
    }
}

}  // namespace
}  // namespace tunecap::clean
