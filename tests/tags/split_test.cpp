// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

using Names = std::vector<std::string>;
using namespace std::string_literals;

TEST(SplitGenres, SplitsOnEverySeparatorIncludingNul) {
    EXPECT_EQ(split_genres("A,B;C/D|E\0F"s), (Names{"A", "B", "C", "D", "E", "F"}));
}

TEST(SplitGenres, TrimsEachPieceButKeepsInnerSpaces) {
    EXPECT_EQ(split_genres("  Goa Trance \t,\n Psytrance\r "), (Names{"Goa Trance", "Psytrance"}));
}

TEST(SplitGenres, DropsEmptyPieces) {
    EXPECT_EQ(split_genres(""), Names{});
    EXPECT_EQ(split_genres("   "), Names{});
    EXPECT_EQ(split_genres(",; / |\0"s), Names{});
    EXPECT_EQ(split_genres(",Rock,,  ,Pop,"), (Names{"Rock", "Pop"}));
}

TEST(SplitGenres, DedupesCaseInsensitivelyKeepingTheFirstSpelling) {
    EXPECT_EQ(split_genres("goa Trance, Dub; GOA TRANCE | dub / Goa Trance"), (Names{"goa Trance", "Dub"}));
}

TEST(SplitGenres, KeepsUtf8Untouched) {
    EXPECT_EQ(split_genres("Música Popular Brasileira / Forró"), (Names{"Música Popular Brasileira", "Forró"}));
}

TEST(NormaliseGenres, SplitsEachValueAndDedupesAcrossValuesInOrder) {
    EXPECT_EQ(normalise_genres({"Psytrance; Goa", "", "goa", "Dub|psytrance", "  "}),
              (Names{"Psytrance", "Goa", "Dub"}));
    EXPECT_EQ(normalise_genres({}), Names{});
}

TEST(GenreSource, NamesAsRecorded) {
    EXPECT_EQ(to_string(GenreSource::cli), "cli");
    EXPECT_EQ(to_string(GenreSource::info), "info");
    EXPECT_EQ(to_string(GenreSource::tags), "tags");
    EXPECT_EQ(to_string(GenreSource::fallback), "fallback");
}

TEST(Id3GenreName, CoversTagLibsTableAndNothingElse) {
    EXPECT_EQ(id3_genre_name(0), "Blues");
    EXPECT_EQ(id3_genre_name(17), "Rock");
    EXPECT_EQ(id3_genre_name(18), "Techno");
    EXPECT_EQ(id3_genre_name(191), "Psybient");
    EXPECT_EQ(id3_genre_name(192), std::nullopt);
    EXPECT_EQ(id3_genre_name(255), std::nullopt);
    EXPECT_EQ(id3_genre_name(-1), std::nullopt);
}

}  // namespace
}  // namespace tunecap::tags
