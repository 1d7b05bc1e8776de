// SPDX-License-Identifier: GPL-3.0-or-later
// The progress status: per model the steps done and left, its rate and estimate, and the run's.
#include "app/progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "fake_clock.hpp"

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusLine, SaysTheModelsStepsRateAndEstimateAndTheRuns) {
    ProgressState s;
    s.total = 580;
    s.done = 120;
    s.executed = 100;
    s.run_seconds = 1000;  // 10 s per step so far, loads included
    s.tokens = 85000;
    s.model = "qwen_omni";
    s.model_total = 110;
    s.model_done = 40;
    s.model_seconds = 192;  // 12.5 steps a minute: 70 left take 336 s
    EXPECT_EQ(status_line(s),
              "qwen_omni 40/110 (70 left) 12.5 steps/min, done in 5m36s; run 120/580, done in ~1h10m; 85 tok/s");
    // 336 s for the model, and the 390 steps after it at 10 s each: 4,236 s.
}

TEST(StatusLine, AModelWithoutAFinishedStepHasNoRateAndTheRunUsesItsOwn) {
    ProgressState s;
    s.total = 20;
    s.done = 10;
    s.executed = 10;
    s.run_seconds = 100;
    s.model = "granite_tiny";
    s.model_total = 10;
    EXPECT_EQ(status_line(s), "granite_tiny 0/10 (10 left); run 10/20, done in ~1m40s");
}

TEST(StatusLine, NothingExecutedYetHasNoEstimateAndFailuresAreCounted) {
    ProgressState s;
    s.total = 5;
    s.done = 2;  // found in the store
    EXPECT_EQ(status_line(s), "run 2/5");
    s.failed = 1;
    EXPECT_THAT(status_line(s), HasSubstr("; 1 failed"));
    EXPECT_THAT(status_line(s), Not(HasSubstr("done in")));
}

TEST(Progress, TheTerminalLineFollowsTheClock) {
    auto clock = std::make_shared<testing::FakeClock>();
    std::FILE* terminal = std::tmpfile();
    ASSERT_NE(terminal, nullptr);
    core::Log log(terminal);
    Progress progress(log, terminal, 4, clock);
    progress.model_started("m", 4);
    clock->advance(std::chrono::seconds(30));
    progress.step_finished("m", true, 100, 0);
    clock->advance(std::chrono::seconds(30));
    progress.step_finished("m", true, 100, 0);
    std::rewind(terminal);
    std::string text(4096, '\0');
    text.resize(std::fread(text.data(), 1, text.size(), terminal));
    std::fclose(terminal);
    EXPECT_THAT(text, HasSubstr("m 1/4 (3 left) 2.0 steps/min, done in 1m30s; run 1/4, done in ~1m30s"));
    EXPECT_THAT(text, HasSubstr("m 2/4 (2 left) 2.0 steps/min, done in 1m00s; run 2/4, done in ~1m00s"));
}

TEST(Progress, ModelsSideBySideEachKeepTheirCountsAndQueuedStepsAddToThem) {
    auto clock = std::make_shared<testing::FakeClock>();
    std::FILE* terminal = std::tmpfile();
    ASSERT_NE(terminal, nullptr);
    core::Log log(terminal);
    Progress progress(log, terminal, 10, clock);
    progress.model_started("ears", 6);
    progress.step_finished("ears", true, 10, 0);
    progress.model_started("words", 1);
    progress.steps_queued("words", 2);
    clock->advance(std::chrono::seconds(1));
    progress.step_finished("words", true, 10, 0);
    clock->advance(std::chrono::seconds(1));
    progress.step_finished("ears", true, 10, 0);
    progress.model_finished("ears");
    std::rewind(terminal);
    std::string text(8192, '\0');
    text.resize(std::fread(text.data(), 1, text.size(), terminal));
    std::fclose(terminal);
    EXPECT_THAT(text, HasSubstr("words 1/3 (2 left)"));
    EXPECT_THAT(text, HasSubstr("ears 2/6 (4 left)"));
    EXPECT_THAT(text, HasSubstr("ears: 2 step(s) in 2s"));
}

}  // namespace
}  // namespace tunecap::app
