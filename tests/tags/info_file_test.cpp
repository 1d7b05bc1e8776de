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

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;
using Names = std::vector<std::string>;

// The genres of a .INFO holding `json`, or the error message prefixed "error: ".
std::vector<std::string> read_json(const std::string& json) {
    TempDir dir;
    write_file(dir / "a.INFO", json);
    const core::Result<Names> result = read_info_file(dir / "a.INFO");
    if (!result.ok()) return {"error: " + result.error().message};
    return result.value();
}

// The error of a .INFO holding `json`; fails the test when it reads fine.
std::string info_error(const TempDir& dir, const std::string& json) {
    write_file(dir / "bad.INFO", json);
    const core::Result<Names> result = read_info_file(dir / "bad.INFO");
    EXPECT_FALSE(result.ok()) << json;
    return result.ok() ? std::string() : result.error().message;
}

TEST(ReadInfoFile, GenresAsAStringIsSplit) {
    EXPECT_EQ(read_json(R"({"genres": "Goa Trance, Psytrance"})"), (Names{"Goa Trance", "Psytrance"}));
}

TEST(ReadInfoFile, GenresAsAListSplitsEachItem) {
    EXPECT_EQ(read_json(R"({"genres": ["Dub", "Techno; dub"], "title": "x"})"), (Names{"Dub", "Techno"}));
}

TEST(ReadInfoFile, BothKeysMergeGenresFirstWhateverTheirOrderInTheFile) {
    EXPECT_EQ(read_json(R"({"musicbrainz_genres": ["electronic", "trance"], "genres": "Trance"})"),
              (Names{"Trance", "electronic"}));
    EXPECT_EQ(read_json(R"({"musicbrainz_genres": "ambient"})"), (Names{"ambient"}));
}

TEST(ReadInfoFile, NulInAJsonStringSeparates) {
    EXPECT_EQ(read_json(R"({"genres": "Rock\u0000Pop"})"), (Names{"Rock", "Pop"}));
}

TEST(ReadInfoFile, Utf8BomIsAccepted) {
    EXPECT_EQ(read_json("\xEF\xBB\xBF{\"genres\": \"Dub\"}"), (Names{"Dub"}));
}

// A valid side-car without genres is not an error: the chain moves on silently.
TEST(ReadInfoFile, ValidFileWithoutGenresIsEmpty) {
    EXPECT_EQ(read_json("{}"), Names{});
    EXPECT_EQ(read_json(R"({"genres": [], "musicbrainz_genres": ""})"), Names{});
    EXPECT_EQ(read_json(R"({"genres": null})"), Names{});
    EXPECT_EQ(read_json(R"({"Genres": "Rock"})"), Names{});
}

TEST(ReadInfoFile, InvalidJsonNamesTheFileAndTheByte) {
    TempDir dir;
    const std::string message = info_error(dir, R"({"genres": [Rock]})");
    EXPECT_THAT(message, AllOf(HasSubstr((dir / "bad.INFO").string() + ": invalid JSON at byte 13: "),
                               HasSubstr("syntax error")));
    EXPECT_THAT(message, ::testing::Not(HasSubstr("json.exception")));
    EXPECT_THAT(info_error(dir, ""), HasSubstr("invalid JSON"));
}

// nlohmann reports a number beyond a double as out_of_range, not parse_error: it is invalid JSON
// all the same, a warning and the chain goes on, not an exception that fails the track.
TEST(ReadInfoFile, ANumberTooLargeForADoubleIsInvalidJson) {
    TempDir dir;
    const std::string message = info_error(dir, R"({"genres": "Dub", "bpm": 1e400})");
    EXPECT_THAT(message, AllOf(HasSubstr((dir / "bad.INFO").string() + ": invalid JSON: "), HasSubstr("number overflow")));
    EXPECT_THAT(message, ::testing::Not(HasSubstr("json.exception")));
}

TEST(ReadInfoFile, ErrorsAreOneLineEvenWhenTheFileHasNewlines) {
    TempDir dir;
    EXPECT_THAT(info_error(dir, "{\n\"genres\":\n\t\"Rock\"\n"), ::testing::Not(HasSubstr("\n")));
}

// nlohmann quotes the token it stopped at; a 100 KB token must not make a 100 KB warning line.
TEST(ReadInfoFile, AHugeTokenMakesAShortError) {
    TempDir dir;
    const std::string prefix = (dir / "bad.INFO").string() + ": ";
    const std::string huge(100'000, 'x');
    const std::string string = info_error(dir, R"({"genres": ")" + huge);  // never closed
    EXPECT_THAT(string, AllOf(HasSubstr(prefix + "invalid JSON at byte "), HasSubstr("missing closing quote"), HasSubstr("xxx...")));
    EXPECT_LE(string.size(), prefix.size() + 250) << string.substr(0, 400);

    const std::string number = info_error(dir, R"({"bpm": 1)" + std::string(100'000, '0') + "}");
    EXPECT_THAT(number, AllOf(HasSubstr(prefix + "invalid JSON: "), HasSubstr("number overflow"), HasSubstr("000...")));
    EXPECT_LE(number.size(), prefix.size() + 250) << number.substr(0, 400);
}

TEST(ReadInfoFile, WrongShapesNameTheFileAndTheKey) {
    TempDir dir;
    const std::string path = (dir / "bad.INFO").string();
    EXPECT_EQ(info_error(dir, R"(["Rock"])"), path + ": the top level must be a JSON object (found array)");
    EXPECT_EQ(info_error(dir, R"("Rock")"), path + ": the top level must be a JSON object (found string)");
    EXPECT_EQ(info_error(dir, R"({"genres": 17})"),
              path + ": 'genres' must be a string or a list of strings (found number)");
    EXPECT_EQ(info_error(dir, R"({"genres": {"a": "Rock"}})"),
              path + ": 'genres' must be a string or a list of strings (found object)");
    EXPECT_EQ(info_error(dir, R"({"genres": ["Rock", 17]})"),
              path + ": 'genres' must be a string or a list of strings (item 1 is number)");
    EXPECT_EQ(info_error(dir, R"({"genres": "Rock", "musicbrainz_genres": [["Dub"]]})"),
              path + ": 'musicbrainz_genres' must be a string or a list of strings (item 0 is array)");
}

TEST(ReadInfoFile, UnreadableFilesNameTheFile) {
    TempDir dir;
    const core::Result<Names> missing = read_info_file(dir / "missing.INFO");
    ASSERT_FALSE(missing.ok());
    EXPECT_THAT(missing.error().message, HasSubstr((dir / "missing.INFO").string() + ": cannot read"));

    std::filesystem::create_directory(dir / "folder.INFO");
    const core::Result<Names> folder = read_info_file(dir / "folder.INFO");
    ASSERT_FALSE(folder.ok());
    EXPECT_EQ(folder.error().message, (dir / "folder.INFO").string() + ": cannot read: not a regular file");
}

TEST(FindInfoFile, SameStemComesFirst) {
    TempDir dir;
    write_file(dir / "01 Song.INFO", "{}");
    write_file(dir / "album.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "01 Song.flac"), dir / "01 Song.INFO");
}

TEST(FindInfoFile, SameStemInAnyLetterCasePrefersUpperCase) {
    TempDir dir;
    write_file(dir / "song.info", "{}");
    EXPECT_EQ(find_info_file(dir / "song.flac"), dir / "song.info");
    write_file(dir / "song.Info", "{}");
    EXPECT_EQ(find_info_file(dir / "song.flac"), dir / "song.info");
    write_file(dir / "song.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "song.flac"), dir / "song.INFO");
}

TEST(FindInfoFile, SingleInfoInTheFolderIsTheFolders) {
    TempDir dir;
    write_file(dir / "album.INFO", "{}");
    write_file(dir / "notes.txt", "");
    EXPECT_EQ(find_info_file(dir / "track.mp3"), dir / "album.INFO");
}

TEST(FindInfoFile, SeveralInfoFilesAreAmbiguous) {
    TempDir dir;
    write_file(dir / "a.INFO", "{}");
    write_file(dir / "b.info", "{}");
    EXPECT_EQ(find_info_file(dir / "track.mp3"), std::nullopt);
}

// A .INFO named after an audio file is that file's own: it is not the folder's side-car for the
// other tracks beside it, whatever the audio extension.
TEST(FindInfoFile, AnInfoNamedAfterAnotherAudioFileIsNotTheFolders) {
    TempDir dir;
    for (const char* name : {"a.flac", "b.mp3", "d.flac"}) write_file(dir / name, "");
    write_file(dir / "d.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "d.flac"), dir / "d.INFO");
    EXPECT_EQ(find_info_file(dir / "a.flac"), std::nullopt);
    EXPECT_EQ(find_info_file(dir / "b.mp3"), std::nullopt);
}

TEST(FindInfoFile, AnInfoNamedAfterATextFileStillServesTheFolder) {
    TempDir dir;
    write_file(dir / "a.flac", "");
    write_file(dir / "notes.txt", "");
    write_file(dir / "notes.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "a.flac"), dir / "notes.INFO");
}

TEST(FindInfoFile, NoneWhenAbsentOrNotAFile) {
    TempDir dir;
    EXPECT_EQ(find_info_file(dir / "track.mp3"), std::nullopt);
    std::filesystem::create_directory(dir / "track.INFO");
    EXPECT_EQ(find_info_file(dir / "track.mp3"), std::nullopt);
    EXPECT_EQ(find_info_file(dir / "missing-folder" / "track.mp3"), std::nullopt);
}

TEST(FindInfoFile, BareTrackNameSearchesTheWorkingFolder) {
    TempDir dir;
    write_file(dir / "song.INFO", "{}");
    const std::filesystem::path previous = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    const std::optional<std::filesystem::path> found = find_info_file("song.flac");
    std::filesystem::current_path(previous);
    EXPECT_EQ(found, std::filesystem::path("song.INFO"));
}

TEST(FindInfoFile, StemKeepsInnerDots) {
    TempDir dir;
    write_file(dir / "01. Intro.INFO", "{}");
    write_file(dir / "01.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "01. Intro.opus"), dir / "01. Intro.INFO");
}

// The prototype's layout: my_music/Artist - Track/full_mix.flac (and its stems), with
// my_music/Artist - Track.INFO beside the folder.
TEST(FindInfoFile, TheInfoNamedAfterTheFolderBesideItServesItsTracks) {
    TempDir dir;
    const auto folder = dir / "Artist - Album - Track";
    std::filesystem::create_directory(folder);
    for (const char* name : {"full_mix.flac", "drums.mp3"}) write_file(folder / name, "");
    write_file(dir / "Artist - Album - Track.INFO", "{}");
    EXPECT_EQ(find_info_file(folder / "full_mix.flac"), dir / "Artist - Album - Track.INFO");
    EXPECT_EQ(find_info_file(folder / "drums.mp3"), dir / "Artist - Album - Track.INFO");
}

TEST(FindInfoFile, TheFolderNamedInfoKeepsTheDotsOfTheFolderName) {
    TempDir dir;
    std::filesystem::create_directory(dir / "Vol. 2");
    write_file(dir / "Vol. 2.info", "{}");
    write_file(dir / "Vol.INFO", "{}");
    EXPECT_EQ(find_info_file(dir / "Vol. 2" / "full_mix.flac"), dir / "Vol. 2.info");
}

// Own "<stem>.INFO" first, then the folder-named one, then the folder's only one.
TEST(FindInfoFile, OwnInfoThenFolderNamedThenFolderWide) {
    TempDir dir;
    const auto folder = dir / "Artist - Track";
    std::filesystem::create_directory(folder);
    write_file(folder / "full_mix.flac", "");
    write_file(folder / "features.INFO", "{}");
    EXPECT_EQ(find_info_file(folder / "full_mix.flac"), folder / "features.INFO");
    write_file(dir / "Artist - Track.INFO", "{}");
    EXPECT_EQ(find_info_file(folder / "full_mix.flac"), dir / "Artist - Track.INFO");
    write_file(folder / "full_mix.INFO", "{}");
    EXPECT_EQ(find_info_file(folder / "full_mix.flac"), folder / "full_mix.INFO");
}

// my_music/Artist - Track.INFO is that folder's: a loose track in my_music does not take it as the
// folder-wide one, and an audio file of that name in my_music keeps it as its own.
TEST(FindInfoFile, AFolderNamedInfoIsNotTheParentFoldersAndAnAudioFileOfThatNameOwnsIt) {
    TempDir dir;
    std::filesystem::create_directory(dir / "Artist - Track");
    write_file(dir / "Artist - Track.INFO", "{}");
    write_file(dir / "loose.flac", "");
    EXPECT_EQ(find_info_file(dir / "loose.flac"), std::nullopt);
    write_file(dir / "Artist - Track.wav", "");
    EXPECT_EQ(find_info_file(dir / "Artist - Track.wav"), dir / "Artist - Track.INFO");
    EXPECT_EQ(find_info_file(dir / "Artist - Track" / "full_mix.flac"), std::nullopt);
}

// Run from inside the track's folder, the path names no folder; the folder-named .INFO is still
// found, spelled from the absolute folder.
TEST(FindInfoFile, TheFolderNamedInfoIsFoundFromInsideTheFolder) {
    TempDir dir;
    const auto folder = dir / "Artist - Track";
    std::filesystem::create_directory(folder);
    write_file(folder / "full_mix.flac", "");
    write_file(dir / "Artist - Track.INFO", "{}");
    const std::filesystem::path previous = std::filesystem::current_path();
    std::filesystem::current_path(folder);
    const std::optional<std::filesystem::path> bare = find_info_file("full_mix.flac");
    const std::optional<std::filesystem::path> dotted = find_info_file("./full_mix.flac");
    std::filesystem::current_path(dir.path());
    const std::optional<std::filesystem::path> relative = find_info_file("Artist - Track/full_mix.flac");
    std::filesystem::current_path(previous);
    EXPECT_EQ(bare, dir / "Artist - Track.INFO");
    EXPECT_EQ(dotted, dir / "Artist - Track.INFO");
    EXPECT_EQ(relative, std::filesystem::path("Artist - Track.INFO"));
}

}  // namespace
}  // namespace tunecap::tags
