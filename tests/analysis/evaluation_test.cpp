// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/evaluation.hpp"

#include <gtest/gtest.h>

namespace tunecap::analysis {
namespace {

TEST(Evaluation, TempoAgreesWithinFourPercentAtTheAllowedMultiples) {
    EXPECT_TRUE(tempo_agrees(124.0, 128, false));
    EXPECT_FALSE(tempo_agrees(122.0, 128, false));
    EXPECT_FALSE(tempo_agrees(64.0, 128, false));
    EXPECT_TRUE(tempo_agrees(64.0, 128, true));
    EXPECT_TRUE(tempo_agrees(384.0, 128, true));
    EXPECT_TRUE(tempo_agrees(43.0, 128, true));
    EXPECT_FALSE(tempo_agrees(96.0, 128, true));
}

TEST(Evaluation, KeysScoreByTheMirexWeights) {
    EXPECT_EQ(key_score({9, true, 1}, 9, true), 1);    // A minor for A minor
    EXPECT_EQ(key_score({4, true, 1}, 9, true), 0.5);  // E minor: a fifth above
    EXPECT_EQ(key_score({2, true, 1}, 9, true), 0.5);  // D minor: a fifth below
    EXPECT_EQ(key_score({0, false, 1}, 9, true), 0.3); // C major: relative
    EXPECT_EQ(key_score({9, true, 1}, 0, false), 0.3); // A minor for C major: relative
    EXPECT_EQ(key_score({9, false, 1}, 9, true), 0.2); // A major: parallel
    EXPECT_EQ(key_score({1, true, 1}, 9, true), 0);
}

}  // namespace
}  // namespace tunecap::analysis
