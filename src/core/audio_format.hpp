// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The container a request's audio travels in (runtime.audio_format). llama-server's audio loader
// (mtmd, miniaudio) sniffs the bytes and reads all three; `input_audio.format` names it.

#include <array>
#include <optional>
#include <string_view>

namespace tunecap::core {

// wav:  16-bit PCM, what the server decodes fastest but the largest request (7.7 MB for 185 s).
// flac: the same 16-bit samples, losslessly packed: the model hears exactly what WAV carries.
// mp3:  lossy (64 kbit/s): the model hears different audio, so it is part of a step's identity.
enum class AudioFormat { wav, flac, mp3 };

inline constexpr std::array<AudioFormat, 3> kAllAudioFormats{AudioFormat::wav, AudioFormat::flac, AudioFormat::mp3};

constexpr std::string_view to_string(AudioFormat format) {
    switch (format) {
    case AudioFormat::wav: return "wav";
    case AudioFormat::flac: return "flac";
    case AudioFormat::mp3: return "mp3";
    }
    return "unknown";
}

constexpr std::optional<AudioFormat> parse_audio_format(std::string_view text) {
    for (auto format : kAllAudioFormats) {
        if (to_string(format) == text) return format;
    }
    return std::nullopt;
}

}  // namespace tunecap::core
