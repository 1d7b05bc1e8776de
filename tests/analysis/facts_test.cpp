// SPDX-License-Identifier: GPL-3.0-or-later
// Facts of signals made here with known answers: calibrated sines, a click track, cadences.
#include "analysis/facts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace tunecap::analysis {
namespace {

constexpr int kRate = 44100;

audio::DecodedAudio stereo_sine(double hz, double peak, double seconds, int rate = 48000, int channels = 2) {
    audio::DecodedAudio a;
    a.sample_rate = rate;
    a.channels = channels;
    const auto frames = static_cast<std::size_t>(seconds * rate);
    for (std::size_t i = 0; i < frames; ++i) {
        const auto v = static_cast<float>(peak * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate));
        for (int c = 0; c < channels; ++c) a.samples.push_back(v);
    }
    return a;
}

// Short decaying noise bursts (a hi-hat-like click) at `bpm` for `seconds`, mono.
audio::DecodedAudio clicks(double bpm, double seconds) {
    audio::DecodedAudio a;
    a.sample_rate = kRate;
    a.samples.assign(static_cast<std::size_t>(seconds * kRate), 0.0f);
    std::uint32_t noise = 12345;
    const double period = 60.0 / bpm;
    for (double t = 0.25; t < seconds; t += period) {
        const auto start = static_cast<std::size_t>(t * kRate);
        for (std::size_t i = 0; i < 2000 && start + i < a.samples.size(); ++i) {
            noise = noise * 1664525u + 1013904223u;
            const double white = static_cast<double>(noise >> 8) / (1 << 24) * 2 - 1;
            a.samples[start + i] = static_cast<float>(0.8 * white * std::exp(-static_cast<double>(i) / 300.0));
        }
    }
    return a;
}

double midi_hz(int note) { return 440.0 * std::pow(2.0, (note - 69) / 12.0); }

// Chords of plucked-like tones (a few harmonics, decaying), one every 1.5 s, repeated three times.
audio::DecodedAudio cadence(const std::vector<std::vector<int>>& chords) {
    audio::DecodedAudio a;
    a.sample_rate = kRate;
    const auto chord_samples = static_cast<std::size_t>(1.5 * kRate);
    for (int repeat = 0; repeat < 3; ++repeat) {
        for (const auto& chord : chords) {
            for (std::size_t i = 0; i < chord_samples; ++i) {
                const double t = static_cast<double>(i) / kRate;
                double v = 0;
                for (int note : chord) {
                    for (int h = 1; h <= 3; ++h) v += std::sin(2 * std::numbers::pi * midi_hz(note) * h * t) / (h * h);
                }
                a.samples.push_back(static_cast<float>(0.15 * v * std::exp(-t * 1.5)));
            }
        }
    }
    return a;
}

TEST(Loudness, A997HzSineReadsItsCalibratedLevel) {
    // EBU Tech 3341: a 0 dBFS sine in both channels of stereo reads 0 LUFS; in one channel -3.01.
    const auto stereo = analyze(stereo_sine(997, std::pow(10.0, -20 / 20.0), 20));
    ASSERT_TRUE(stereo.loudness.has_value());
    EXPECT_NEAR(stereo.loudness->integrated_lufs, -20.0, 0.1);
    EXPECT_NEAR(stereo.loudness->true_peak_dbtp, -20.0, 0.1);
    EXPECT_NEAR(stereo.loudness->range_lu, 0.0, 0.1);
    const auto mono = analyze(stereo_sine(997, std::pow(10.0, -20 / 20.0), 20, 48000, 1));
    ASSERT_TRUE(mono.loudness.has_value());
    EXPECT_NEAR(mono.loudness->integrated_lufs, -23.01, 0.1);
    EXPECT_EQ(mono.channels, 1);
    EXPECT_NEAR(mono.duration_seconds, 20.0, 1e-9);
}

TEST(Loudness, SilenceHasNoLoudnessTempoOrKey) {
    const auto silence = analyze(stereo_sine(997, 0.0, 10));
    EXPECT_FALSE(silence.loudness.has_value());
    EXPECT_FALSE(silence.tempo.has_value());
    EXPECT_FALSE(silence.key.has_value());
}

TEST(Tempo, AClickTrackIsFoundAtItsTempo) {
    for (double bpm : {90.0, 120.0, 140.0}) {
        const auto facts = analyze(clicks(bpm, 30));
        ASSERT_TRUE(facts.tempo.has_value()) << bpm;
        EXPECT_NEAR(facts.tempo->bpm, bpm, bpm * 0.04) << bpm;
        EXPECT_GT(facts.tempo->confidence, 0.8) << bpm;
        EXPECT_NEAR(facts.onsets_per_second, bpm / 60, 0.3) << bpm;
    }
}

TEST(Tempo, AHeldToneHasNoTempo) {
    const auto facts = analyze(stereo_sine(220, 0.3, 20, kRate, 1));
    EXPECT_FALSE(facts.tempo.has_value());
    EXPECT_LT(facts.onsets_per_second, 0.5);
}

TEST(Key, CadencesNameTheirKeyConfidently) {
    // I-IV-V-I in C major; i-iv-V-i in A minor with the leading tone G#.
    const auto major = analyze(cadence({{60, 64, 67}, {53, 57, 60}, {55, 59, 62}, {60, 64, 67}}));
    ASSERT_TRUE(major.key.has_value());
    EXPECT_EQ(key_name(*major.key), "C major");
    EXPECT_GT(major.key->confidence, 0.6);
    const auto minor = analyze(cadence({{57, 60, 64}, {50, 53, 57}, {52, 56, 59}, {57, 60, 64}}));
    ASSERT_TRUE(minor.key.has_value());
    EXPECT_EQ(key_name(*minor.key), "A minor");
    EXPECT_GT(minor.key->confidence, 0.6);
}

TEST(Key, ALoneToneIsNoConfidentKey) {
    const auto facts = analyze(stereo_sine(220, 0.3, 20, kRate, 1));
    if (facts.key) {
        EXPECT_LT(facts.key->confidence, 0.6);
    }
}

TEST(Brightness, FollowsTheSpectrum) {
    const auto low = analyze(stereo_sine(200, 0.3, 5, kRate, 1));
    const auto high = analyze(stereo_sine(4000, 0.3, 5, kRate, 1));
    EXPECT_NEAR(low.brightness_hz, 200, 100);
    EXPECT_NEAR(high.brightness_hz, 4000, 400);
}

TEST(KeyName, SpellsSharpAndFlatKeysAsMusiciansDo) {
    EXPECT_EQ(key_name({9, true, 1}), "A minor");
    EXPECT_EQ(key_name({6, false, 1}), "F# major");
    EXPECT_EQ(key_name({6, true, 1}), "F# minor");
    EXPECT_EQ(key_name({10, false, 1}), "Bb major");
    EXPECT_EQ(key_name({3, false, 1}), "Eb major");
    EXPECT_EQ(key_name({1, true, 1}), "C# minor");
    EXPECT_EQ(key_name({0, true, 1}), "C minor");
    EXPECT_EQ(pitch_class("F#"), 6);
    EXPECT_EQ(pitch_class("Gb"), 6);
    EXPECT_EQ(pitch_class("Cb"), 11);
    EXPECT_EQ(pitch_class("H"), std::nullopt);
    EXPECT_EQ(pitch_class("Cx"), std::nullopt);
}

}  // namespace
}  // namespace tunecap::analysis
