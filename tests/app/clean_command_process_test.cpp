// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap clean` on the command line: stdin to stdout, flags on stderr, exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "run_binary.hpp"
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

}  // namespace
}  // namespace tunecap::testing
