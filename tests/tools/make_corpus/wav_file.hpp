// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading the layout of a RIFF WAVE file, and cutting a 16-bit PCM one to length.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "midi_file.hpp"

namespace tunecap::make_corpus {

struct WavLayout {
    int format = 0;  // 1 PCM, 3 IEEE float, 0xFFFE extensible
    int channels = 0;
    int sample_rate = 0;
    int bits = 0;
    std::size_t data_offset = 0;  // of the first sample byte
    std::size_t data_bytes = 0;   // whole frames only

    std::size_t block_align() const { return static_cast<std::size_t>(channels * bits / 8); }
    std::size_t frames() const { return block_align() == 0 ? 0 : data_bytes / block_align(); }
    double seconds() const { return sample_rate == 0 ? 0.0 : static_cast<double>(frames()) / sample_rate; }
};

// The fmt and data chunks of a WAV file's bytes, or why they are not there.
std::variant<WavLayout, std::string> read_wav_layout(const Bytes& bytes);

Bytes read_file(const std::filesystem::path& path);

// Cuts a 16-bit PCM WAV file to `seconds` (when longer), fading the last `fade_seconds` to silence
// so the cut does not click. Returns why it could not, or nothing. A file that is silent throughout
// counts as a failure: fluidsynth renders silence, and exits 0, when the soundfont will not load.
std::optional<std::string> cut_wav(const std::filesystem::path& path, double seconds, double fade_seconds);

}  // namespace tunecap::make_corpus
