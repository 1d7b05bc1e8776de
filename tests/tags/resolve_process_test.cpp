// SPDX-License-Identifier: GPL-3.0-or-later
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
using testing::make_audio;
using testing::make_mp3;
using testing::quote;
using testing::run_tool;
using testing::TempDir;
using testing::write_file;
using Names = std::vector<std::string>;

// A FLAC track tagged GENRE=<genre> in dir.
std::filesystem::path tagged_flac(const TempDir& dir, const std::string& name, const std::string& genre) {
    const auto track = make_audio(dir, name, "-c:a flac");
    run_tool("metaflac --set-tag=" + quote("GENRE=" + genre) + " " + quote(track));
    return track;
}

TEST(ResolveGenres, CliBeatsEverything) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": "Info"})");
    const GenreResult result = resolve_genres(track, {.cli = "Goa Trance, Psytrance,goa trance", .info = {}});
    EXPECT_EQ(result.genres.names, (Names{"Goa Trance", "Psytrance"}));
    EXPECT_EQ(result.genres.source, GenreSource::cli);
    EXPECT_EQ(result.genres.origin, "");
    EXPECT_TRUE(result.warnings.empty());
}

TEST(ResolveGenres, BlankCliFallsThrough) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    for (const char* cli : {"", "   ", " , ;"}) {
        const GenreResult result = resolve_genres(track, {.cli = cli, .info = {}});
        EXPECT_EQ(result.genres.source, GenreSource::tags) << '"' << cli << '"';
        EXPECT_EQ(result.genres.names, (Names{"Tagged"}));
    }
}

TEST(ResolveGenres, SameStemInfoBeatsTags) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": ["Dub"], "musicbrainz_genres": "Techno"})");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.names, (Names{"Dub", "Techno"}));
    EXPECT_EQ(result.genres.source, GenreSource::info);
    EXPECT_EQ(result.genres.origin, (dir / "a.INFO").string());
    EXPECT_TRUE(result.warnings.empty());
}

TEST(ResolveGenres, SingleFolderInfoIsUsed) {
    TempDir dir;
    const auto track = tagged_flac(dir, "01.flac", "Tagged");
    write_file(dir / "album.info", R"({"musicbrainz_genres": ["ambient"]})");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.names, (Names{"ambient"}));
    EXPECT_EQ(result.genres.origin, (dir / "album.info").string());
}

// d.INFO is d.flac's: a.flac and b.mp3 beside it keep their own tags.
TEST(ResolveGenres, AnotherTracksInfoIsNotUsed) {
    TempDir dir;
    const auto a = tagged_flac(dir, "a.flac", "Tagged A");
    const auto b = make_mp3(dir, "b.mp3");
    run_tool("id3v2 --TCON " + quote(std::string("Tagged B")) + " " + quote(b));
    const auto d = tagged_flac(dir, "d.flac", "Tagged D");
    write_file(dir / "d.INFO", R"({"genres": "Info D"})");
    EXPECT_EQ(resolve_genres(a, {}).genres.names, (Names{"Tagged A"}));
    EXPECT_EQ(resolve_genres(b, {}).genres.names, (Names{"Tagged B"}));
    EXPECT_EQ(resolve_genres(d, {}).genres.names, (Names{"Info D"}));
}

TEST(ResolveGenres, TwoFolderInfosAreIgnored) {
    TempDir dir;
    const auto track = tagged_flac(dir, "01.flac", "Tagged");
    write_file(dir / "one.INFO", R"({"genres": "One"})");
    write_file(dir / "two.INFO", R"({"genres": "Two"})");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.source, GenreSource::tags);
    EXPECT_EQ(result.genres.names, (Names{"Tagged"}));
    EXPECT_EQ(result.genres.origin, track.string());
    EXPECT_TRUE(result.warnings.empty());
}

TEST(ResolveGenres, InfoOptionBeatsCoLocatedInfo) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": "Beside"})");
    std::filesystem::create_directory(dir / "elsewhere");
    write_file(dir / "elsewhere" / "chosen.json", R"({"genres": "Chosen"})");
    const GenreResult result = resolve_genres(track, {.cli = {}, .info = dir / "elsewhere" / "chosen.json"});
    EXPECT_EQ(result.genres.names, (Names{"Chosen"}));
    EXPECT_EQ(result.genres.source, GenreSource::info);
    EXPECT_EQ(result.genres.origin, (dir / "elsewhere" / "chosen.json").string());
}

TEST(ResolveGenres, InvalidInfoWarnsWithThePathAndFallsThroughToTags) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": ["Dub",)");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.source, GenreSource::tags);
    EXPECT_EQ(result.genres.names, (Names{"Tagged"}));
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_THAT(result.warnings[0], HasSubstr((dir / "a.INFO").string() + ": invalid JSON at byte"));
}

TEST(ResolveGenres, WrongShapeInfoWarnsAndFallsThrough) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": 5})");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.source, GenreSource::tags);
    EXPECT_THAT(result.warnings,
                ElementsAre((dir / "a.INFO").string() + ": 'genres' must be a string or a list of strings (found number)"));
}

// --info replaces the co-located lookup: when it is broken, the side-car the user did not pick is
// not consulted either.
TEST(ResolveGenres, BrokenInfoOptionWarnsAndGoesToTagsNotToTheSideCar) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"genres": "Beside"})");
    const GenreResult result = resolve_genres(track, {.cli = {}, .info = dir / "missing.INFO"});
    EXPECT_EQ(result.genres.source, GenreSource::tags);
    EXPECT_EQ(result.genres.names, (Names{"Tagged"}));
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_THAT(result.warnings[0], HasSubstr((dir / "missing.INFO").string() + ": cannot read"));
}

TEST(ResolveGenres, InfoWithoutGenresFallsThroughSilently) {
    TempDir dir;
    const auto track = tagged_flac(dir, "a.flac", "Tagged");
    write_file(dir / "a.INFO", R"({"title": "x", "genres": []})");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.source, GenreSource::tags);
    EXPECT_TRUE(result.warnings.empty());
}

TEST(ResolveGenres, UntaggedTrackFallsBackToUnknown) {
    TempDir dir;
    const auto track = make_audio(dir, "a.ogg", "-c:a libvorbis");
    const GenreResult result = resolve_genres(track, {});
    EXPECT_EQ(result.genres.names, (Names{"Unknown"}));
    EXPECT_EQ(result.genres.source, GenreSource::fallback);
    EXPECT_EQ(result.genres.origin, "");
    EXPECT_TRUE(result.warnings.empty());
}

TEST(ResolveGenres, CorruptTrackWarnsAndFallsBack) {
    TempDir dir;
    write_file(dir / "broken.flac", testing::noise(4096, 3));
    const GenreResult result = resolve_genres(dir / "broken.flac", {});
    EXPECT_EQ(result.genres.names, (Names{"Unknown"}));
    EXPECT_EQ(result.genres.source, GenreSource::fallback);
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_THAT(result.warnings[0], HasSubstr((dir / "broken.flac").string() + ": cannot read tags"));
}

}  // namespace
}  // namespace tunecap::tags
