// SPDX-License-Identifier: GPL-3.0-or-later
// A request's deadline from its expected work at the floor speeds.
#include "pipeline/request_deadline.hpp"

#include <gtest/gtest.h>

namespace tunecap::pipeline {
namespace {

using namespace std::chrono_literals;

const config::RequestDeadline kDefaults;  // 20 prompt and 2 generated tokens/s, 120 s allowance

TEST(RequestDeadline, IsTheWorkAtTheFloorSpeedsPlusTheAllowance) {
    // 3,000 characters (1,000 tokens: 50 s) and 256 tokens to generate (128 s).
    EXPECT_EQ(request_deadline({3000, 0, 256}, kDefaults), 120s + 50s + 128s);
}

TEST(RequestDeadline, AudioCostsItsWindowsOfPromptTokens) {
    // 185 s of audio is 7 windows of 750 tokens (262.5 s), 30 characters 10 tokens (0.5 s).
    EXPECT_EQ(estimated_prompt_tokens({30, 185.0, 256}), 7u * 750 + 10);
    EXPECT_EQ(request_deadline({30, 185.0, 256}, kDefaults), 120s + 263s + 128s);
    // A started window counts whole; no audio costs nothing.
    EXPECT_EQ(estimated_prompt_tokens({0, 29.9, 1}), 750u);
    EXPECT_EQ(estimated_prompt_tokens({0, 0, 1}), 0u);
}

TEST(RequestDeadline, CharactersRoundUpToTokens) {
    EXPECT_EQ(estimated_prompt_tokens({1, 0, 1}), 1u);
    EXPECT_EQ(estimated_prompt_tokens({4, 0, 1}), 2u);
}

TEST(RequestDeadline, AnUnsetTokenLimitCountsAsALongAnswer) {
    EXPECT_EQ(request_deadline({0, 0, 0}, kDefaults), 120s + std::chrono::seconds(kUnsetMaxTokens / 2));
}

TEST(RequestDeadline, GrowsWithEveryPartOfTheWork) {
    const auto base = request_deadline({1000, 30, 100}, kDefaults);
    EXPECT_GT(request_deadline({2000, 30, 100}, kDefaults), base);
    EXPECT_GT(request_deadline({1000, 60, 100}, kDefaults), base);
    EXPECT_GT(request_deadline({1000, 30, 200}, kDefaults), base);
}

TEST(RequestDeadline, FasterFloorsAndNoAllowanceGiveATinyDeadline) {
    // What a test configures to see a hang in a second.
    const config::RequestDeadline fast{1e6, 1e6, 0.25};
    EXPECT_EQ(request_deadline({3000, 10, 256}, fast), 253ms);  // 250 ms + 2,006 tokens in 2.006 ms, rounded up
}

}  // namespace
}  // namespace tunecap::pipeline
