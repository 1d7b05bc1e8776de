// SPDX-License-Identifier: GPL-3.0-or-later
// decode() with a limit reads only what the models may get: an hour of audio is not decoded whole
// to send the first ten minutes.
#include <gtest/gtest.h>

#include <vector>

#include "audio/audio.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

TEST(DecodeLimit, StopsAtTheLimitWithTheSameSamplesAsAWholeDecode) {
    tunecap::testing::TempDir dir;
    std::vector<float> samples(30 * 16000);
    for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<float>(i % 200) / 400.0f;
    const auto file = dir / "thirty.wav";
    ASSERT_TRUE(write_wav_pcm16(file, samples, 16000).ok());

    const auto whole = decode(file);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_FALSE(whole->stopped_early);
    const auto limited = decode(file, kModelSampleRate, 10.0);
    ASSERT_TRUE(limited.ok()) << limited.error().message;
    EXPECT_TRUE(limited->stopped_early);
    ASSERT_EQ(limited->samples.size(), 10u * 16000);
    EXPECT_TRUE(std::equal(limited->samples.begin(), limited->samples.end(), whole->samples.begin()));
    EXPECT_DOUBLE_EQ(limited->source.duration_seconds, 30.0);  // the header's: the rest was not read

    const auto longer = decode(file, kModelSampleRate, 60.0);  // a limit past the end changes nothing
    ASSERT_TRUE(longer.ok());
    EXPECT_FALSE(longer->stopped_early);
    EXPECT_EQ(longer->samples, whole->samples);
    EXPECT_FALSE(decode(file, kModelSampleRate, 0.0).ok());
}

}  // namespace
}  // namespace tunecap::audio
