// SPDX-License-Identifier: GPL-3.0-or-later
// How the metrics read a caption as words.
#include "metrics/words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tunecap::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SplitWords, LettersAndDigitsLowerCasedWithJoinsInsideAWord) {
    EXPECT_THAT(split_words("Don't stop: LO-FI, 87.5 BPM -- end. 'quoted' x-"),
                ElementsAre("don't", "stop", "lo-fi", "87.5", "bpm", "end", "quoted", "x"));
    EXPECT_THAT(split_words("R&B / Hip Hop"), ElementsAre("r", "b", "hip", "hop"));
    EXPECT_THAT(split_words("1. 2"), ElementsAre("1", "2"));
    EXPECT_THAT(split_words(" ... "), IsEmpty());
}

TEST(Vocabulary, NumbersEachWordOnceInTheOrderFirstSeen) {
    Vocabulary vocabulary;
    EXPECT_THAT(vocabulary.add("Warm bass, warm PADS."), ElementsAre(0U, 1U, 0U, 2U));
    EXPECT_THAT(vocabulary.add("pads and bass"), ElementsAre(2U, 3U, 1U));
    EXPECT_EQ(vocabulary.find("pads"), 2U);
    EXPECT_EQ(vocabulary.find("drums"), std::nullopt);
    EXPECT_EQ(vocabulary.word(3), "and");
}

}  // namespace
}  // namespace tunecap::metrics
