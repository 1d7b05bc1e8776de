// SPDX-License-Identifier: GPL-3.0-or-later
// The WAV sent to the model server, checked by another program: sox reads its header.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "audio/audio.hpp"
#include "audio_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::audio {
namespace {

using testing::TempDir;

TEST(WriteWav, OtherToolsAcceptIt) {
    TempDir dir;
    const auto path = dir / "model-input.wav";
    std::vector<float> samples(static_cast<std::size_t>(kModelSampleRate / 5));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(0.5 * std::sin(2.0 * std::numbers::pi * 440.0 * static_cast<double>(i) / kModelSampleRate));
    }
    ASSERT_TRUE(write_wav_pcm16(path, samples, kModelSampleRate).ok());
    // sox validates the RIFF structure and fails on an inconsistent header.
    testing::run_tool("sox " + testing::shell_quoted(path) + " -n stat");
}

}  // namespace
}  // namespace tunecap::audio
