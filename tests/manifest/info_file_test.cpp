// SPDX-License-Identifier: GPL-3.0-or-later
// A caption written into a track's .INFO side-car: every other key and value kept, a backup of the
// file as it was, one error line for a side-car that is not a JSON object.
#include "manifest/info_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "file_size_limit.hpp"
#include "files.hpp"
#include "temp_dir.hpp"

namespace tunecap::manifest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::ordered_json;
using namespace tunecap::testing;

constexpr std::string_view kKey = "tunecap_flamingo_music_flamingo_brief";

// A side-car as the prototype's toolchain writes one, indented, with nested objects, arrays and
// numbers at the edges of what JSON readers keep exactly.
const std::string kToolchainInfo = R"({
  "artist": "Beyoncé",
  "genres": ["Pop", "R&B"],
  "musicbrainz": {"recording_id": "b1a9c0e9-d987-4042-ae91-78d6a3267d69", "rating": {"votes": 12, "value": 4.5}},
  "bpm": 127.5,
  "duration_ms": 185250,
  "file_size": 18446744073709551615,
  "offset": -9223372036854775808,
  "gain": -0.000001,
  "replaygain": 1e-7,
  "pi": 3.141592653589793,
  "explicit": false,
  "isrc": null
}
)";

std::vector<std::string> keys_of(const ordered_json& object) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.items()) keys.push_back(key);
    return keys;
}

std::string updated(std::string_view text, std::string_view caption = "A warm groove.") {
    auto result = with_caption(text, kKey, caption);
    if (!result) throw core::Failure(result.error());
    if (!result.value()) throw core::Failure("unchanged");
    return *result.value();
}

TEST(InfoKey, NamesPhaseModelAndPrompt) {
    store::StepRow row;
    row.phase = "omni_genre";
    row.model = "qwen_omni";
    row.prompt = "mood";
    EXPECT_EQ(info_key(row), "tunecap_omni_genre_qwen_omni_mood");
}

TEST(WithCaption, KeepsEveryOtherKeyValueAndPlaceAndAddsTheCaptionLast) {
    const auto text = updated(kToolchainInfo);
    auto before = ordered_json::parse(kToolchainInfo);
    auto after = ordered_json::parse(text);
    EXPECT_THAT(keys_of(after), ElementsAre("artist", "genres", "musicbrainz", "bpm", "duration_ms", "file_size", "offset", "gain",
                                            "replaygain", "pi", "explicit", "isrc", kKey));
    EXPECT_EQ(after[std::string(kKey)], "A warm groove.");
    auto without = after;
    without.erase(std::string(kKey));
    EXPECT_EQ(without, before);
    EXPECT_EQ(after["musicbrainz"].dump(), before["musicbrainz"].dump()) << "nested key order kept";
    // Numbers as text, so a change of type or precision shows.
    EXPECT_THAT(text, HasSubstr("\"file_size\": 18446744073709551615,"));
    EXPECT_THAT(text, HasSubstr("\"offset\": -9223372036854775808,"));
    EXPECT_THAT(text, HasSubstr("\"duration_ms\": 185250,"));
    EXPECT_THAT(text, HasSubstr("\"pi\": 3.141592653589793,"));
    EXPECT_EQ(after["gain"].get<double>(), -0.000001);
    EXPECT_EQ(after["replaygain"].get<double>(), 1e-7);
    // The layout is the original's: two-space indent, raw UTF-8, a final newline.
    EXPECT_TRUE(text.starts_with("{\n  \"artist\": \"Beyoncé\",\n")) << text;
    EXPECT_TRUE(text.ends_with("\n}\n"));
}

TEST(WithCaption, ReplacesAnExistingKeyWhereItIsAndKeepsAOneLineFileOnOneLine) {
    const auto text = updated(R"({"a":1,"tunecap_flamingo_music_flamingo_brief":"Old.","b":{"c":[1,2]}})", "New.");
    EXPECT_EQ(text, R"({"a":1,"tunecap_flamingo_music_flamingo_brief":"New.","b":{"c":[1,2]}})");
}

TEST(WithCaption, AnAsciiFileStaysAscii) {
    EXPECT_EQ(updated("{\"artist\": \"Beyonc\\u00e9\"}\r\n"),
              "{\"artist\":\"Beyonc\\u00e9\",\"tunecap_flamingo_music_flamingo_brief\":\"A warm groove.\"}\r\n");
    EXPECT_EQ(updated("{\r\n\t\"a\": 1\r\n}"), "{\r\n\t\"a\": 1,\r\n\t\"tunecap_flamingo_music_flamingo_brief\": \"A warm groove.\"\r\n}");
}

TEST(WithCaption, UnchangedWhenTheKeyHoldsTheCaptionAlready) {
    const auto result = with_caption(R"({"tunecap_flamingo_music_flamingo_brief": "Same."})", kKey, "Same.");
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(result.value());
}

TEST(WithCaption, ATopLevelThatIsNotAnObjectOrNotJsonIsAnError) {
    auto result = with_caption(R"(["Pop"])", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "the top level must be a JSON object (found array)");
    result = with_caption("genres: Pop", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("invalid JSON at byte 1"));
    result = with_caption(R"({"a": 1E400})", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("invalid JSON"));
}

TEST(WithCaption, AValueThatRewritingWouldChangeIsRefused) {
    auto result = with_caption(R"({"id": 123456789012345678901234})", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("the integer 123456789012345678901234 does not fit 64 bits"));
    result = with_caption(R"({"tiny": 1e-400})", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("the number 1e-400 is too small for a double"));
    result = with_caption(R"({"a": {"b": 1, "b": 2}})", kKey, "x");
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("the key \"b\" appears twice"));
    EXPECT_TRUE(with_caption(R"({"zero": 0.0e-5, "b": {"b": 1}, "c": [{"b": 1}, {"b": 2}]})", kKey, "x").ok());
}

TEST(WriteCaption, BacksUpTheFirstOriginalAndNeverReplacesThatBackup) {
    TempDir temp;
    const auto info = temp / "Artist - Album - Track.INFO";
    write_bytes(info, kToolchainInfo);

    auto write = write_caption(info, kKey, "First.");
    ASSERT_TRUE(write.ok()) << write.error().message;
    EXPECT_EQ(write->update, InfoUpdate::written);
    EXPECT_TRUE(write->backed_up);
    EXPECT_EQ(read_bytes(temp / "Artist - Album - Track.INFO.bak"), kToolchainInfo);
    EXPECT_EQ(ordered_json::parse(read_bytes(info))[std::string(kKey)], "First.");

    write = write_caption(info, kKey, "Second.");
    ASSERT_TRUE(write.ok());
    EXPECT_TRUE(write->update == InfoUpdate::written && !write->backed_up);
    EXPECT_EQ(read_bytes(temp / "Artist - Album - Track.INFO.bak"), kToolchainInfo) << "still the file before tunecap";
    EXPECT_EQ(ordered_json::parse(read_bytes(info))[std::string(kKey)], "Second.");

    write = write_caption(info, kKey, "Second.");
    ASSERT_TRUE(write.ok());
    EXPECT_EQ(write->update, InfoUpdate::unchanged);
    EXPECT_THAT(names_in(temp.path()), ElementsAre("Artist - Album - Track.INFO", "Artist - Album - Track.INFO.bak"));
}

TEST(WriteCaption, ASideCarThatIsNotAnObjectIsOneErrorNamingItAndStaysAsItWas) {
    TempDir temp;
    const auto info = temp / "song.INFO";
    write_bytes(info, R"(["Pop", "Rock"])");
    const auto write = write_caption(info, kKey, "x");
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.error().message, info.string() + ": the top level must be a JSON object (found array)");
    EXPECT_EQ(read_bytes(info), R"(["Pop", "Rock"])");
    EXPECT_THAT(names_in(temp.path()), ElementsAre("song.INFO")) << "no backup, no temporary file";
}

TEST(WriteCaption, AFailedWriteLeavesTheOriginalAndNoTemporaryFile) {
    TempDir temp;
    const auto info = temp / "song.INFO";
    write_bytes(info, R"({"genres": "Dub"})");
    core::Result<InfoWrite> write = InfoWrite{};
    {
        const FileSizeLimit limit(64);  // room for the backup, not for a 200-character caption
        write = write_caption(info, kKey, std::string(200, 'x'));
    }
    ASSERT_FALSE(write.ok());
    EXPECT_THAT(write.error().message, HasSubstr(info.string() + ": cannot write"));
    EXPECT_EQ(read_bytes(info), R"({"genres": "Dub"})");
    EXPECT_THAT(names_in(temp.path()), ElementsAre("song.INFO", "song.INFO.bak"));
}

TEST(WriteCaption, ALinkedSideCarIsUpdatedAtItsTarget) {
    TempDir temp;
    write_bytes(temp / "store/song.INFO", R"({"genres": "Dub"})");
    fs::create_directories(temp / "music");
    fs::create_symlink(temp / "store/song.INFO", temp / "music/song.INFO");
    ASSERT_TRUE(write_caption(temp / "music/song.INFO", kKey, "Linked.").ok());
    EXPECT_TRUE(fs::is_symlink(temp / "music/song.INFO"));
    EXPECT_EQ(ordered_json::parse(read_bytes(temp / "store/song.INFO"))[std::string(kKey)], "Linked.");
    EXPECT_TRUE(fs::exists(temp / "store/song.INFO.bak"));
}

// The side-car written is the one the genre chain reads: "<stem>.INFO", else the .INFO named
// after the track's folder and kept beside that folder (the prototype's layout), else the only
// *.INFO in the track's folder.
TEST(InfoFileOf, IsTheSideCarTheGenreChainReads) {
    TempDir temp;
    write_bytes(temp / "x/song.flac", "");
    write_bytes(temp / "x/song.INFO", "{}");
    write_bytes(temp / "x/other.INFO", "{}");
    EXPECT_EQ(info_file_of(temp / "x/song.flac"), temp / "x/song.INFO");
    write_bytes(temp / "y/full_mix.flac", "");
    write_bytes(temp / "y/album.INFO", "{}");
    EXPECT_EQ(info_file_of(temp / "y/full_mix.flac"), temp / "y/album.INFO");
    write_bytes(temp / "my_music/Artist - Album - Track/full_mix.flac", "");
    write_bytes(temp / "my_music/Artist - Album - Track.INFO", "{}");
    EXPECT_EQ(info_file_of(temp / "my_music/Artist - Album - Track/full_mix.flac"),
              temp / "my_music/Artist - Album - Track.INFO");
}

// Many tracks at once (an export of a whole run) get what each would alone, in their order.
TEST(InfoFilesOf, AnswersAsInfoFileOfForEachTrackInOrder) {
    TempDir temp;
    write_bytes(temp / "m/One/full_mix.flac", "");
    write_bytes(temp / "m/One/drums.mp3", "");
    write_bytes(temp / "m/One.INFO", "{}");
    write_bytes(temp / "m/loose.flac", "");
    write_bytes(temp / "m/loose.INFO", "{}");
    write_bytes(temp / "n/alone.flac", "");
    const std::vector<fs::path> tracks = {temp / "m/One/drums.mp3", temp / "n/alone.flac", temp / "m/loose.flac",
                                          temp / "m/One/full_mix.flac"};
    EXPECT_EQ(info_files_of(tracks), (std::vector<std::optional<fs::path>>{temp / "m/One.INFO", std::nullopt,
                                                                           temp / "m/loose.INFO", temp / "m/One.INFO"}));
    for (const auto& track : tracks) EXPECT_EQ(info_file_of(track), info_files_of({track}).front()) << track;
}

}  // namespace
}  // namespace tunecap::manifest
