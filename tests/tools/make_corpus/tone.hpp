// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Calibrated sine tones: WAV files whose EBU R128 integrated loudness is known by construction.

#include <nlohmann/json_fwd.hpp>

#include <span>
#include <string>

#include "midi_file.hpp"

namespace tunecap::make_corpus {

// Tones are 997 Hz, the frequency ITU-R BS.1770 calibrates its -0.691 dB constant at.
inline constexpr double kToneHz = 997.0;
inline constexpr int kToneSampleRate = 48000;

struct ToneSpec {
    int channels;           // 1 or 2; a stereo tone has the same sine in both channels
    double integrated_lufs;  // what an EBU R128 meter reads
};

std::span<const ToneSpec> tone_table();

// The peak level, in dBFS, of the sine in each channel that reads spec.integrated_lufs.
//
// BS.1770: L = -0.691 + 10 log10( sum over channels of G_c * z_c ), z_c the mean square of the
// K-weighted channel, G = 1 for left, right and centre (a mono file is one such channel). The
// K-weighting gain at 997 Hz is +0.691 dB, which is what the constant cancels, so at 997 Hz
// L = 10 log10( sum of z_c ) on the unweighted signal. A sine of peak amplitude A has z = A^2 / 2:
//   stereo, A in both channels: L = 10 log10(2 * A^2 / 2) = 20 log10(A)          -> peak = L
//   mono, one channel:          L = 10 log10(A^2 / 2)     = 20 log10(A) - 3.01   -> peak = L + 3.01
// This is EBU Tech 3341's test case 1 (a -23 dBFS stereo sine reads -23.0 LUFS). A steady tone
// passes both gates (-70 LUFS absolute, -10 LU relative), so integrated equals momentary loudness.
// A meter that treats mono as dual mono (libebur128's EBUR128_DUAL_MONO, ffmpeg ebur128=dualmono=1)
// reads a mono tone 3.01 LU louder.
double tone_peak_dbfs(const ToneSpec& spec);

// "tone_997hz_stereo_minus23_lufs"
std::string tone_name(const ToneSpec& spec);

// A WAV file (IEEE float, 32 bits, so quantisation adds nothing measurable) of `seconds` of the tone.
Bytes tone_wav(const ToneSpec& spec, double seconds);

// {"kind": "tone", "frequency_hz", "channels", "sample_rate", "seconds", "peak_dbfs",
//  "integrated_lufs"}
nlohmann::json tone_truth_json(const ToneSpec& spec, double seconds);

}  // namespace tunecap::make_corpus
