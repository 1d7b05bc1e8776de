// SPDX-License-Identifier: GPL-3.0-or-later
// The 16-bit PCM WAV sent to the model server: exact bytes, clipping, and a round trip through decode().

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "audio/audio.hpp"
#include "audio_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::StartsWith;
using testing::TempDir;

std::int16_t sample_at(const std::vector<std::uint8_t>& wav, std::size_t index) {
    const std::size_t offset = 44 + 2 * index;
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(wav[offset] | (wav[offset + 1] << 8)));
}

std::vector<float> tone(int sample_rate, double seconds, double amplitude) {
    std::vector<float> samples(static_cast<std::size_t>(sample_rate * seconds));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * 440.0 * static_cast<double>(i) /
                                                             sample_rate));
    }
    return samples;
}

TEST(EncodeWav, HeaderIsTheCanonical44BytePcmMono16) {
    const std::vector<float> samples = {0.0f, 1.0f, -1.0f};
    const std::vector<std::uint8_t> wav = encode_wav_pcm16(samples, 16000);
    const std::vector<std::uint8_t> expected = {
        'R', 'I', 'F', 'F', 42, 0, 0, 0,           // RIFF size: 36 + 6 data bytes
        'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',    //
        16, 0, 0, 0,                               // fmt chunk size
        1, 0,                                      // PCM
        1, 0,                                      // mono
        0x80, 0x3E, 0, 0,                          // 16000 Hz
        0x00, 0x7D, 0, 0,                          // 32000 bytes per second
        2, 0,                                      // block align
        16, 0,                                     // bits per sample
        'd', 'a', 't', 'a', 6, 0, 0, 0,            // data size
        0x00, 0x00, 0xFF, 0x7F, 0x01, 0x80,        // 0, 32767, -32767, little-endian
    };
    EXPECT_THAT(wav, ElementsAreArray(expected));
}

TEST(EncodeWav, EmptyInputIsAHeaderWithNoData) {
    const std::vector<std::uint8_t> wav = encode_wav_pcm16({}, 16000);
    ASSERT_EQ(wav.size(), 44u);
    EXPECT_THAT(std::vector<std::uint8_t>(wav.begin() + 4, wav.begin() + 8), ElementsAre(36, 0, 0, 0));
    EXPECT_THAT(std::vector<std::uint8_t>(wav.begin() + 40, wav.end()), ElementsAre(0, 0, 0, 0));
}

TEST(EncodeWav, ScalesRoundsToNearestAndClips) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> samples = {0.5f, -0.5f, 0.25f, 1e-5f, 2e-5f, 1.5f, -3.0f, inf, -inf, nan};
    const std::vector<std::int16_t> expected = {16384, -16384, 8192, 0, 1, 32767, -32767, 32767, -32767, 0};
    const std::vector<std::uint8_t> wav = encode_wav_pcm16(samples, 16000);
    ASSERT_EQ(wav.size(), 44 + 2 * samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(sample_at(wav, i), expected[i]) << "sample " << i;
}

TEST(EncodeWav, RejectsANonPositiveSampleRate) {
    const std::vector<float> samples = {0.0f};
    EXPECT_THROW(encode_wav_pcm16(samples, 0), std::invalid_argument);
    TempDir dir;
    const auto written = write_wav_pcm16(dir / "x.wav", samples, -1);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().message, (dir / "x.wav").string() + ": invalid sample rate -1");
    EXPECT_FALSE(std::filesystem::exists(dir / "x.wav"));
}

TEST(WriteWav, RoundTripsThroughDecode) {
    TempDir dir;
    const auto path = dir / "model-input.wav";
    const std::vector<float> samples = tone(kModelSampleRate, 1.0, 0.5);
    ASSERT_TRUE(write_wav_pcm16(path, samples, kModelSampleRate).ok());
    EXPECT_EQ(std::filesystem::file_size(path), 44 + 2 * samples.size());

    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->source.codec, "pcm_s16le");
    EXPECT_EQ(decoded->source.container, "wav");
    EXPECT_EQ(decoded->source.channels, 1);
    EXPECT_EQ(decoded->source.sample_rate, kModelSampleRate);
    EXPECT_DOUBLE_EQ(decoded->source.duration_seconds, 1.0);
    ASSERT_EQ(decoded->samples.size(), samples.size());
    // We write round(x * 32767), FFmpeg reads s / 32768: the error is at most (|x| + 0.5) / 32768,
    // within one step for the half-scale tone.
    for (std::size_t i = 0; i < samples.size(); ++i) {
        ASSERT_NEAR(decoded->samples[i], samples[i], 1.0 / 32767) << "sample " << i;
    }
}

TEST(WriteWav, ReplacesAnExistingFileAndLeavesNoTempFiles) {
    TempDir dir;
    const auto path = dir / "model-input.wav";
    ASSERT_TRUE(write_wav_pcm16(path, tone(kModelSampleRate, 0.5, 0.5), kModelSampleRate).ok());
    const std::vector<float> second = {0.25f, -0.25f};
    ASSERT_TRUE(write_wav_pcm16(path, second, 8000).ok());

    const std::vector<char> bytes = testing::read_bytes(path);
    const std::vector<std::uint8_t> expected = encode_wav_pcm16(second, 8000);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), expected.begin(), expected.end(),
                           [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }));
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) names.push_back(entry.path().filename());
    EXPECT_THAT(names, ElementsAre("model-input.wav"));
}

TEST(WriteWav, MissingDirectoryIsAnErrorNamingThePath) {
    TempDir dir;
    const auto path = dir / "no-such-dir" / "x.wav";
    const std::vector<float> samples = {0.0f};
    const auto written = write_wav_pcm16(path, samples, kModelSampleRate);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().message, path.string() + ": cannot write WAV (No such file or directory)");
}

}  // namespace
}  // namespace tunecap::audio
