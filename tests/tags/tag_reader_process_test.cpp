// SPDX-License-Identifier: GPL-3.0-or-later
// Each test writes real files with the tools users' taggers resemble and reads them back through
// TagLib, so a TagLib upgrade that changes what the property map resolves shows up here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audio_fixtures.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

using ::testing::HasSubstr;
using testing::make_audio;
using testing::make_mp3;
using testing::quote;
using testing::run_tool;
using testing::TempDir;
using Names = std::vector<std::string>;

Names tag_genres(const std::filesystem::path& track) {
    const core::Result<Names> result = read_tag_genres(track);
    if (!result.ok()) return {"error: " + result.error().message};
    return result.value();
}

// An MP3 whose ID3v2 TCON frame is exactly `tcon` as written by the id3v2 tool (ID3v2.3).
Names mp3_with_tcon(const std::string& tcon) {
    TempDir dir;
    const std::filesystem::path track = make_mp3(dir, "t.mp3");
    run_tool("id3v2 --TCON " + quote(tcon) + " " + quote(track));
    return tag_genres(track);
}

TEST(ReadTagGenres, FlacGenre) {
    TempDir dir;
    const auto track = make_audio(dir, "a.flac", "-c:a flac");
    run_tool("metaflac --set-tag='GENRE=Goa Trance' " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Goa Trance"}));
}

TEST(ReadTagGenres, FlacMultiValuedGenreIsSplitMergedAndUtf8) {
    TempDir dir;
    const auto track = make_audio(dir, "a.flac", "-c:a flac");
    run_tool("metaflac --set-tag='GENRE=Goa Trance' --set-tag='GENRE=Psytrance; goa trance'"
             " --set-tag='GENRE=Forró' " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Goa Trance", "Psytrance", "Forró"}));
}

TEST(ReadTagGenres, FlacMusicBrainzGenreFollowsGenre) {
    TempDir dir;
    const auto track = make_audio(dir, "a.flac", "-c:a flac");
    run_tool("metaflac --set-tag=MUSICBRAINZ_GENRE=Electronic --set-tag=GENRE=Trance "
             "--set-tag='MUSICBRAINZ_GENRES=trance/Ambient' " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Trance", "Electronic", "Ambient"}));
}

TEST(ReadTagGenres, Mp3Id3v1AndV2GenreNumberFromId3v2Tool) {
    TempDir dir;
    const auto track = make_mp3(dir, "t.mp3");
    run_tool("id3v2 -g 17 " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Rock"}));
}

// id3v2 writes these bytes verbatim into TCON; TagLib 1.13 resolves all numeric forms itself.
TEST(ReadTagGenres, Mp3NumericTconReferencesResolveToNames) {
    EXPECT_EQ(mp3_with_tcon("(17)"), (Names{"Rock"}));
    EXPECT_EQ(mp3_with_tcon("17"), (Names{"Rock"}));
    EXPECT_EQ(mp3_with_tcon("(17)Rock"), (Names{"Rock"}));
    EXPECT_EQ(mp3_with_tcon("(17)(18)Goa Trance"), (Names{"Rock", "Techno", "Goa Trance"}));
}

// TagLib hands these over as "RX", "CR", "" and "Goa Trance"; the rest is ours.
TEST(ReadTagGenres, Mp3TconSpecialReferencesAndUnknownNumbers) {
    EXPECT_EQ(mp3_with_tcon("(RX)"), (Names{"Remix"}));
    EXPECT_EQ(mp3_with_tcon("(CR)"), (Names{"Cover"}));
    EXPECT_EQ(mp3_with_tcon("(200)"), Names{});
    EXPECT_EQ(mp3_with_tcon("200"), Names{});
    EXPECT_EQ(mp3_with_tcon("Goa Trance/Psytrance"), (Names{"Goa Trance", "Psytrance"}));
}

TEST(ReadTagGenres, Mp3Id3v24NumericGenre) {
    TempDir dir;
    const auto track = make_audio(dir, "t.mp3", "-c:a libmp3lame -b:a 32k -id3v2_version 4 -metadata genre=17");
    EXPECT_EQ(tag_genres(track), (Names{"Rock"}));
}

TEST(ReadTagGenres, Mp3MusicBrainzGenreInTxxx) {
    TempDir dir;
    const auto track = make_mp3(dir, "t.mp3");
    run_tool("id3v2 --TCON Trance --TXXX 'MusicBrainz Genre:Ambient; trance' " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Trance", "Ambient"}));
}

TEST(ReadTagGenres, OggVorbisWithoutTagsHasNoGenres) {
    TempDir dir;
    const auto track = make_audio(dir, "a.ogg", "-c:a libvorbis");
    EXPECT_EQ(tag_genres(track), Names{});
}

TEST(ReadTagGenres, OggVorbisMultiValuedGenreFromVorbiscomment) {
    TempDir dir;
    const auto track = make_audio(dir, "a.ogg", "-c:a libvorbis");
    run_tool("vorbiscomment -w -t GENRE=Ambient -t 'GENRE=Dub | ambient' " + quote(track));
    EXPECT_EQ(tag_genres(track), (Names{"Ambient", "Dub"}));
}

TEST(ReadTagGenres, OggVorbisGenreFromFfmpeg) {
    TempDir dir;
    const auto track = make_audio(dir, "a.ogg", "-c:a libvorbis -metadata genre='Deep House'");
    EXPECT_EQ(tag_genres(track), (Names{"Deep House"}));
}

TEST(ReadTagGenres, OpusGenre) {
    TempDir dir;
    const auto track = make_audio(dir, "a.opus", "-c:a libopus -metadata genre=Dub/Techno");
    EXPECT_EQ(tag_genres(track), (Names{"Dub", "Techno"}));
}

TEST(ReadTagGenres, M4aGenreItem) {
    TempDir dir;
    const auto track = make_audio(dir, "a.m4a", "-c:a aac -metadata genre='Deep House'");
    EXPECT_EQ(tag_genres(track), (Names{"Deep House"}));
}

// ©gen is free text: a number there is what the user typed, not an ID3v1 reference.
TEST(ReadTagGenres, M4aNumericGenreTextStaysText) {
    TempDir dir;
    const auto track = make_audio(dir, "a.m4a", "-c:a aac -metadata genre=17");
    EXPECT_EQ(tag_genres(track), (Names{"17"}));
}

// No Debian tool writes "gnre", so the "©gen" atom ffmpeg writes for a 2-character genre is
// rewritten in place into a "gnre" atom of the same size: data type 0 (implicit), big-endian
// 16-bit value = ID3v1 number + 1.
TEST(ReadTagGenres, M4aGnreIsId3v1NumberPlusOne) {
    TempDir dir;
    const auto track = make_audio(dir, "a.m4a", "-c:a aac -metadata genre=ab");
    std::string bytes = testing::read_file(track);
    const std::size_t at = bytes.find("\xA9gen");
    ASSERT_NE(at, std::string::npos);
    ASSERT_EQ(bytes.substr(at + 4, 16), std::string("\0\0\0\x12" "data" "\0\0\0\x01" "\0\0\0\0", 16));
    ASSERT_EQ(bytes.substr(at + 20, 2), "ab");
    bytes.replace(at, 4, "gnre");
    bytes.replace(at + 12, 4, std::string(4, '\0'));
    bytes.replace(at + 20, 2, std::string("\0\x12", 2));  // 18 = Rock (17) + 1
    testing::write_file(track, bytes);
    EXPECT_EQ(tag_genres(track), (Names{"Rock"}));
}

// An MP4 atom: 32-bit big-endian size including the 8-byte header, then the 4-byte name.
std::string atom(const std::string& name, const std::string& payload) {
    const std::size_t size = 8 + payload.size();
    std::string out{static_cast<char>(size >> 24), static_cast<char>((size >> 16) & 0xFF),
                    static_cast<char>((size >> 8) & 0xFF), static_cast<char>(size & 0xFF)};
    return out + name + payload;
}

// TagLib 1.13 leaves iTunes freeform items out of the property map, so they are read from the MP4
// item map. The freeform atom replaces a "©gen" atom padded to the same size, which keeps every
// parent atom size valid without rewriting the file.
TEST(ReadTagGenres, M4aFreeformMusicBrainzGenre) {
    const std::string zero(4, '\0');
    const std::string freeform =
        atom("----", atom("mean", zero + "com.apple.iTunes") + atom("name", zero + "MusicBrainz Genre") +
                         atom("data", std::string("\0\0\0\x01", 4) + zero + "Ambient; Dub"));
    const std::size_t padding = freeform.size() - 24;  // "©gen" atom: 8 header + 16 data header

    TempDir dir;
    const auto track = make_audio(dir, "a.m4a", "-c:a aac -metadata genre=" + std::string(padding, 'x'));
    std::string bytes = testing::read_file(track);
    const std::size_t at = bytes.find("\xA9gen");
    ASSERT_NE(at, std::string::npos);
    ASSERT_EQ(bytes.substr(at - 4, 4), freeform.substr(0, 4));
    bytes.replace(at - 4, freeform.size(), freeform);
    testing::write_file(track, bytes);
    EXPECT_EQ(tag_genres(track), (Names{"Ambient", "Dub"}));
}

TEST(ReadTagGenres, UnopenableFilesAreErrorsNamingTheFile) {
    TempDir dir;
    testing::write_file(dir / "noise.flac", testing::noise(4096, 1));
    testing::write_file(dir / "empty.ogg", "");
    testing::write_file(dir / "notes.txt", "not audio");
    for (const char* name : {"noise.flac", "empty.ogg", "notes.txt", "missing.mp3"}) {
        const core::Result<Names> result = read_tag_genres(dir / name);
        ASSERT_FALSE(result.ok()) << name;
        EXPECT_THAT(result.error().message, HasSubstr((dir / name).string() + ": cannot read tags: "));
    }
}

// Files TagLib opens but cannot make sense of must not crash; whatever they yield is fine.
TEST(ReadTagGenres, CorruptButOpenableFilesDoNotCrash) {
    TempDir dir;
    testing::write_file(dir / "noise.mp3", testing::noise(8192, 2));
    const auto flac = make_audio(dir, "cut.flac", "-c:a flac");
    run_tool("metaflac --set-tag=GENRE=Dub " + quote(flac));
    const auto mp3 = make_mp3(dir, "cut.mp3");
    run_tool("id3v2 --TCON '(17)Goa' " + quote(mp3));
    for (const auto& path : {flac, mp3}) {
        const std::string bytes = testing::read_file(path);
        for (const std::size_t keep : {std::size_t{4}, std::size_t{40}, bytes.size() / 2}) {
            testing::write_file(dir / ("cut-" + std::to_string(keep) + path.extension().string()), bytes.substr(0, keep));
        }
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        const core::Result<Names> result = read_tag_genres(entry.path());
        if (!result.ok()) {
            EXPECT_THAT(result.error().message, HasSubstr(entry.path().string()));
        }
    }
}

}  // namespace
}  // namespace tunecap::tags
