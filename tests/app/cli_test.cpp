// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;

TEST(CommandLine, ParsesRunWithRepeatedOptionsAndInlineValues) {
    auto line = parse_command_line({"run", "a.flac", "--skip", "omni", "--skip=revision", "dir", "--out=/tmp/o", "-v"});
    ASSERT_TRUE(line.ok()) << line.error().message;
    EXPECT_EQ(line->command, "run");
    EXPECT_EQ(line->positionals, (std::vector<std::string>{"a.flac", "dir"}));
    EXPECT_EQ(line->all("--skip"), (std::vector<std::string>{"omni", "revision"}));
    EXPECT_EQ(line->value("--out"), "/tmp/o");
    EXPECT_TRUE(line->has("--verbose"));
}

TEST(CommandLine, PrototypeAliasesExpandToSkips) {
    auto line = parse_command_line({"run", "x", "--skip-phase4"});
    ASSERT_TRUE(line.ok());
    EXPECT_EQ(line->all("--skip"), (std::vector<std::string>{"omni", "omni_genre", "omni_wrong_hint", "omni_revision"}));
    EXPECT_EQ(line->sources.at("--skip").front(), "--skip-phase4");
}

TEST(CommandLine, DefaultsComeFromTheTable) {
    auto line = parse_command_line({"run", "x"});
    ASSERT_TRUE(line.ok());
    EXPECT_EQ(line->value_or_default("--out"), "./tunecap-out");
    EXPECT_FALSE(line->value("--out").has_value());
}

TEST(CommandLine, ErrorsNameTheOption) {
    EXPECT_THAT(parse_command_line({"run", "--out"}).error().message, HasSubstr("--out needs a value (DIR)"));
    EXPECT_THAT(parse_command_line({"run", "--family", "x"}).error().message, HasSubstr("unknown option --family for 'run'"));
    EXPECT_THAT(parse_command_line({"launch"}).error().message, HasSubstr("unknown command 'launch'"));
    EXPECT_THAT(parse_command_line({"launch"}).error().message, HasSubstr("models, clean, claims, analyze"));
    EXPECT_THAT(parse_command_line({"config", "edit"}).error().message, HasSubstr("config show"));
    EXPECT_THAT(parse_command_line({"run", "x", "--genre", "Tech\xffno"}).error().message,
                HasSubstr("--genre: the value is not valid UTF-8 (byte 5)"));
    EXPECT_THAT(parse_command_line({"run", "x", "--genre=\xc3"}).error().message, HasSubstr("not valid UTF-8"));
    EXPECT_TRUE(parse_command_line({"run", "x", "--out", "/tmp/\xff", "--genre", "Motörhead"}).ok());  // a path is bytes
    EXPECT_THAT(parse_command_line({"run", "--dry-run=yes"}).error().message, HasSubstr("--dry-run takes no value"));
}

// The globs that leave the stems beside a full_mix out; they match file names, which are bytes.
TEST(CommandLine, IncludeAndExcludeRepeatForRunPlanAndAnalyze) {
    for (const char* command : {"run", "plan", "analyze"}) {
        auto line = parse_command_line({command, "x", "--include", "full_mix.*", "--exclude=drums.*", "--exclude",
                                        "vocals.*", "--include", "Caf\xe9*"});
        ASSERT_TRUE(line.ok()) << command << ": " << line.error().message;
        EXPECT_EQ(line->all("--include"), (std::vector<std::string>{"full_mix.*", "Caf\xe9*"})) << command;
        EXPECT_EQ(line->all("--exclude"), (std::vector<std::string>{"drums.*", "vocals.*"})) << command;
    }
    EXPECT_THAT(parse_command_line({"export", "x", "--include", "*"}).error().message,
                HasSubstr("unknown option --include for 'export'"));
}

TEST(CommandLine, DoubleDashEndsOptions) {
    auto line = parse_command_line({"run", "--", "-weird.flac"});
    ASSERT_TRUE(line.ok());
    EXPECT_EQ(line->positionals, (std::vector<std::string>{"-weird.flac"}));
}

// The option each line of the help's option list starts with ("  -v, --verbose  ..." -> "--verbose"),
// with the rest of its line. A search of the whole text would find "--skip" inside "--skip-phase3"
// or in the description "alias of --skip revision".
std::map<std::string, std::string> listed_options(const std::string& help) {
    std::map<std::string, std::string> listed;
    std::istringstream in(help);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (first.size() == 3 && first.starts_with("-") && first.ends_with(",")) words >> first;  // "-v," then "--verbose"
        if (first.starts_with("--")) listed[first] = line;
    }
    return listed;
}

TEST(Help, ListsEveryOptionOfTheCommandWithDefaults) {
    const auto listed = listed_options(help_text("run"));
    ASSERT_TRUE(listed.contains("--out"));
    for (const auto& spec : option_table()) {
        const std::string name(spec.name);
        const bool for_run = std::find(spec.commands.begin(), spec.commands.end(), "run") != spec.commands.end();
        EXPECT_EQ(listed.contains(name), for_run) << name;
        if (for_run && !spec.default_value.empty()) {
            EXPECT_THAT(listed.at(name), HasSubstr("(default: " + std::string(spec.default_value) + ")")) << name;
        }
    }
}

}  // namespace
}  // namespace tunecap::app
