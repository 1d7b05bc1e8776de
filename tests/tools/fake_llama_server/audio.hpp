// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What mtmd does with an audio payload, reduced to what the protocol shows: sniff the bytes (WAV
// "RIFF...WAVE", MP3 "ID3" or an MPEG frame sync, FLAC "fLaC"; anything else is not audio), find
// the duration from the headers (an MP3's frames less a Xing/Info frame and the LAME tag's encoder
// delay and padding, which miniaudio drops), and charge 750 prompt tokens per started 30 s window, where a
// duration that is an exact multiple of 30 s costs one extra window of padding (30.0 s -> 2,
// 29.99 s -> 1; H100-FIGURES.md "Audio cost").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tunecap::fake_llama_server {

enum class AudioFormat { wav, mp3, flac };
std::string_view to_string(AudioFormat format);

struct AudioClip {
    AudioFormat format = AudioFormat::wav;
    std::uint64_t frames = 0;  // samples per channel
    std::uint32_t sample_rate = 0;
    std::uint64_t content_hash = 0;  // identity of the bytes: equal audio gives equal prompt tokens
    double seconds() const { return sample_rate == 0 ? 0.0 : static_cast<double>(frames) / sample_rate; }
    int windows() const;
    int tokens() const;
};

inline constexpr int kAudioTokensPerWindow = 750;
inline constexpr int kAudioWindowSeconds = 30;

// Standard base64 (whitespace skipped, padding optional); nullopt on a character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

// nullopt: mtmd would fail with "Failed to load image or audio file".
std::optional<AudioClip> inspect_audio(std::string_view bytes);

}  // namespace tunecap::fake_llama_server
