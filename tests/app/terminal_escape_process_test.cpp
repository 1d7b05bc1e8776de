// SPDX-License-Identifier: GPL-3.0-or-later
// Names, tags and side-cars reach the terminal escaped: a file name with an escape sequence and a
// newline, a genre tag with one, a broken .INFO quoting one, each stay inside their one line, and
// none can recolour or retitle the terminal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "files.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;
using tunecap::testing::TempDir;

// Raw bytes a hostile folder can carry: SGR red, a newline, an OSC window title ended by BEL.
const std::string kRedName = "a\x1b[31mb\nc";
const std::string kTitleName = "bad\x1b]0;owned\x07";

// The first control byte other than a line's own end, or -1.
int control_byte(const std::string& text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\n') || byte == 0x7F) return byte;
    }
    return -1;
}

// Every line tunecap writes to stderr is a whole message: it starts with its level and component.
void expect_whole_messages(const std::string& err) {
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_TRUE(line.starts_with("[") || line.starts_with("warning: [") || line.starts_with("error: ["))
            << "a message broken across lines: " << line;
    }
}

void make_flac(const std::filesystem::path& path, const std::string& genre) {
    testing::run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i anullsrc=r=8000:cl=mono -t 0.1 -map_metadata -1 "
                      "-c:a flac -metadata genre=" + testing::shell_quote(genre) + " " + testing::shell_quote(path.string()));
}

TEST(TerminalEscape, RunMessagesQuoteHostileNamesTagsAndSideCarsOnOneLineEach) {
    TempDir dir;
    const auto in = dir / "in";
    std::filesystem::create_directories(in);
    make_flac(in / (kRedName + ".flac"), "Dub\x1b[2J");
    testing::write_bytes(in / (kRedName + ".INFO"), "{\"genres\": \"x\x1b[31m");  // broken JSON quoting ESC
    testing::write_bytes(in / (kTitleName + ".flac"), "not audio");
    const auto outcome = testing::run_tunecap({"run", "--out", (dir / "out").string(), in.string()}, dir.path());

    EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
    EXPECT_EQ(control_byte(outcome.err), -1) << outcome.err;
    expect_whole_messages(outcome.err);
    EXPECT_THAT(outcome.err, HasSubstr("a\\x1b[31mb\\nc.INFO: invalid JSON"));
    EXPECT_THAT(outcome.err, HasSubstr("a\\x1b[31mb\\nc.flac: 0.1 s flac"));
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_EQ(errors.size(), 1u) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("bad\\x1b]0;owned\\x07.flac: "));
}

TEST(TerminalEscape, DryRunPlanAndAnalyzeTableEscapeFileNamesAndGenres) {
    TempDir dir;
    const auto in = dir / "in";
    std::filesystem::create_directories(in);
    make_flac(in / (kRedName + ".flac"), "Dub\x1b[2J");
    testing::write_bytes(in / (kTitleName + ".flac"), "not audio");

    const auto plan = testing::run_tunecap({"run", "--dry-run", in.string()}, dir.path());
    EXPECT_EQ(control_byte(plan.out), -1) << plan.out;
    EXPECT_THAT(plan.out, HasSubstr("track " + in.string() + "/a\\x1b[31mb\\nc.flac: genres "));
    EXPECT_EQ(control_byte(plan.err), -1) << plan.err;
    expect_whole_messages(plan.err);

    const auto analyze = testing::run_tunecap({"analyze", in.string()}, dir.path());
    EXPECT_EQ(analyze.exit_code, 1) << analyze.err;
    EXPECT_EQ(control_byte(analyze.out), -1) << analyze.out;
    EXPECT_THAT(analyze.out, HasSubstr("a\\x1b[31mb\\nc.flac\n"));
    EXPECT_EQ(control_byte(analyze.err), -1) << analyze.err;
    expect_whole_messages(analyze.err);
    const auto errors = testing::error_lines(analyze.err);
    ASSERT_EQ(errors.size(), 1u) << analyze.err;
    EXPECT_THAT(errors[0], HasSubstr("bad\\x1b]0;owned\\x07.flac: "));
}

}  // namespace
}  // namespace tunecap::app
