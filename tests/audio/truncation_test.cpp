// SPDX-License-Identifier: GPL-3.0-or-later
// When a stream that ends before its declared duration counts as truncated: codec delay and padding
// (tens of milliseconds) never do; a second missing always does, and 1% of a shorter track does.
#include <gtest/gtest.h>

#include "audio/audio.hpp"

namespace tunecap::audio {
namespace {

TEST(IsTruncated, PaddingAndDelayAreNot) {
    EXPECT_FALSE(is_truncated(2.0, 2.0));
    EXPECT_FALSE(is_truncated(2.05, 2.0)) << "longer than declared is not missing audio";
    EXPECT_FALSE(is_truncated(1.95, 2.0));
    EXPECT_FALSE(is_truncated(179.95, 180.0));
    EXPECT_FALSE(is_truncated(0.0, 0.0)) << "no declared duration";
}

TEST(IsTruncated, MoreThanASecondOrOnePercentMissingIs) {
    EXPECT_TRUE(is_truncated(1.0, 2.0));
    EXPECT_TRUE(is_truncated(1.85, 2.0)) << "0.15 s of 2 s: past the 0.1 s floor";
    EXPECT_FALSE(is_truncated(59.5, 60.0)) << "0.5 s of 60 s is less than 1%";
    EXPECT_TRUE(is_truncated(59.3, 60.0));
    EXPECT_FALSE(is_truncated(3599.1, 3600.0));
    EXPECT_TRUE(is_truncated(3598.9, 3600.0)) << "over 1 s, however long the track";
    EXPECT_TRUE(is_truncated(61.2, 120.0));
}

}  // namespace
}  // namespace tunecap::audio
