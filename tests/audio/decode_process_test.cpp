// SPDX-License-Identifier: GPL-3.0-or-later
// decode() and probe() on real files of every common format, made by ffmpeg/sox at test time.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "audio/audio.hpp"
#include "audio_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

using testing::kTone;
using testing::kToneAmplitude;
using testing::kToneHz;
using testing::TempDir;

constexpr double kSeconds = 2.0;
constexpr double kToneRms = kToneAmplitude / std::numbers::sqrt2;
const std::string kStereoTone = kTone + "|" + kTone;

struct Format {
    const char* extension;
    const char* encoder_options;
    const char* codec;
    const char* container;
    int decoded_rate;  // what the decoder outputs, which for Opus is always 48 kHz
    // Allowed decoded length beyond [kSeconds - early, kSeconds + late]: encoder delay and padding
    // that the format's metadata lets FFmpeg trim, or not.
    double early_seconds;
    double late_seconds;
    double max_deviation;  // from the reference tone, sample by sample
};

std::string format_name(const ::testing::TestParamInfo<Format>& info) { return info.param.extension; }

// Names the format in failure messages instead of gtest's byte dump.
void PrintTo(const Format& format, std::ostream* out) { *out << format.extension; }

// Lossless: exact length (one sample of rounding at 16 kHz) and 16-bit accuracy.
// MP3 (LAME tag), Vorbis and Opus (Ogg granule positions) carry delay and padding, so FFmpeg trims
// them exactly; 10 ms of slack absorbs encoder-version differences.
// AAC in MP4: the edit list removes the 1024-sample priming, but FFmpeg 5.1 keeps the last frame's
// padding (about 20 ms here), so up to two AAC frames (46 ms at 44.1 kHz) late are allowed.
// Deviations are about twice what FFmpeg 5.1 with Debian's encoders produces (MP3 0.025, others
// below 0.012); a one-sample misalignment alone would exceed 0.09.
class DecodeFormat : public ::testing::TestWithParam<Format> {
protected:
    std::filesystem::path make(const TempDir& dir) const {
        const Format& format = GetParam();
        return testing::make_tone_file(dir / (std::string("tone.") + format.extension), kStereoTone, 44100, kSeconds,
                                       format.encoder_options);
    }
};

TEST_P(DecodeFormat, DecodesStereoToneToMonoAtModelRate) {
    const Format& format = GetParam();
    TempDir dir;
    const auto decoded = decode(make(dir));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;

    EXPECT_EQ(decoded->sample_rate, kModelSampleRate);
    const double seconds = static_cast<double>(decoded->samples.size()) / kModelSampleRate;
    EXPECT_GE(seconds, kSeconds - format.early_seconds - 1.0 / kModelSampleRate);
    EXPECT_LE(seconds, kSeconds + format.late_seconds + 1.0 / kModelSampleRate);

    EXPECT_EQ(decoded->source.channels, 2);
    EXPECT_EQ(decoded->source.sample_rate, format.decoded_rate);
    EXPECT_EQ(decoded->source.codec, format.codec);
    EXPECT_EQ(decoded->source.container, format.container);
    // Counted from decoded samples at the source rate, so it agrees with the output length.
    EXPECT_NEAR(decoded->source.duration_seconds, seconds, 2.0 / kModelSampleRate);
    EXPECT_FALSE(decoded->truncated) << "a whole file ends where its header says";

    const auto middle = testing::middle(decoded->samples, kModelSampleRate);
    EXPECT_NEAR(testing::zero_crossing_hz(middle, kModelSampleRate), kToneHz, 2.0);
    // Equal channels downmix to the same level: averaged, not summed (x1.41) or halved.
    EXPECT_NEAR(testing::rms(middle), kToneRms, 0.1 * kToneRms);
    EXPECT_LT(testing::max_deviation_from_tone(decoded->samples, kModelSampleRate, kToneAmplitude),
              format.max_deviation);
    EXPECT_LE(testing::peak(decoded->samples), 1.0);
}

TEST_P(DecodeFormat, ProbeReadsTheHeaderWithoutDecoding) {
    const Format& format = GetParam();
    TempDir dir;
    const auto info = probe(make(dir));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->channels, 2);
    EXPECT_EQ(info->sample_rate, format.decoded_rate);
    EXPECT_EQ(info->codec, format.codec);
    EXPECT_EQ(info->container, format.container);
    // MP3 without a length in its header is estimated from the frame count, padding included.
    EXPECT_NEAR(info->duration_seconds, kSeconds, 0.05);
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, DecodeFormat,
    ::testing::Values(Format{"flac", "-c:a flac", "flac", "flac", 44100, 0.0, 0.0, 0.002},
                      Format{"wav", "-c:a pcm_s16le", "pcm_s16le", "wav", 44100, 0.0, 0.0, 0.002},
                      Format{"mp3", "-c:a libmp3lame -b:a 128k", "mp3", "mp3", 44100, 0.01, 0.01, 0.05},
                      Format{"ogg", "-c:a libvorbis -q:a 4", "vorbis", "ogg", 44100, 0.01, 0.01, 0.03},
                      Format{"opus", "-c:a libopus -b:a 96k", "opus", "ogg", 48000, 0.01, 0.01, 0.03},
                      Format{"m4a", "-c:a aac -b:a 128k", "aac", "mov,mp4,m4a,3gp,3g2,mj2", 44100, 0.01, 0.047, 0.03}),
    format_name);

TEST(Decode, OppositePhaseStereoCancelsToSilence) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "opposite.flac", kTone + "|-" + kTone, 44100, 1.0, "-c:a flac");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_EQ(decoded->samples.size(), static_cast<std::size_t>(kModelSampleRate));
    // A real downmix, not the left channel alone: the halves cancel to 16-bit rounding noise.
    EXPECT_LT(testing::peak(decoded->samples), 1e-3);
}

TEST(Decode, OneSidedStereoIsAveraged) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "left.flac", kTone + "|0", 44100, 1.0, "-c:a flac");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    // (L + R) / 2: half the level. Taking L alone would give kToneRms, FFmpeg's unnormalised float
    // downmix 0.71 of it.
    EXPECT_NEAR(testing::rms(testing::middle(decoded->samples, kModelSampleRate)), kToneRms / 2, 0.01 * kToneRms);
}

TEST(Decode, SurroundDownmixesWithinFullScale) {
    TempDir dir;
    const std::string six = kTone + "|" + kTone + "|" + kTone + "|" + kTone + "|" + kTone + "|" + kTone;
    const auto path = testing::make_tone_file(dir / "surround.flac", six, 48000, 1.0, "-c:a flac -channel_layout 5.1");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->source.channels, 6);
    const auto middle = testing::middle(decoded->samples, kModelSampleRate);
    EXPECT_NEAR(testing::zero_crossing_hz(middle, kModelSampleRate), kToneHz, 2.0);
    // The downmix gain is capped at 1, so six in-phase channels cannot add up past the source level.
    EXPECT_GT(testing::rms(middle), 0.1 * kToneRms);
    EXPECT_LE(testing::peak(decoded->samples), kToneAmplitude + 0.01);
}

TEST(Decode, ChannelsWithoutPositionsWeighEqually) {
    TempDir dir;
    const auto path = dir / "three.wav";
    // sox writes a 3-channel WAV without a channel mask; "remix 1 1 0" makes the third silent.
    testing::run_tool("sox -n -r 16000 -c 3 " + testing::shell_quoted(path) + " synth 1 sine 440 remix 1 1 0");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->source.channels, 3);
    EXPECT_NEAR(testing::peak(decoded->samples), 2.0 / 3.0, 0.01);
}

TEST(Decode, ResamplesToTheRequestedRate) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "tone.wav", kStereoTone, 44100, 1.0, "-c:a pcm_s16le");
    for (const int rate : {8000, 22050, 44100, 48000}) {
        const auto decoded = decode(path, rate);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->sample_rate, rate);
        EXPECT_NEAR(static_cast<double>(decoded->samples.size()), rate, 1.0) << rate;
        EXPECT_NEAR(testing::zero_crossing_hz(testing::middle(decoded->samples, rate), rate), kToneHz, 2.0) << rate;
    }
}

TEST(Decode, UpsamplesALowRateMonoSource) {
    TempDir dir;
    const auto path = testing::make_tone_file(dir / "low.wav", kTone, 8000, 1.0, "-c:a pcm_s16le");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->source.channels, 1);
    EXPECT_EQ(decoded->source.sample_rate, 8000);
    EXPECT_EQ(decoded->samples.size(), static_cast<std::size_t>(kModelSampleRate));
    EXPECT_LT(testing::max_deviation_from_tone(decoded->samples, kModelSampleRate, kToneAmplitude), 0.01);
}

TEST(Decode, FollowsRateAndLayoutChangesMidStream) {
    TempDir dir;
    // Two MP3s back to back, as in concatenated rips: 44.1 kHz stereo 440 Hz, then 22.05 kHz mono
    // 880 Hz. Without LAME tags the encoder delay stays in, hence the loose length.
    const auto first = testing::make_tone_file(dir / "a.mp3", kStereoTone, 44100, 1.0,
                                               "-c:a libmp3lame -write_xing 0");
    const auto second = testing::make_tone_file(dir / "b.mp3", "0.5*sin(2*PI*880*t)", 22050, 1.0,
                                                "-c:a libmp3lame -write_xing 0");
    const auto path = dir / "joined.mp3";
    std::vector<char> joined = testing::read_bytes(first);
    const std::vector<char> tail = testing::read_bytes(second);
    joined.insert(joined.end(), tail.begin(), tail.end());
    testing::write_bytes(path, joined);

    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_NEAR(decoded->source.duration_seconds, 2.0, 0.15);
    const std::span<const float> samples(decoded->samples);
    const std::size_t half_second = kModelSampleRate / 2;
    // Converting the second part at the first part's rate would halve or double its pitch.
    const auto early = samples.subspan(kModelSampleRate / 4, half_second);
    const auto late = samples.subspan(samples.size() - 3 * kModelSampleRate / 4, half_second);
    EXPECT_NEAR(testing::zero_crossing_hz(early, kModelSampleRate), kToneHz, 2.0);
    EXPECT_NEAR(testing::zero_crossing_hz(late, kModelSampleRate), 2 * kToneHz, 4.0);
}

TEST(Decode, PicksTheAudioStreamBesideVideo) {
    TempDir dir;
    const auto path = dir / "video.mkv";
    // Video is stream 0, so "first stream" would be wrong.
    testing::run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i color=c=red:s=32x32:d=1 -f lavfi -i " +
                      testing::shell_quoted("aevalsrc=" + kStereoTone + ":s=44100:d=1") +
                      " -map 0:v -map 1:a -c:v ffv1 -c:a flac " + testing::shell_quoted(path));
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->source.codec, "flac");
    EXPECT_EQ(decoded->source.container, "matroska,webm");
    EXPECT_NEAR(static_cast<double>(decoded->samples.size()), kModelSampleRate, 1.0);
}

TEST(Decode, ReadsNamesThatLookLikeUrls) {
    TempDir dir;
    // '?' and '#' would start a query or fragment in a URL; the name is a file.
    const auto path = testing::make_tone_file(dir / "a?b#c 'é'.flac", kStereoTone, 44100, 0.5, "-c:a flac");
    const auto decoded = decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->samples.size(), static_cast<std::size_t>(kModelSampleRate / 2));
}

TEST(Decode, ReadsARelativeNameThatLooksLikeAProtocol) {
    TempDir dir;
    testing::make_tone_file(dir / "http:tone.flac", kStereoTone, 44100, 0.5, "-c:a flac");
    // A relative "http:..." would otherwise select FFmpeg's HTTP protocol.
    const testing::CurrentDirectory inside(dir.path());
    const auto decoded = decode("http:tone.flac");
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->samples.size(), static_cast<std::size_t>(kModelSampleRate / 2));
}

}  // namespace
}  // namespace tunecap::audio
