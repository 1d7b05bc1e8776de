// SPDX-License-Identifier: GPL-3.0-or-later
#include <dsp/keydetection/GetKeyMode.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <functional>
#include <map>

#include "analysis/measures.hpp"

namespace tunecap::analysis {
namespace {

// The Queen Mary key detector's defaults (its Vamp plugin's): A at 440 Hz, chroma averaged and
// median-filtered over 10 frames.
constexpr float kTuningHz = 440.0f;
constexpr double kChromaAverageFrames = 10;
constexpr double kMedianFrames = 10;
// GetKeyMode numbers keys 1-12 for C major to B major and 13-24 for C minor to B minor; 0 is none.
constexpr int kKeysPerMode = 12;
// The gap between the best and second-best key is a small part of the best key's lead over the
// average even for clear tonal music (relative and parallel keys share most of their notes); this
// scales a clear lead to about 1.
constexpr double kClarityScale = 4.0;
// A block quieter than -60 dBFS RMS has no key to find; it neither votes nor counts.
constexpr double kSilenceRms = 0.001;

// How far the winning key's correlation stands above the runner-up, against its distance from the
// average key: 1 when one key is alone at the top, 0 when two tie (a lone note fits several keys).
double frame_clarity(const double* strengths) {
    std::array<double, 2 * kKeysPerMode> values{};
    std::copy_n(strengths, values.size(), values.begin());
    std::sort(values.begin(), values.end(), std::greater<>());
    double mean = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    const double spread = values[0] - mean;
    if (spread <= 0) return 0;
    return std::clamp((values[0] - values[1]) / spread * kClarityScale, 0.0, 1.0);
}

}  // namespace

std::optional<Key> measure_key(const std::vector<double>& mono, int sample_rate) {
    GetKeyMode detector(sample_rate, kTuningHz, kChromaAverageFrames, kMedianFrames);
    const std::size_t block = detector.getBlockSize();
    const std::size_t hop = detector.getHopSize();
    if (block == 0 || hop == 0) return std::nullopt;
    std::vector<double> buffer(block, 0.0);
    std::map<int, std::size_t> votes;
    std::map<int, double> clarity;  // summed over the frames that found the key
    std::size_t frames = 0;
    for (std::size_t start = 0; start < mono.size(); start += hop) {
        const auto count = std::min(block, mono.size() - start);
        std::copy_n(mono.begin() + static_cast<std::ptrdiff_t>(start), count, buffer.begin());
        std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(count), buffer.end(), 0.0);
        const int key = detector.process(buffer.data());
        double energy = 0;
        for (double v : buffer) energy += v * v;
        if (std::sqrt(energy / static_cast<double>(block)) < kSilenceRms) continue;  // no key in silence
        ++frames;
        if (key < 1 || key > 2 * kKeysPerMode) continue;
        ++votes[key];
        clarity[key] += frame_clarity(detector.getKeyStrengths());
    }
    if (votes.empty()) return std::nullopt;
    const auto best = std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    Key out;
    out.minor = best->first > kKeysPerMode;
    out.tonic = (best->first - 1) % kKeysPerMode;
    // How often this key was found, and how clearly it stood out when it was.
    out.confidence = static_cast<double>(best->second) / static_cast<double>(frames) *
                     (clarity[best->first] / static_cast<double>(best->second));
    return out;
}

}  // namespace tunecap::analysis
