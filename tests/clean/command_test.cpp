// SPDX-License-Identifier: GPL-3.0-or-later
// run_clean_command, the body of `tunecap clean`: stdin -> caption on stdout, flags on stderr,
// exit 0 with a caption and 3 when nothing usable remains.

#include <gtest/gtest.h>

#include <sstream>

#include "clean/clean.hpp"

namespace tunecap::clean {
namespace {

struct CommandRun {
    int code;
    std::string out;
    std::string err;
};

CommandRun run(const std::string& raw, const CleanOptions& options) {
    std::istringstream in(raw);
    std::ostringstream out;
    std::ostringstream err;
    const int code = run_clean_command(in, out, err, options);
    return {code, out.str(), err.str()};
}

TEST(CleanCommand, PrintsCaptionAndFlags) {
    const CommandRun r = run("<think>\nhmm\n</think>\nCaption: A warm \xE2\x80\x9Chouse\xE2\x80\x9D groove.",
                      {Family::qwen3, std::nullopt, nullptr});
    EXPECT_EQ(r.code, kExitCaption);
    EXPECT_EQ(r.out, "A warm \"house\" groove.\n");
    EXPECT_NE(r.err.find("flags: reasoning_removed wrapper_removed characters_folded\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("t5_tokens: "), std::string::npos);
}

TEST(CleanCommand, EmptyInputExitsThree) {
    const CommandRun r = run("", {Family::granite, std::nullopt, nullptr});
    EXPECT_EQ(r.code, kExitNothingUsable);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("flags: empty\n"), std::string::npos) << r.err;
}

TEST(CleanCommand, OnlyMarkupExitsThree) {
    const CommandRun r = run("<|channel|>analysis<|message|><|end|>", {Family::harmony, std::nullopt, nullptr});
    EXPECT_EQ(r.code, kExitNothingUsable);
    EXPECT_NE(r.err.find("no_final_channel"), std::string::npos) << r.err;
}

TEST(CleanCommand, OnlyReasoningExitsThree) {
    // Before: exit 0 with the reasoning as the caption.
    const CommandRun r = run("<think>\nOkay, the user wants me to say.", {Family::qwen3, std::nullopt, nullptr});
    EXPECT_EQ(r.code, kExitNothingUsable);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("flags: reasoning_removed no_answer empty\n"), std::string::npos) << r.err;
}

TEST(CleanCommand, ACutOffOutputLosesItsUnfinishedSentence) {
    CleanOptions options{Family::chatml, std::nullopt, nullptr};
    options.cut_off = true;
    CommandRun r = run("A slow ambient piece. The duration of the", options);
    EXPECT_EQ(r.code, kExitCaption);
    EXPECT_EQ(r.out, "A slow ambient piece.\n");
    EXPECT_NE(r.err.find("cut_off"), std::string::npos) << r.err;
    r = run("The duration of the", options);
    EXPECT_EQ(r.code, kExitNothingUsable);
    EXPECT_EQ(r.out, "");
}

TEST(CleanCommand, ReportsTheFallbackStage) {
    const CommandRun r = run("We need to describe a slow blues shuffle.", {Family::harmony, std::nullopt, nullptr});
    EXPECT_EQ(r.code, kExitCaption);
    EXPECT_EQ(r.out, "We need to describe a slow blues shuffle.\n");
    EXPECT_NE(r.err.find("fallback: lead_in\n"), std::string::npos) << r.err;
}

TEST(CleanCommand, AppliesTheTokenBudget) {
    const CommandRun r = run("A dark techno track. It has a pounding kick and acid lines.",
                      {Family::chatml, 8, nullptr});
    EXPECT_EQ(r.code, kExitCaption);
    EXPECT_EQ(r.out, "A dark techno track.\n");
    EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tunecap::clean
