// SPDX-License-Identifier: GPL-3.0-or-later
#include "tone.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <stdexcept>

namespace tunecap::make_corpus {
namespace {

constexpr std::array kTones{
    ToneSpec{2, -23.0}, ToneSpec{2, -18.0}, ToneSpec{2, -30.0},
    ToneSpec{1, -23.0}, ToneSpec{1, -18.0}, ToneSpec{1, -30.0},
};

void append_le(Bytes& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// Byte by byte: GCC 12 at -O2 misreads vector::insert of a 4-char range as an overflow
// (-Wstringop-overflow, a false positive of GCC 12 in libstdc++).
void append_tag(Bytes& out, const char (&tag)[5]) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(tag[i]));
}

}  // namespace

std::span<const ToneSpec> tone_table() { return kTones; }

double tone_peak_dbfs(const ToneSpec& spec) {
    const double channel_sum = spec.channels == 2 ? 0.0 : 10.0 * std::log10(2.0);  // 3.0103 dB
    return spec.integrated_lufs + channel_sum;
}

std::string tone_name(const ToneSpec& spec) {
    return fmt::format("tone_997hz_{}_minus{}_lufs", spec.channels == 2 ? "stereo" : "mono",
                       static_cast<int>(std::lround(-spec.integrated_lufs)));
}

Bytes tone_wav(const ToneSpec& spec, double seconds) {
    static_assert(std::endian::native == std::endian::little, "WAV samples are written in native order");
    if (spec.channels != 1 && spec.channels != 2) throw std::invalid_argument("a tone has 1 or 2 channels");
    const auto frames = static_cast<std::uint32_t>(std::lround(seconds * kToneSampleRate));
    const auto channels = static_cast<std::uint32_t>(spec.channels);
    const std::uint32_t data_bytes = frames * channels * 4;
    const double amplitude = std::pow(10.0, tone_peak_dbfs(spec) / 20.0);

    Bytes out;
    out.reserve(data_bytes + 58);
    append_tag(out, "RIFF");
    append_le(out, 4 + (8 + 18) + (8 + 4) + (8 + data_bytes), 4);
    append_tag(out, "WAVE");
    // fmt: WAVE_FORMAT_IEEE_FLOAT with cbSize 0, and the fact chunk non-PCM formats carry.
    append_tag(out, "fmt ");
    append_le(out, 18, 4);
    append_le(out, 3, 2);
    append_le(out, channels, 2);
    append_le(out, kToneSampleRate, 4);
    append_le(out, kToneSampleRate * channels * 4, 4);
    append_le(out, channels * 4, 2);
    append_le(out, 32, 2);
    append_le(out, 0, 2);
    append_tag(out, "fact");
    append_le(out, 4, 4);
    append_le(out, frames, 4);
    append_tag(out, "data");
    append_le(out, data_bytes, 4);
    for (std::uint32_t frame = 0; frame < frames; ++frame) {
        const double phase = 2.0 * std::numbers::pi * kToneHz * frame / kToneSampleRate;
        const float sample = static_cast<float>(amplitude * std::sin(phase));
        std::uint8_t bytes[4];
        std::memcpy(bytes, &sample, 4);
        for (std::uint32_t channel = 0; channel < channels; ++channel) out.insert(out.end(), bytes, bytes + 4);
    }
    return out;
}

nlohmann::json tone_truth_json(const ToneSpec& spec, double seconds) {
    return {{"kind", "tone"},
            {"frequency_hz", kToneHz},
            {"channels", spec.channels},
            {"sample_rate", kToneSampleRate},
            {"seconds", seconds},
            {"peak_dbfs", std::round(tone_peak_dbfs(spec) * 10000.0) / 10000.0},
            {"integrated_lufs", spec.integrated_lufs}};
}

}  // namespace tunecap::make_corpus
