// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/audio: the one float -> 16-bit conversion, shared by the WAV writer and the FLAC
// encoder so that both carry exactly the same samples.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tunecap::audio {

// Symmetric scale: +1 and -1 map to +32767 and -32767, so a clipped signal stays centred.
inline constexpr float kPcm16FullScale = 32767.0f;

inline std::int16_t to_pcm16(float sample) {
    if (std::isnan(sample)) return 0;
    return static_cast<std::int16_t>(std::lround(std::clamp(sample, -1.0f, 1.0f) * kPcm16FullScale));
}

}  // namespace tunecap::audio
