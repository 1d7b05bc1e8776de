// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap clean` on the command line: stdin to stdout, flags on stderr, exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <utility>

#include "run_binary.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

using ::testing::HasSubstr;

Outcome clean_text(const TempDir& temp, const std::string& raw, const std::vector<std::string>& args) {
    const auto input = temp / "raw.txt";
    std::ofstream(input) << raw;
    std::string command = std::string(kRunDeadline) + " env";
    for (const auto& assignment : pinned_environment(temp.path())) command += " " + shell_quote(assignment);
    command += " " + shell_quote(TUNECAP_BINARY) + " clean";
    for (const auto& arg : args) command += " " + shell_quote(arg);
    command += " <" + shell_quote(input.string()) + " >" + shell_quote((temp / "out.txt").string()) + " 2>" +
               shell_quote((temp / "err.txt").string());
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(temp / "out.txt"), read_text(temp / "err.txt")};
}

TEST(CleanCommand, HarmonyOutputBecomesTheFinalChannelCaption) {
    TempDir temp;
    const auto outcome = clean_text(
        temp, "<|channel|>analysis<|message|>We need to revise.<|end|><|start|>assistant<|channel|>final<|message|>A warm dub track.<|return|>",
        {"--family", "harmony"});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(outcome.out, "A warm dub track.\n");
    EXPECT_THAT(outcome.err, HasSubstr("reasoning_removed"));
}

TEST(CleanCommand, NothingUsableExitsThree) {
    TempDir temp;
    const auto outcome = clean_text(temp, "...\n???\n", {"--family", "chatml"});
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_THAT(outcome.err, HasSubstr("empty"));
}

TEST(CleanCommand, BudgetAndBadArguments) {
    TempDir temp;
    auto outcome = clean_text(temp, "First sentence here. Second sentence is longer than the first one.",
                              {"--family", "qwen3", "--max-t5-tokens", "6"});
    EXPECT_EQ(outcome.exit_code, 0);
    EXPECT_EQ(outcome.out, "First sentence here.\n");
    EXPECT_THAT(outcome.err, HasSubstr("truncated"));
    outcome = clean_text(temp, "x", {"--family", "qwen4"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("--family qwen4: unknown"));
    outcome = clean_text(temp, "x", {"--max-t5-tokens", "zero"});
    EXPECT_EQ(outcome.exit_code, 2);
}

TEST(CleanCommand, OnlyReasoningExitsThree) {
    // Before: exit 0 with the reasoning as the caption ("Okay, the user wants me to say.").
    TempDir temp;
    const auto outcome = clean_text(temp, "<think>\nOkay, the user wants me to say.", {"--family", "qwen3"});
    EXPECT_EQ(outcome.exit_code, 3);
    EXPECT_EQ(outcome.out, "");
    EXPECT_THAT(outcome.err, HasSubstr("no_answer"));
}

TEST(CleanCommand, FinishReasonLengthDropsTheUnfinishedSentence) {
    TempDir temp;
    const std::string raw = "A slow ambient piece with long pads. The duration of the";
    auto outcome = clean_text(temp, raw, {"--family", "qwen3", "--finish-reason", "length"});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(outcome.out, "A slow ambient piece with long pads.\n");
    EXPECT_THAT(outcome.err, HasSubstr("cut_off"));
    outcome = clean_text(temp, raw, {"--family", "qwen3", "--finish-reason", "stop"});
    EXPECT_EQ(outcome.out, "A slow ambient piece with long pads. The duration of the.\n");
}

TEST(CleanCommand, ResultsJudgesEachStoredOutputByItsStoredFinishReason) {
    TempDir temp;
    const auto out = temp / "out";
    std::filesystem::create_directories(out);
    {
        auto store = store::Store::open(out / "tunecap.db");
        ASSERT_TRUE(store.ok()) << store.error().message;
        store::StepRow row;
        row.track_id = "t1";
        row.phase = "revision";
        row.model = "qwen3_14b";
        row.prompt = "brief";
        row.outcome = store::StepOutcome::done;
        row.claims = "[]";
        for (const auto& [key, reason] : {std::pair{"cut", "length"}, std::pair{"whole", "stop"}}) {
            row.key = key;
            row.finish_reason = reason;
            row.raw_output = "A slow ambient piece with long pads. The duration of the";
            row.caption = "stale.";
            ASSERT_TRUE((*store)->put_step(row).ok());
        }
        row.key = "reasoning";
        row.finish_reason = "length";
        row.raw_output = "<think>\nOkay, the user wants me to say";
        ASSERT_TRUE((*store)->put_step(row).ok());
    }
    const auto outcome = run_tunecap({"clean", "--results", out.string()}, temp.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    auto store = store::Store::open(out / "tunecap.db");
    ASSERT_TRUE(store.ok());
    const auto cut = (*store)->find_step("cut");
    const auto whole = (*store)->find_step("whole");
    const auto reasoning = (*store)->find_step("reasoning");
    ASSERT_TRUE(cut && whole && reasoning);
    EXPECT_EQ(cut->caption, "A slow ambient piece with long pads.");
    EXPECT_THAT(cut->flags, ::testing::Contains("cut_off"));
    EXPECT_EQ(cut->finish_reason, "length");
    EXPECT_EQ(whole->caption, "A slow ambient piece with long pads. The duration of the.");
    EXPECT_EQ(reasoning->outcome, store::StepOutcome::failed);
    EXPECT_EQ(reasoning->caption, "");
    EXPECT_THAT(reasoning->error, HasSubstr("no answer, only reasoning"));
    EXPECT_EQ(reasoning->raw_output, "<think>\nOkay, the user wants me to say");
}

}  // namespace
}  // namespace tunecap::testing
