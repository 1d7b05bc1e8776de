// SPDX-License-Identifier: GPL-3.0-or-later
// One index for a run's tracks: what it lists and parses once. Its rules are find_info_file's
// (info_file_test.cpp).
#include "tags/info_index.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audio_fixtures.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

using ::testing::Contains;
using testing::TempDir;
using testing::write_file;
using Names = std::vector<std::string>;

// Each folder is listed once per index (2,000 tracks in one folder listed it 2,000 times): a .INFO
// that appears after the first track was looked up is not seen by the same index.
TEST(InfoIndex, ListsEachFolderOnce) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "b.flac", "");
    InfoIndex index;
    EXPECT_EQ(index.find(dir / "a.flac"), std::nullopt);
    write_file(dir / "album.INFO", "{}");
    EXPECT_EQ(index.find(dir / "b.flac"), std::nullopt) << "the folder was listed again";
    EXPECT_EQ(InfoIndex().find(dir / "b.flac"), dir / "album.INFO");
}

// The folder beside which "<folder>.INFO" lies is listed once too, however many folders it holds.
TEST(InfoIndex, ListsTheParentFolderOnce) {
    TempDir dir;
    for (const char* folder : {"One", "Two"}) {
        std::filesystem::create_directory(dir / folder);
        write_file(dir / folder / "full_mix.flac", "");
    }
    write_file(dir / "One.INFO", "{}");
    InfoIndex index;
    EXPECT_EQ(index.find(dir / "One" / "full_mix.flac"), dir / "One.INFO");
    write_file(dir / "Two.INFO", "{}");
    EXPECT_EQ(index.find(dir / "Two" / "full_mix.flac"), std::nullopt) << "the parent folder was listed again";
}

// Each .INFO is parsed once per index (a 10 MB folder-wide .INFO took 7.5 s per track).
TEST(InfoIndex, ParsesEachInfoOnce) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "b.flac", "");
    write_file(dir / "album.INFO", R"({"genres": "First"})");
    InfoIndex index;
    EXPECT_EQ(resolve_genres(dir / "a.flac", {}, index).genres.names, (Names{"First"}));
    write_file(dir / "album.INFO", R"({"genres": "Second"})");
    EXPECT_EQ(resolve_genres(dir / "b.flac", {}, index).genres.names, (Names{"First"})) << "parsed again";
    EXPECT_EQ(resolve_genres(dir / "b.flac", {}).genres.names, (Names{"Second"}));
}

// --info is the same file for every track: read once too, and its errors repeated for each track.
TEST(InfoIndex, TheInfoOptionIsParsedOnceAndABadOneWarnsForEveryTrack) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "b.flac", "");
    write_file(dir / "chosen.json", R"({"genres": 7})");
    InfoIndex index;
    const GenreOptions options{.cli = {}, .info = dir / "chosen.json"};
    const std::string warning = (dir / "chosen.json").string() + ": 'genres' must be a string or a list of strings (found number)";
    EXPECT_THAT(resolve_genres(dir / "a.flac", options, index).warnings, Contains(warning));
    write_file(dir / "chosen.json", R"({"genres": "Fixed"})");
    EXPECT_THAT(resolve_genres(dir / "b.flac", options, index).warnings, Contains(warning));
}

}  // namespace
}  // namespace tunecap::tags
