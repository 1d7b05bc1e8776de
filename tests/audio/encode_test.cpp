// SPDX-License-Identifier: GPL-3.0-or-later
// FLAC and MP3 for the model server: decoded back with tunecap's own decoder, FLAC must give the
// WAV's samples exactly and MP3 the same length and sound; both deterministic, and in the byte
// layout llama-server's loader sniffs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "audio/audio.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

using core::AudioFormat;
using testing::TempDir;

// Something like music: a chord, a beat-like envelope and a little noise, at 16 kHz.
std::vector<float> music_like(double seconds) {
    std::mt19937 random(7);
    std::normal_distribution<float> noise(0.0f, 0.02f);
    std::vector<float> samples(static_cast<std::size_t>(seconds * kModelSampleRate));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double t = static_cast<double>(i) / kModelSampleRate;
        const double envelope = 0.6 + 0.4 * std::cos(2.0 * std::numbers::pi * 2.0 * t);
        double chord = 0;
        for (const double hz : {220.0, 277.18, 329.63, 1760.0}) chord += std::sin(2.0 * std::numbers::pi * hz * t);
        samples[i] = static_cast<float>(0.15 * envelope * chord) + noise(random);
    }
    return samples;
}

std::filesystem::path write_file(const TempDir& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

DecodedAudio decoded_as(const TempDir& dir, const std::vector<float>& samples, AudioFormat format) {
    const auto encoded = encode_audio(samples, kModelSampleRate, format);
    if (!encoded) throw std::runtime_error(encoded.error().message);
    const auto path = write_file(dir, "sent." + std::string(core::to_string(format)), encoded.value());
    auto decoded = decode(path);
    if (!decoded) throw std::runtime_error(decoded.error().message);
    return std::move(decoded).take();
}

TEST(EncodeAudio, FlacDecodesToExactlyTheWavSamples) {
    TempDir dir;
    const auto samples = music_like(10.3);
    const auto wav = decoded_as(dir, samples, AudioFormat::wav);
    const auto flac = decoded_as(dir, samples, AudioFormat::flac);
    EXPECT_EQ(flac.source.codec, "flac");
    EXPECT_EQ(flac.source.sample_rate, kModelSampleRate);
    EXPECT_EQ(flac.source.channels, 1);
    // STREAMINFO carries the sample count (the muxer went back to write it): the server's loader
    // takes its length from there.
    EXPECT_NEAR(flac.source.duration_seconds, static_cast<double>(samples.size()) / kModelSampleRate, 1e-6);
    ASSERT_EQ(flac.samples.size(), samples.size());
    EXPECT_EQ(flac.samples, wav.samples);  // lossless: why FLAC keeps the WAV's step keys
}

TEST(EncodeAudio, Mp3KeepsTheLengthAndTheSound) {
    TempDir dir;
    const auto samples = music_like(10.3);
    const auto mp3 = decoded_as(dir, samples, AudioFormat::mp3);
    EXPECT_EQ(mp3.source.codec, "mp3");
    EXPECT_EQ(mp3.source.sample_rate, kModelSampleRate);
    // The LAME tag's encoder delay and padding are dropped by decoders (FFmpeg here, miniaudio in
    // the server), so the length is the input's.
    ASSERT_EQ(mp3.samples.size(), samples.size());
    double signal = 0;
    double error = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        signal += static_cast<double>(samples[i]) * samples[i];
        error += std::pow(static_cast<double>(mp3.samples[i]) - samples[i], 2);
    }
    // Aligned and close: a signal-to-error ratio above 15 dB (a misaligned or wrong-rate decode
    // is near 0 dB).
    EXPECT_GT(10.0 * std::log10(signal / error), 15.0);
}

TEST(EncodeAudio, CompressedFormatsAreSmallerAndDeterministic) {
    const auto samples = music_like(10.3);
    const auto wav = encode_audio(samples, kModelSampleRate, AudioFormat::wav);
    ASSERT_TRUE(wav.ok());
    for (const auto format : {AudioFormat::flac, AudioFormat::mp3}) {
        const auto first = encode_audio(samples, kModelSampleRate, format);
        const auto second = encode_audio(samples, kModelSampleRate, format);
        ASSERT_TRUE(first.ok()) << first.error().message;
        ASSERT_TRUE(second.ok()) << second.error().message;
        // The server keys its audio cache by a hash of these bytes.
        EXPECT_EQ(first.value(), second.value()) << core::to_string(format);
        EXPECT_LT(first->size(), wav->size()) << core::to_string(format);
    }
}

TEST(EncodeAudio, BytesStartAsTheServersLoaderSniffsThem) {
    const auto samples = music_like(1.0);
    const auto flac = encode_audio(samples, kModelSampleRate, AudioFormat::flac);
    const auto mp3 = encode_audio(samples, kModelSampleRate, AudioFormat::mp3);
    ASSERT_TRUE(flac.ok());
    ASSERT_TRUE(mp3.ok());
    EXPECT_EQ(std::string(flac->begin(), flac->begin() + 4), "fLaC");
    // No ID3 tag: an MPEG frame sync first.
    EXPECT_EQ(mp3.value()[0], 0xFF);
    EXPECT_EQ(mp3.value()[1] & 0xE0, 0xE0);
}

TEST(EncodeAudio, FlacStreamInfoCarriesTheSampleCount) {
    // llama-server's loader (miniaudio) takes a FLAC's length from STREAMINFO alone: a count of 0,
    // which a muxer that cannot seek back leaves, would give it no audio at all.
    const auto samples = music_like(2.5);
    const auto flac = encode_audio(samples, kModelSampleRate, AudioFormat::flac);
    ASSERT_TRUE(flac.ok());
    const auto& b = flac.value();
    ASSERT_GT(b.size(), 8u + 18u);
    EXPECT_EQ(b[4] & 0x7F, 0);  // the first metadata block is STREAMINFO
    const std::size_t info = 8;
    const std::uint32_t rate = b[info + 10] << 12 | b[info + 11] << 4 | b[info + 12] >> 4;
    const std::uint64_t count = static_cast<std::uint64_t>(b[info + 13] & 0x0F) << 32 | static_cast<std::uint64_t>(b[info + 14]) << 24 |
                                static_cast<std::uint64_t>(b[info + 15]) << 16 | b[info + 16] << 8 | b[info + 17];
    EXPECT_EQ(rate, static_cast<std::uint32_t>(kModelSampleRate));
    EXPECT_EQ(count, samples.size());
}

TEST(EncodeAudio, ClipsLikeTheWav) {
    const std::vector<float> loud = {0.5f, 1.5f, -3.0f, 0.25f};
    TempDir dir;
    const auto flac = decoded_as(dir, loud, AudioFormat::flac);
    const auto wav = decoded_as(dir, loud, AudioFormat::wav);
    EXPECT_EQ(flac.samples, wav.samples);
}

TEST(EncodeAudio, ABadSampleRateIsAnError) {
    const std::vector<float> samples = {0.0f};
    for (const auto format : core::kAllAudioFormats) {
        const auto encoded = encode_audio(samples, 0, format);
        ASSERT_FALSE(encoded.ok()) << core::to_string(format);
        EXPECT_THAT(encoded.error().message, ::testing::HasSubstr("invalid sample rate 0"));
    }
}

TEST(EncodeAudio, OnlyMp3IsALossyEncoding) {
    EXPECT_EQ(lossy_encoding(AudioFormat::wav), "");
    EXPECT_EQ(lossy_encoding(AudioFormat::flac), "");
    EXPECT_EQ(lossy_encoding(AudioFormat::mp3), "mp3 64 kbit/s");
}

}  // namespace
}  // namespace tunecap::audio
