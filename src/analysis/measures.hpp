// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/analysis: one function per measure, each over the whole decoded track.

#include <optional>
#include <vector>

#include "analysis/facts.hpp"

namespace tunecap::analysis {

// EBU R128 over interleaved samples of `channels` channels.
std::optional<Loudness> measure_loudness(const std::vector<float>& interleaved, int channels, int sample_rate);

struct Rhythm {
    std::optional<Tempo> tempo;
    double onsets_per_second = 0;
    double brightness_hz = 0;
};
// Tempo, onset density and brightness from one onset detection function over mono samples.
Rhythm measure_rhythm(const std::vector<double>& mono, int sample_rate);

std::optional<Key> measure_key(const std::vector<double>& mono, int sample_rate);

}  // namespace tunecap::analysis
