// SPDX-License-Identifier: GPL-3.0-or-later
// The man page and the bash completion name every command and every option of every command, as
// the tables the parser reads have them: each is read back from the generated text, not searched.
#include "app/docs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "app/cli.hpp"

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;
using Words = std::set<std::string>;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// What the table says: command -> its long and short options; option -> "file", "dir" or "other".
std::map<std::string, Words> expected_options() {
    std::map<std::string, Words> out;
    for (const auto& spec : option_table()) {
        for (const auto command : spec.commands) {
            out[std::string(command)].insert(std::string(spec.name));
            if (!spec.short_name.empty()) out[std::string(command)].insert(std::string(spec.short_name));
        }
    }
    return out;
}

std::map<std::string, std::string> expected_value_kinds() {
    std::map<std::string, std::string> out;
    for (const auto& spec : option_table()) {
        if (spec.kind == OptionKind::flag) continue;
        const auto kind = spec.metavar == "FILE" || spec.metavar == "PATH" ? "file" : spec.metavar == "DIR" ? "dir" : "other";
        out[std::string(spec.name)] = kind;
        if (!spec.short_name.empty()) out[std::string(spec.short_name)] = kind;
    }
    return out;
}

// --- the man page, read back --------------------------------------------------------------------

// A roff text line as a reader sees it: font changes dropped, escapes turned back into characters.
std::string unroff(std::string line) {
    static const std::vector<std::pair<std::string, std::string>> kEscapes = {
        {"\\fB", ""}, {"\\fI", ""}, {"\\fR", ""}, {"\\&", ""}, {"\\-", "-"}, {"\\e", "\\"}};
    for (const auto& [escape, plain] : kEscapes) {
        for (auto at = line.find(escape); at != std::string::npos; at = line.find(escape, at + plain.size())) {
            line.replace(at, escape.size(), plain);
        }
    }
    return line;
}

struct ManPage {
    std::vector<std::string> sections;                 // .SH headings in order
    std::vector<std::string> command_labels;           // the .TP labels under COMMANDS
    std::map<std::string, std::string> option_headings;  // command -> its .SS heading under OPTIONS
    std::map<std::string, Words> options;              // command -> the options of its .TP labels
};

// The command whose options a heading ("tunecap config show [options]") introduces: the longest name
// that fits, so that a command named like the start of another is not mistaken for it.
std::string command_of_heading(const std::string& heading) {
    std::string best;
    for (const auto& command : command_table()) {
        const std::string prefix = "tunecap " + std::string(command.name) + " ";
        if (heading.starts_with(prefix) && command.name.size() > best.size()) best = command.name;
    }
    return best;
}

ManPage read_man_page(const std::string& roff) {
    ManPage page;
    const auto lines = lines_of(roff);
    std::string section, command;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        const auto next = i + 1 < lines.size() ? unroff(lines[i + 1]) : std::string();
        if (line.starts_with(".SH ")) {
            section = line.substr(4);
            page.sections.push_back(section);
        } else if (line == ".SS" && section == "OPTIONS") {
            command = command_of_heading(next);
            page.option_headings[command] = next;
        } else if (line == ".TP" && section == "COMMANDS") {
            page.command_labels.push_back(next);
        } else if (line == ".TP" && section == "OPTIONS") {
            // "-v, --verbose" or "--out DIR": the words before a metavar
            std::istringstream words(next);
            for (std::string word; words >> word && word.starts_with("-");) {
                if (word.ends_with(",")) word.pop_back();
                page.options[command].insert(word);
            }
        }
    }
    return page;
}

TEST(ManPage, HasTheSectionsOfAManPageInOrder) {
    const auto page = read_man_page(man_page("9.8.7"));
    EXPECT_EQ(page.sections, (std::vector<std::string>{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
                                                       "ENVIRONMENT", "FILES", "SEE ALSO"}));
    EXPECT_THAT(man_page("9.8.7"), HasSubstr(".TH TUNECAP 1 \"\" \"tunecap 9.8.7\""));
}

TEST(ManPage, ListsEveryCommandWithWhatTunecapHelpSaysOfIt) {
    const auto page = read_man_page(man_page("1"));
    const auto help = help_text("");
    std::size_t lines = 0;
    for (const auto& command : command_table()) {
        ASSERT_FALSE(command.overview.empty()) << command.name;
        for (const auto& [synopsis, summary] : command.overview) {
            const std::string label = "tunecap " + std::string(synopsis);
            EXPECT_NE(std::find(page.command_labels.begin(), page.command_labels.end(), label), page.command_labels.end())
                << label;
            EXPECT_THAT(help, HasSubstr(label)) << label;
            ++lines;
        }
    }
    EXPECT_EQ(page.command_labels.size(), lines);
}

TEST(ManPage, ListsEveryOptionOfEveryCommandUnderThatCommand) {
    const auto page = read_man_page(man_page("1"));
    const auto expected = expected_options();
    ASSERT_TRUE(expected.contains("run"));
    EXPECT_EQ(page.options, expected);
    for (const auto& command : command_table()) {
        if (!expected.contains(std::string(command.name))) continue;
        ASSERT_TRUE(page.option_headings.contains(std::string(command.name))) << command.name;
        EXPECT_EQ(page.option_headings.at(std::string(command.name)),
                  "tunecap " + std::string(command.name) + " " + std::string(command.operands));
    }
}

TEST(ManPage, ShowsDefaultsAndMetavars) {
    const auto roff = man_page("1");
    EXPECT_THAT(roff, HasSubstr("\\fB\\-\\-out\\fR \\fIDIR\\fR\n"));
    EXPECT_THAT(roff, HasSubstr("(default: ./tunecap\\-out)"));
    EXPECT_THAT(roff, HasSubstr("\\fB\\-v\\fR, \\fB\\-\\-verbose\\fR\n"));
}

TEST(ManPage, EveryControlLineIsAKnownRequest) {
    // A help text starting with '.' or '\'' would otherwise be read as an unknown request and vanish.
    const std::set<std::string> known = {".TH", ".ad", ".nh", ".SH", ".SS", ".TP", ".B", ".br", ".PP", ".\\\""};
    for (const auto& line : lines_of(man_page("1"))) {
        if (!line.starts_with(".") && !line.starts_with("'")) continue;
        EXPECT_TRUE(known.contains(line.substr(0, line.find(' ')))) << line;
    }
}

TEST(RoffEscape, EscapesWhatRoffWouldReadAsMarkup) {
    EXPECT_EQ(roff_escape("--out"), "\\-\\-out");
    EXPECT_EQ(roff_escape("a\\b"), "a\\eb");
    EXPECT_EQ(roff_escape(".INFO JSON for every track"), "\\&.INFO JSON for every track");
    EXPECT_EQ(roff_escape("'quoted'"), "\\&'quoted'");
    EXPECT_EQ(roff_escape("a .INFO file, it's"), "a .INFO file, it's");
    EXPECT_EQ(roff_escape("two\nlines"), "two lines");
    EXPECT_EQ(roff_escape("\xC3\x97 2 \xE2\x80\x94 \xF0\x9F\x8E\xB5"), "\\[u00D7] 2 \\[u2014] \\[u1F3B5]");
    EXPECT_EQ(roff_escape("bad \xFF byte \xC3"), "bad \\[uFFFD] byte \\[uFFFD]");
}

// The man page reads UTF-8 as core::decode_utf8_at does: each byte that is not part of well-formed
// UTF-8 is one U+FFFD, whatever bytes follow it.
TEST(RoffEscape, EachByteOfIllFormedUtf8IsOneReplacementCharacter) {
    EXPECT_EQ(roff_escape("\xF5\x80\x80"), "\\[uFFFD]\\[uFFFD]\\[uFFFD]");      // no lead byte after F4
    EXPECT_EQ(roff_escape("\xF8\x88\x80\x80"), "\\[uFFFD]\\[uFFFD]\\[uFFFD]\\[uFFFD]");
    EXPECT_EQ(roff_escape("\xED\xA0\x80"), "\\[uFFFD]\\[uFFFD]\\[uFFFD]");      // a surrogate
    EXPECT_EQ(roff_escape("\xE0\x80\xAF"), "\\[uFFFD]\\[uFFFD]\\[uFFFD]");      // overlong
    EXPECT_EQ(roff_escape("\xF4\x8F\xBF\xBF"), "\\[u10FFFF]");
}

// --- the completion script, read back ------------------------------------------------------------

// The arms of `case $1 in ... esac` in a function of the script: the quoted words of its pattern
// and what it echoes.
std::vector<std::pair<Words, std::string>> case_arms(const std::string& script, const std::string& function) {
    const auto start = script.find(function + "()\n{\n");
    EXPECT_NE(start, std::string::npos) << function;
    const auto end = script.find("\n}\n", start);
    std::vector<std::pair<Words, std::string>> arms;
    static const std::regex kArm(R"(^        ('[^']*'(?:\|'[^']*')*)\) echo '?([^']*)'? ;;$)");
    static const std::regex kQuoted("'([^']*)'");
    for (const auto& line : lines_of(script.substr(start, end - start))) {
        std::smatch match;
        if (!std::regex_match(line, match, kArm)) continue;
        Words patterns;
        const std::string pattern = match[1];
        for (std::sregex_iterator it(pattern.begin(), pattern.end(), kQuoted), last; it != last; ++it) patterns.insert((*it)[1]);
        arms.emplace_back(patterns, match[2]);
    }
    return arms;
}

Words split(const std::string& words) {
    Words out;
    std::istringstream in(words);
    for (std::string word; in >> word;) out.insert(word);
    return out;
}

TEST(BashCompletion, CompletesEveryOptionOfEveryCommand) {
    std::map<std::string, Words> completed;
    for (const auto& [commands, words] : case_arms(bash_completion(), "_tunecap_options")) {
        ASSERT_EQ(commands.size(), 1u);
        completed[*commands.begin()] = split(words);
    }
    EXPECT_EQ(completed, expected_options());
}

TEST(BashCompletion, CompletesFilesOrFoldersAfterOptionsThatNameThem) {
    std::map<std::string, std::string> kinds;
    for (const auto& [options, kind] : case_arms(bash_completion(), "_tunecap_value")) {
        for (const auto& option : options) kinds[option] = kind;
    }
    EXPECT_EQ(kinds, expected_value_kinds());
    EXPECT_EQ(kinds.at("--config"), "file");
    EXPECT_EQ(kinds.at("--out"), "dir");
}

TEST(BashCompletion, CompletesEveryCommand) {
    const auto script = bash_completion();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(script, match, std::regex(R"(COMP_CWORD == 1\)\); then\n.*compgen -W '([^']*)')")));
    const auto first_words = split(match[1]);
    std::map<std::string, Words> second_words;
    for (const auto& line : lines_of(script)) {
        std::smatch arm;
        if (std::regex_match(line, arm, std::regex(R"(^        '([^']*)'\) second='([^']*)' ;;$)"))) {
            second_words[arm[1]] = split(arm[2]);
        }
    }
    for (const auto& command : command_table()) {
        const std::string name(command.name);
        const auto space = name.find(' ');
        EXPECT_TRUE(first_words.contains(name.substr(0, space))) << name;
        if (space != std::string::npos) {
            EXPECT_TRUE(second_words[name.substr(0, space)].contains(name.substr(space + 1))) << name;
        }
    }
    EXPECT_TRUE(first_words.contains("--help"));
    EXPECT_TRUE(first_words.contains("--version"));
}

TEST(Help, ListsEveryCommandOfTheTable) {
    const auto help = help_text("");
    for (const auto& command : command_table()) {
        for (const auto& [synopsis, summary] : command.overview) {
            EXPECT_THAT(help, HasSubstr("  tunecap " + std::string(synopsis))) << command.name;
            EXPECT_THAT(help, HasSubstr(std::string(summary))) << command.name;
        }
    }
}

}  // namespace
}  // namespace tunecap::app
