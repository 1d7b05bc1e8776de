// SPDX-License-Identifier: GPL-3.0-or-later
// The clock seam: the real clock is monotonic and really sleeps; the fake one (tests/support)
// advances at once, from several threads; a Deadline ends waits on time.

#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>
#include <vector>

#include "fake_clock.hpp"

namespace tunecap::core {
namespace {

using namespace std::chrono_literals;

TEST(Clock, RealClockSleepsAtLeastTheDuration) {
    const auto clock = real_clock();
    const auto before = clock->now();
    clock->sleep_for(2ms);  // the one real sleep in the unit tests: what the real clock is for
    EXPECT_GE(clock->now() - before, 2ms);
}

TEST(Clock, FakeClockSleepsWithoutWaiting) {
    testing::FakeClock clock;
    const auto real_before = std::chrono::steady_clock::now();
    const auto before = clock.now();
    clock.sleep_for(std::chrono::minutes(5));
    EXPECT_EQ(clock.now() - before, std::chrono::minutes(5));
    EXPECT_EQ(clock.elapsed(), std::chrono::minutes(5));
    EXPECT_LT(std::chrono::steady_clock::now() - real_before, 1s);
    clock.advance(250ms);
    clock.sleep_for(0ms);
    EXPECT_EQ(clock.elapsed(), std::chrono::minutes(5) + 250ms);
    EXPECT_EQ(clock.sleeps(), 1);  // advance() and a zero sleep are not sleeps
}

TEST(Clock, FakeClockIsSafeFromSeveralThreads) {
    testing::FakeClock clock;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&clock] {
            for (int i = 0; i < 1000; ++i) {
                const auto seen = clock.now();
                clock.sleep_for(1ms);
                EXPECT_GT(clock.now(), seen);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(clock.elapsed(), 4000ms);
    EXPECT_EQ(clock.sleeps(), 4000);
}

TEST(Deadline, SleepsNeverCarryAWaitPastIt) {
    testing::FakeClock clock;
    const Deadline deadline(clock, 125ms);
    EXPECT_FALSE(deadline.passed());
    EXPECT_EQ(deadline.left(), 125ms);
    deadline.sleep(50ms);
    deadline.sleep(50ms);
    EXPECT_EQ(deadline.left(), 25ms);
    deadline.sleep(50ms);  // only what is left
    EXPECT_EQ(clock.elapsed(), 125ms);
    EXPECT_TRUE(deadline.passed());
    EXPECT_EQ(deadline.left(), 0ms);
    deadline.sleep(50ms);  // passed: no sleep at all
    EXPECT_EQ(clock.elapsed(), 125ms);
    EXPECT_EQ(clock.sleeps(), 3);
}

TEST(Deadline, WhatIsLeftIsRoundedUp) {
    testing::FakeClock clock;
    const Deadline deadline(clock, 10ms);
    clock.advance(9ms + 400us);
    EXPECT_FALSE(deadline.passed());
    EXPECT_EQ(deadline.left(), 1ms);  // 0.6 ms: a sleep of zero would spin
    EXPECT_TRUE(Deadline(clock, 0ms).passed());
}

TEST(Clock, UtcNowIsIsoToTheSecond) {
    EXPECT_TRUE(std::regex_match(utc_now_iso(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

}  // namespace
}  // namespace tunecap::core
