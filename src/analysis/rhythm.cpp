// SPDX-License-Identifier: GPL-3.0-or-later
#include <dsp/onsets/DetectionFunction.h>
#include <dsp/tempotracking/TempoTrackV2.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/measures.hpp"

namespace tunecap::analysis {
namespace {

// The Queen Mary beat tracker's hop: 11.61 ms (512 samples at 44.1 kHz), a frame of two hops.
constexpr double kHopSeconds = 0.01161;
// Its first two detection-function values often hold the start of the file, not an onset.
constexpr std::size_t kSkippedFrames = 2;
// A beat interval this close to the median one counts as keeping the tempo (the 4% that a stated
// tempo is allowed when checked against it).
constexpr double kSteadyTolerance = 0.04;
// Onsets: a peak of the detection function this far above its median, at least 50 ms apart (a
// 32nd note at 150 BPM).
constexpr double kOnsetThresholdOverMedian = 3.0;
constexpr double kMinOnsetGapSeconds = 0.05;
// Fewer onsets than one every two seconds is no beat to track (a drone, a held tone): the tracker
// would still report its prior, about 120 BPM.
constexpr double kMinOnsetsPerSecond = 0.5;

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

std::optional<Tempo> tempo_from_df(const std::vector<double>& df, int sample_rate, std::size_t hop) {
    if (df.size() < 16) return std::nullopt;
    std::vector<double> beat_period(df.size(), 0.0);
    std::vector<double> tempi;
    TempoTrackV2 tracker(static_cast<float>(sample_rate), hop);
    tracker.calculateBeatPeriod(df, beat_period, tempi);
    std::vector<double> beats;
    tracker.calculateBeats(df, beat_period, beats);
    if (beats.size() < 4) return std::nullopt;
    std::vector<double> intervals;
    for (std::size_t i = 1; i < beats.size(); ++i) intervals.push_back((beats[i] - beats[i - 1]) * static_cast<double>(hop) / sample_rate);
    const double period = median(intervals);
    if (period <= 0) return std::nullopt;
    const auto steady = std::count_if(intervals.begin(), intervals.end(),
                                      [&](double v) { return std::abs(v - period) <= kSteadyTolerance * period; });
    return Tempo{60.0 / period, static_cast<double>(steady) / static_cast<double>(intervals.size())};
}

double onset_density(const std::vector<double>& df, int sample_rate, std::size_t hop) {
    if (df.size() < 3) return 0;
    const double threshold = kOnsetThresholdOverMedian * median(df) + 1e-9;
    const auto min_gap = static_cast<std::size_t>(kMinOnsetGapSeconds * sample_rate / static_cast<double>(hop)) + 1;
    std::size_t onsets = 0;
    std::size_t last = 0;
    for (std::size_t i = 1; i + 1 < df.size(); ++i) {
        if (df[i] > threshold && df[i] >= df[i - 1] && df[i] > df[i + 1] && (onsets == 0 || i - last >= min_gap)) {
            ++onsets;
            last = i;
        }
    }
    const double seconds = static_cast<double>(df.size() * hop) / sample_rate;
    return seconds > 0 ? static_cast<double>(onsets) / seconds : 0;
}

}  // namespace

Rhythm measure_rhythm(const std::vector<double>& mono, int sample_rate) {
    const auto hop = static_cast<std::size_t>(sample_rate * kHopSeconds + 0.0001);
    DFConfig config{};
    config.stepSize = static_cast<unsigned>(hop);
    config.frameLength = static_cast<unsigned>(2 * hop);
    config.DFType = DF_COMPLEXSD;
    config.dbRise = 3;
    config.adaptiveWhitening = false;
    config.whiteningRelaxCoeff = -1;
    config.whiteningFloor = -1;
    DetectionFunction detector(config);
    const std::size_t frame = config.frameLength;
    const std::size_t bins = frame / 2;
    std::vector<double> buffer(frame, 0.0);
    std::vector<double> df;
    double centroid_sum = 0;
    double energy_sum = 0;
    for (std::size_t start = 0; start < mono.size(); start += hop) {
        const auto count = std::min(frame, mono.size() - start);
        std::copy_n(mono.begin() + static_cast<std::ptrdiff_t>(start), count, buffer.begin());
        std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(count), buffer.end(), 0.0);
        df.push_back(detector.processTimeDomain(buffer.data()));
        const double* magnitude = detector.getSpectrumMagnitude();
        double weighted = 0;
        double energy = 0;
        for (std::size_t k = 0; k < bins; ++k) {
            weighted += magnitude[k] * static_cast<double>(k);
            energy += magnitude[k];
        }
        centroid_sum += weighted * static_cast<double>(sample_rate) / static_cast<double>(frame);
        energy_sum += energy;
    }
    // Trailing silence would only stretch the tracker's search.
    while (!df.empty() && df.back() <= 0) df.pop_back();
    if (df.size() > kSkippedFrames) df.erase(df.begin(), df.begin() + kSkippedFrames);
    Rhythm out;
    out.onsets_per_second = onset_density(df, sample_rate, hop);
    if (out.onsets_per_second >= kMinOnsetsPerSecond) out.tempo = tempo_from_df(df, sample_rate, hop);
    out.brightness_hz = energy_sum > 0 ? centroid_sum / energy_sum : 0;
    return out;
}

}  // namespace tunecap::analysis
