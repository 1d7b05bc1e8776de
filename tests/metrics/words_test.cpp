// SPDX-License-Identifier: GPL-3.0-or-later
// How the metrics read a caption as words.
#include "metrics/words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

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

// Whether `caption` names `genre`, as the metrics read it.
bool names(std::string_view caption, std::string_view genre) {
    const auto words = split_words(caption);
    return names_genre(std::vector<std::string_view>(words.begin(), words.end()), genre);
}

TEST(NamesGenre, LetterCaseAndHowTheWordsAreJoinedDoNotMatter) {
    for (const auto* genre : {"Hip Hop", "hip-hop", "HIP_HOP", "Hip/Hop", "HipHop", "hiphop"}) {
        for (const auto* caption : {"A hip hop beat.", "A Hip-Hop beat.", "A hiphop beat.", "hip/hop", "Hip_Hop"}) {
            EXPECT_TRUE(names(caption, genre)) << genre << " in " << caption;
        }
    }
    for (const auto* genre : {"Drum & Bass", "Drum and Bass", "drum-n-bass", "Drum'n'Bass", "DrumBass"}) {
        for (const auto* caption : {"drum and bass", "Drum & Bass", "drum'n'bass", "drum-and-bass", "drum n bass"}) {
            EXPECT_TRUE(names(caption, genre)) << genre << " in " << caption;
        }
    }
    EXPECT_TRUE(names("Rhythm & blues", "Rhythm and Blues"));
}

TEST(NamesGenre, EachWordOfTheGenreIsInTheCaptionAnywhere) {
    EXPECT_TRUE(names("Minimal, hypnotic techno.", "Minimal Techno"));
    EXPECT_TRUE(names("Techno-ish and minimal.", "Minimal Techno"));
    EXPECT_FALSE(names("Minimal beats.", "Minimal Techno"));
    EXPECT_FALSE(names("Heavy dubstep wobbles.", "Dub"));
    EXPECT_FALSE(names("Hip drums that hop.", "HipHop"));  // the joined form must be adjacent
    EXPECT_FALSE(names("Bright pop hooks.", "K-Pop"));
    EXPECT_FALSE(names("and & n", "&"));  // a genre with no words names nothing
    EXPECT_FALSE(names("", "Dub"));
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
