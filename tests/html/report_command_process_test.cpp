// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap report DIR` and the report a run writes: the page from the store, one error line for a
// folder without one, and a report that cannot be written costing the run nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ReportCommand : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(m_music);
        run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=330:duration=2 " + shell_quote((m_music / "tone.flac").string()));
    }
    // The default graph with no model files: only the facts phase runs, with no server.
    Outcome run() { return run_tunecap({"run", m_music.string(), "--out", m_out.string()}, m_temp.path()); }

    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
};

TEST_F(ReportCommand, RunWritesTheReportAndReportWritesItAgainFromTheStore) {
    const auto ran = run();
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    const auto page = m_out / "report.html";
    EXPECT_THAT(ran.out, HasSubstr("report: " + page.string() + "\n"));
    const auto first = read_text(page);
    EXPECT_THAT(first, HasSubstr("id=\"metrics-table\""));
    EXPECT_THAT(first, HasSubstr(">facts</th>"));
    EXPECT_THAT(first, HasSubstr("\"audio\":\"../music/tone.flac\""));

    fs::remove(page);
    const auto again = run_tunecap({"report", m_out.string()}, m_temp.path());
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, page.string() + "\n");
    EXPECT_THAT(read_text(page), HasSubstr(">facts</th>"));
}

TEST_F(ReportCommand, AFolderWithoutAStoreIsOneErrorLineAndExitTwo) {
    fs::create_directories(m_out);
    const auto outcome = run_tunecap({"report", m_out.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
    const auto errors = error_lines(outcome.err);
    ASSERT_EQ(errors.size(), 1u) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr(m_out.string() + ": no tunecap.db here"));
    EXPECT_FALSE(fs::exists(m_out / "tunecap.db"));  // the store is not created by looking for it
    EXPECT_FALSE(fs::exists(m_out / "report.html"));

    EXPECT_EQ(run_tunecap({"report"}, m_temp.path()).exit_code, 2);
}

TEST_F(ReportCommand, AReportThatCannotBeWrittenIsAWarningAndTheRunKeepsEverything) {
    fs::create_directories(m_out / "report.html" / "in-the-way");
    const auto outcome = run();
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("warning: [report] report.html not written"));
    EXPECT_TRUE(error_lines(outcome.err).empty()) << outcome.err;
    EXPECT_TRUE(fs::exists(m_out / "results.json"));
    EXPECT_TRUE(fs::is_regular_file(m_out / "tunecap.db"));
}

}  // namespace
}  // namespace tunecap::testing
