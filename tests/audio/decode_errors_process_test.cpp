// SPDX-License-Identifier: GPL-3.0-or-later
// Damaged, empty and non-audio files: one-line errors naming the file, or as much audio as survives.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audio/audio.hpp"
#include "audio_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::kTone;
using testing::TempDir;

const std::string kStereoTone = kTone + "|" + kTone;

// Both entry points fail the same way: "<path>: ...<reason>...", on one line.
void expect_unreadable(const std::filesystem::path& path, const std::string& reason) {
    const auto decoded = decode(path);
    ASSERT_FALSE(decoded.ok());
    EXPECT_THAT(decoded.error().message, StartsWith(path.string() + ": "));
    EXPECT_THAT(decoded.error().message, HasSubstr(reason));
    EXPECT_THAT(decoded.error().message, Not(HasSubstr("\n")));

    const auto info = probe(path);
    ASSERT_FALSE(info.ok());
    EXPECT_THAT(info.error().message, StartsWith(path.string() + ": "));
    EXPECT_THAT(info.error().message, HasSubstr(reason));
}

TEST(DecodeErrors, RandomBytesNamedFlac) {
    TempDir dir;
    const auto path = dir / "random.flac";
    testing::write_bytes(path, testing::random_bytes(20000));
    // FFmpeg picks the flac demuxer from the extension alone and finds no stream parameters.
    expect_unreadable(path, "not a readable audio file");
}

TEST(DecodeErrors, RandomBytesNamedMp3) {
    TempDir dir;
    const auto path = dir / "random.mp3";
    testing::write_bytes(path, testing::random_bytes(20000));
    expect_unreadable(path, "not a readable audio file");
}

TEST(DecodeErrors, TextFileNamedMp3) {
    TempDir dir;
    const auto path = dir / "notes.mp3";
    const std::string text = "These are not the samples you are looking for.\n";
    testing::write_bytes(path, {text.begin(), text.end()});
    expect_unreadable(path, "not a readable audio file");
}

TEST(DecodeErrors, EmptyFile) {
    TempDir dir;
    const auto path = dir / "empty.flac";
    testing::write_bytes(path, {});
    expect_unreadable(path, "empty file");
}

TEST(DecodeErrors, NonexistentPath) {
    TempDir dir;
    expect_unreadable(dir / "missing.flac", "No such file or directory");
}

TEST(DecodeErrors, Directory) {
    TempDir dir;
    std::filesystem::create_directory(dir / "album.flac");
    expect_unreadable(dir / "album.flac", "not a readable audio file");
}

TEST(DecodeErrors, ImageHasNoAudioStream) {
    TempDir dir;
    const auto path = dir / "cover.png";
    testing::run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i color=c=red:s=16x16 -frames:v 1 " +
                      testing::shell_quoted(path));
    expect_unreadable(path, "no audio stream");
}

TEST(DecodeErrors, StreamWithoutSamples) {
    TempDir dir;
    const auto path = dir / "nothing.flac";
    testing::run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i aevalsrc=0:s=44100:d=1 -frames:a 0 -c:a flac " +
                      testing::shell_quoted(path));
    // The header is valid, so probe() succeeds; only decoding finds nothing.
    const auto info = probe(path);
    ASSERT_TRUE(info.ok()) << info.error().message;
    const auto decoded = decode(path);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().message, path.string() + ": decoded no audio samples");
}

TEST(DecodeErrors, InvalidTargetRate) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "tone.wav", kStereoTone, 44100, 0.1, "-c:a pcm_s16le");
    for (const int rate : {0, -16000, 10000000}) {
        const auto decoded = decode(path, rate);
        ASSERT_FALSE(decoded.ok());
        EXPECT_EQ(decoded.error().message, path.string() + ": invalid target sample rate " + std::to_string(rate));
    }
}

TEST(DecodeErrors, TruncatedFileKeepsWhatRemains) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "cut.flac", kStereoTone, 44100, 2.0, "-c:a flac");
    std::vector<char> bytes = testing::read_bytes(path);
    bytes.resize(bytes.size() / 2);
    testing::write_bytes(path, bytes);

    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    // About half of the audio (the header and the cut frame take the rest).
    EXPECT_GT(decoded->source.duration_seconds, 0.6);
    EXPECT_LT(decoded->source.duration_seconds, 1.1);
    EXPECT_NEAR(testing::zero_crossing_hz(testing::middle(decoded->samples, kModelSampleRate), kModelSampleRate),
                testing::kToneHz, 2.0);
    // STREAMINFO still says 2 s: the decode says how much of it was read.
    ASSERT_TRUE(decoded->truncated);
    EXPECT_NEAR(decoded->truncated->declared_seconds, 2.0, 0.001);
    EXPECT_EQ(decoded->truncated->decoded_seconds, decoded->source.duration_seconds);
}

// 20 s cut in half with truncate(1), in the formats whose header states the length: found short.
// (FFmpeg takes a WAV's length from the file when its data size promises more, and an Ogg's from its
// last page, so a cut WAV or Ogg is a shorter file, not a short one.)
class CutInHalf : public ::testing::TestWithParam<const char*> {};

TEST_P(CutInHalf, ReportsTheDeclaredAndTheDecodedSeconds) {
    const std::string format = GetParam();
    const std::string codec = format == "flac" ? "-c:a flac" : "-c:a libmp3lame -b:a 128k";
    TempDir dir;
    const auto path = testing::make_tone_file(dir / ("cut." + format), kStereoTone, 44100, 20.0, codec);
    const auto whole = decode(path);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_FALSE(whole->truncated);

    testing::run_tool("truncate -s " + std::to_string(std::filesystem::file_size(path) / 2) + " " + testing::shell_quoted(path));
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_TRUE(decoded->truncated);
    EXPECT_NEAR(decoded->truncated->declared_seconds, 20.0, 0.06);
    EXPECT_NEAR(decoded->truncated->decoded_seconds, 10.0, 0.6);
    EXPECT_EQ(truncation_text(path, *decoded->truncated),
              path.string() + ": the audio stops at " + fmt::format("{:.1f}", decoded->truncated->decoded_seconds) +
                  " s of 20.0 s declared (truncated or damaged file)");
    // The facts' decode (its own rate, stereo) finds the same.
    const auto native = decode_native(path);
    ASSERT_TRUE(native.ok());
    EXPECT_TRUE(native->truncated);
    // Stopped at a limit before the cut: nothing was missing from what was read.
    const auto limited = decode(path, kModelSampleRate, 5.0);
    ASSERT_TRUE(limited.ok());
    EXPECT_FALSE(limited->truncated);
}

INSTANTIATE_TEST_SUITE_P(Formats, CutInHalf, ::testing::Values("flac", "mp3"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

// Garbage over 5% of the file mid-stream: the damaged packets are skipped, the rest decodes.
class CorruptMidStream : public ::testing::TestWithParam<const char*> {};

TEST_P(CorruptMidStream, SkipsDamagedPackets) {
    const std::string format = GetParam();
    TempDir dir;
    const auto path = testing::make_tone_file(dir / ("damaged." + format), kStereoTone, 44100, 2.0,
                                              format == "m4a" ? "-c:a aac" : "-c:a flac");
    testing::overwrite_with_garbage(path, 0.40, 0.45);

    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_GT(decoded->source.duration_seconds, 1.5);
    EXPECT_LT(decoded->source.duration_seconds, 2.1);
    const auto start = std::span<const float>(decoded->samples).first(kModelSampleRate / 2);
    EXPECT_NEAR(testing::zero_crossing_hz(start, kModelSampleRate), testing::kToneHz, 2.0);
}

INSTANTIATE_TEST_SUITE_P(Formats, CorruptMidStream, ::testing::Values("flac", "m4a"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

TEST(DecodeErrors, MostlyCorruptFileIsRejected) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "ruined.m4a", kStereoTone, 44100, 2.0, "-c:a aac");
    // MP4 keeps its packet index in the trailing moov box, so every packet is still found and
    // most of them fail to decode.
    testing::overwrite_with_garbage(path, 0.15, 0.90);
    const auto decoded = decode(path);
    ASSERT_FALSE(decoded.ok());
    EXPECT_THAT(decoded.error().message, StartsWith(path.string() + ": mostly corrupt, "));
    EXPECT_THAT(decoded.error().message, HasSubstr("packets undecodable"));
}

}  // namespace
}  // namespace tunecap::audio
