// SPDX-License-Identifier: GPL-3.0-or-later
// The genre chain on files that need not decode: the .INFO comes before the tags are read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audio_fixtures.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;
using Names = std::vector<std::string>;

// {"genres": ["G0", ..., "G<count - 1>"]}
std::string info_with_genres(int count) {
    std::string json = R"({"genres": [)";
    for (int i = 0; i < count; ++i) json += (i == 0 ? "\"G" : ", \"G") + std::to_string(i) + "\"";
    return json + "]}";
}

// A track with 100,000 genres is garbage: the first 64 are plenty for a caption's genre hint.
TEST(ResolveGenres, OnlyTheFirst64GenresAreKeptWithAWarningNamingTheFile) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "a.INFO", info_with_genres(100));
    const GenreResult result = resolve_genres(dir / "a.flac", {});
    EXPECT_EQ(result.genres.source, GenreSource::info);
    ASSERT_EQ(result.genres.names.size(), 64u);
    EXPECT_EQ(result.genres.names.front(), "G0");
    EXPECT_EQ(result.genres.names.back(), "G63");
    EXPECT_THAT(result.warnings,
                ElementsAre((dir / "a.INFO").string() + ": 100 genres; only the first 64 are kept"));
}

TEST(ResolveGenres, TheCapAppliesToGenreToo) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    std::string cli;
    for (int i = 0; i < 65; ++i) cli += "G" + std::to_string(i) + ",";
    const GenreResult result = resolve_genres(dir / "a.flac", {.cli = cli, .info = {}});
    EXPECT_EQ(result.genres.names.size(), 64u);
    EXPECT_THAT(result.warnings, ElementsAre("--genre: 65 genres; only the first 64 are kept"));
}

TEST(ResolveGenres, SixtyFourGenresAreKeptWithoutAWarning) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "a.INFO", info_with_genres(64));
    const GenreResult result = resolve_genres(dir / "a.flac", {});
    EXPECT_EQ(result.genres.names.size(), 64u);
    EXPECT_TRUE(result.warnings.empty());
}

}  // namespace
}  // namespace tunecap::tags
