// SPDX-License-Identifier: GPL-3.0-or-later
// `cmake --install` of this build folder into a temp prefix: the program runs, the man page is
// roff that groff reads without a warning, and the bash completion completes commands, options and
// files as bash calls it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "files.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Install : public ::testing::Test {
protected:
    void SetUp() override {
        const auto installed = run_program(TUNECAP_CMAKE, {"--install", TUNECAP_BUILD_DIR, "--prefix", m_prefix.string()}, m_temp.path());
        ASSERT_EQ(installed.exit_code, 0) << installed.out << installed.err;
    }

    // The files under the prefix, relative to it.
    std::set<std::string> installed_files() const {
        std::set<std::string> files;
        for (const auto& entry : fs::recursive_directory_iterator(m_prefix)) {
            if (!entry.is_directory()) files.insert(fs::relative(entry.path(), m_prefix).string());
        }
        return files;
    }

    // What the completion puts in COMPREPLY for a command line whose last word is being typed, one
    // per line in byte order, after checking that sourcing the script registers it for tunecap.
    std::string complete(const std::vector<std::string>& words) {
        std::string array;
        for (const auto& word : words) array += " " + shell_quote(word);
        const std::string script = "source " + shell_quote((m_prefix / "share/bash-completion/completions/tunecap").string()) +
                                   " && complete -p tunecap >/dev/null && COMP_WORDS=(" + array + ") && COMP_CWORD=" +
                                   std::to_string(words.size() - 1) + " && _tunecap && printf '%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort";
        const auto result = run_program("bash", {"--norc", "--noprofile", "-c", script}, m_temp.path());
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_THAT(result.err, IsEmpty());
        return result.out;
    }

    TempDir m_temp;
    fs::path m_prefix = m_temp / "prefix";
};

TEST_F(Install, InstallsTheProgramItsManPageCompletionAndDocsAndNothingElse) {
    EXPECT_EQ(installed_files(), (std::set<std::string>{"bin/tunecap", "share/man/man1/tunecap.1.gz",
                                                        "share/bash-completion/completions/tunecap",
                                                        "share/doc/tunecap/README.md", "share/doc/tunecap/LICENSE",
                                                        "share/doc/tunecap/copyright"}));
}

TEST_F(Install, InstalledProgramRuns) {
    const auto version = run_program((m_prefix / "bin/tunecap").string(), {"--version"}, m_temp.path());
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out, std::string("tunecap ") + TUNECAP_VERSION + "\n");
}

TEST_F(Install, ManPageIsRoffThatGroffReadsWithoutWarnings) {
    const auto page = (m_prefix / "share/man/man1/tunecap.1.gz").string();
    // -ww: every warning; -P-cbou: plain text, no bold or underline by overstriking.
    const auto rendered = run_program("sh", {"-c", "gzip -dc " + shell_quote(page) + " | groff -man -Tutf8 -ww -P-cbou"},
                                      m_temp.path());
    EXPECT_EQ(rendered.exit_code, 0) << rendered.err;
    EXPECT_THAT(rendered.err, IsEmpty());
    // The text as words, whatever groff's line breaks.
    std::istringstream words_in(rendered.out);
    std::string text;
    for (std::string word; words_in >> word;) text += word + " ";
    EXPECT_THAT(text, HasSubstr("tunecap - caption music with local models"));
    EXPECT_THAT(text, HasSubstr("tunecap run TRACK_OR_DIR... [options]"));
    EXPECT_THAT(text, HasSubstr("--out DIR output folder"));
    EXPECT_THAT(text, HasSubstr("(default: ./tunecap-out)"));
    EXPECT_THAT(text, HasSubstr("EXIT STATUS"));
}

TEST_F(Install, CompletionCompletesCommandsAndTheirOptions) {
    EXPECT_EQ(complete({"tunecap", "ru"}), "run\n");
    EXPECT_EQ(complete({"tunecap", "run", "--ou"}), "--out\n");
    EXPECT_EQ(complete({"tunecap", "config", "sh"}), "show\n");
    EXPECT_EQ(complete({"tunecap", "config", "show", "--con"}), "--config\n");
    EXPECT_EQ(complete({"tunecap", "analyze", "--j"}), "--json\n");
    EXPECT_EQ(complete({"tunecap", "clean", "-"}).find("--out"), std::string::npos);  // not an option of clean
}

TEST_F(Install, CompletionCompletesFilesAndFoldersAfterOptionsThatNameThem) {
    write_bytes(m_temp / "files/my.yaml", "x");
    fs::create_directories(m_temp / "files/my-results");
    const std::string base = (m_temp / "files/my").string();
    EXPECT_EQ(complete({"tunecap", "run", "--config", base}), base + "-results\n" + base + ".yaml\n");
    EXPECT_EQ(complete({"tunecap", "run", "--config", "=", base}), base + "-results\n" + base + ".yaml\n");
    EXPECT_EQ(complete({"tunecap", "clean", "--results", base}), base + "-results\n");
    EXPECT_EQ(complete({"tunecap", "metrics", base}), base + "-results\n");
    EXPECT_EQ(complete({"tunecap", "run", "--skip", "om"}), "\n");  // phase ids are not completed
}

}  // namespace
}  // namespace tunecap::testing
