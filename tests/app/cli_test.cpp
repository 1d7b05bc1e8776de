// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
    EXPECT_EQ(line->all("--skip"), (std::vector<std::string>{"omni", "omni_genre", "omni_revision"}));
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
    EXPECT_THAT(parse_command_line({"config", "edit"}).error().message, HasSubstr("config show"));
    EXPECT_THAT(parse_command_line({"run", "--dry-run=yes"}).error().message, HasSubstr("--dry-run takes no value"));
}

TEST(CommandLine, DoubleDashEndsOptions) {
    auto line = parse_command_line({"run", "--", "-weird.flac"});
    ASSERT_TRUE(line.ok());
    EXPECT_EQ(line->positionals, (std::vector<std::string>{"-weird.flac"}));
}

TEST(Help, ListsEveryOptionOfTheCommandWithDefaults) {
    const auto text = help_text("run");
    for (const auto& spec : option_table()) {
        const bool for_run = std::find(spec.commands.begin(), spec.commands.end(), "run") != spec.commands.end();
        EXPECT_EQ(text.find(std::string(spec.name)) != std::string::npos, for_run) << spec.name;
    }
}

}  // namespace
}  // namespace tunecap::app
