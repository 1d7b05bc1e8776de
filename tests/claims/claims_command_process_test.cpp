// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap claims` on the command line: caption on stdin, JSON on stdout, exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

Outcome claims_of(const TempDir& temp, const std::string& caption, const std::vector<std::string>& args) {
    const auto input = temp / "caption.txt";
    std::ofstream(input) << caption;
    std::string command = std::string(kRunDeadline) + " env";
    for (const auto& assignment : pinned_environment(temp.path())) command += " " + shell_quote(assignment);
    command += " " + shell_quote(TUNECAP_BINARY) + " claims";
    for (const auto& arg : args) command += " " + shell_quote(arg);
    command += " <" + shell_quote(input.string()) + " >" + shell_quote((temp / "out.txt").string()) + " 2>" +
               shell_quote((temp / "err.txt").string());
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(temp / "out.txt"), read_text(temp / "err.txt")};
}

TEST(ClaimsCommand, ClaimsWithoutFactsHaveNoVerdict) {
    TempDir temp;
    const auto outcome = claims_of(temp, "A mid-tempo ballad (around 72 beats per minute) in the key of E-flat major.", {});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto out = json::parse(outcome.out);
    EXPECT_FALSE(out.contains("facts"));
    ASSERT_EQ(out["claims"].size(), 2u);
    EXPECT_EQ(out["claims"][0]["kind"], "tempo");
    EXPECT_EQ(out["claims"][0]["value"], 72.0);
    EXPECT_EQ(out["claims"][0]["text"], "72 beats per minute");
    EXPECT_FALSE(out["claims"][0].contains("verdict"));
    EXPECT_EQ(out["claims"][1]["kind"], "key");
    EXPECT_EQ(out["claims"][1]["value"], "D# major");
    EXPECT_EQ(out["claims"][1]["mode"], "major");
    EXPECT_EQ(out["claims"][1]["text"], "E-flat major");
}

TEST(ClaimsCommand, FactsGiveVerdicts) {
    TempDir temp;
    const auto outcome =
        claims_of(temp, "Tempo: ~140 bpm. Key: F♯ minor. Or A major, at 120-125 BPM.", {"--bpm", "70", "--key", "Gbm"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto out = json::parse(outcome.out);
    EXPECT_EQ(out["facts"]["bpm"], 70.0);
    EXPECT_EQ(out["facts"]["key"], "F# minor");
    const auto& claims = out["claims"];
    ASSERT_EQ(claims.size(), 4u) << outcome.out;
    EXPECT_EQ(claims[0].value("verdict", ""), "agrees");
    EXPECT_EQ(claims[0].value("multiple", ""), "x2");
    EXPECT_EQ(claims[1].value("verdict", ""), "agrees");
    EXPECT_EQ(claims[1].value("relation", ""), "same");
    EXPECT_EQ(claims[2].value("verdict", ""), "related");
    EXPECT_EQ(claims[2].value("relation", ""), "relative");
    EXPECT_EQ(claims[3].value("verdict", ""), "contradicts");
    EXPECT_EQ(claims[3].value("range", json()), json::array({120.0, 125.0}));
}

TEST(ClaimsCommand, OnlyOneFactLeavesTheOtherKindUnverified) {
    TempDir temp;
    const auto outcome = claims_of(temp, "Key: C major, 128 BPM.", {"--key=C"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto out = json::parse(outcome.out);
    ASSERT_EQ(out["claims"].size(), 2u);
    EXPECT_EQ(out["claims"][0]["verdict"], "agrees");
    EXPECT_EQ(out["claims"][1]["verdict"], "unverified");
}

TEST(ClaimsCommand, NoClaimsIsAnEmptyList) {
    TempDir temp;
    const auto outcome = claims_of(temp, "A warm pad over 808 drums, in the style of the 1980s.", {"--bpm", "120"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(json::parse(outcome.out)["claims"], json::array());
}

TEST(ClaimsCommand, BadFactsAreUsageErrors) {
    TempDir temp;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--bpm", "fast"}, {"--bpm", "120x"}, {"--bpm", "0"}, {"--bpm", "nan"}, {"--key", "H minor"}, {"--key", ""}}) {
        const auto outcome = claims_of(temp, "128 BPM", args);
        EXPECT_EQ(outcome.exit_code, 2) << args[0] << " " << args[1];
        EXPECT_THAT(outcome.err, HasSubstr(args[0])) << outcome.err;
        EXPECT_EQ(outcome.out, "");
        EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    }
    const auto missing = claims_of(temp, "128 BPM", {"--bpm"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_THAT(missing.err, HasSubstr("--bpm needs a value"));
}

}  // namespace
}  // namespace tunecap::testing
