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
// Half-time feel. The tracker's prior leans to about 120 BPM, so drum and bass at 174 (and trap at
// 140) come out at half tempo, where it looks much like hip hop at 87. What tells them apart is the
// hi-hat: in half-time feel it runs in sixteenths of the tracked beat while everything else keeps to
// the eighths. So: the onset strength on the sixteenth positions of each beat against that on its
// eighth positions, above 5 kHz (hats and cymbals, little else) and over the whole detection
// function. Drum and bass: 0.67-0.84 and 0.38-0.40; hip hop and the other styles: at most 0.34 above
// 5 kHz; orchestral music with tremolo and cymbals: up to 0.98 above 5 kHz but 0.78-0.89 overall, no
// grid (docs/FACTS.md). A tempo under 100 BPM with sixteenth hats over a clear grid is reported
// doubled, as the genres that play that way count it.
constexpr double kHatBandHz = 5000;
constexpr double kSixteenthHatRatio = 0.5;
constexpr double kClearGridRatio = 0.6;
constexpr double kHalfTimeBelowBpm = 100;
// The onset strength at a position: the largest value within one frame of it.
constexpr std::ptrdiff_t kPositionFrames = 1;

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

double strength_at(const std::vector<double>& flux, double frame) {
    const auto centre = static_cast<std::ptrdiff_t>(std::lround(frame));
    double strongest = 0;
    for (auto i = centre - kPositionFrames; i <= centre + kPositionFrames; ++i) {
        if (i >= 0 && i < static_cast<std::ptrdiff_t>(flux.size())) strongest = std::max(strongest, flux[static_cast<std::size_t>(i)]);
    }
    return strongest;
}

// Onset strength on the sixteenth positions of each beat over that on its eighth positions.
double sixteenth_ratio(const std::vector<double>& flux, const std::vector<double>& beats) {
    double eighths = 0;
    double sixteenths = 0;
    for (std::size_t i = 1; i < beats.size(); ++i) {
        const double start = beats[i - 1];
        const double length = beats[i] - start;
        eighths += strength_at(flux, start) + strength_at(flux, start + length / 2);
        sixteenths += strength_at(flux, start + length / 4) + strength_at(flux, start + 3 * length / 4);
    }
    return eighths > 0 ? sixteenths / eighths : 0;
}

std::optional<Tempo> tempo_from_df(const std::vector<double>& df, const std::vector<double>& hat_flux, int sample_rate,
                                   std::size_t hop) {
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
    const double typical = median(intervals);
    if (typical <= 0) return std::nullopt;
    // Beats fall on whole frames; the mean of the steady intervals recovers the period between them.
    double steady_sum = 0;
    std::size_t steady = 0;
    for (double interval : intervals) {
        if (std::abs(interval - typical) > kSteadyTolerance * typical) continue;
        steady_sum += interval;
        ++steady;
    }
    double bpm = 60.0 * static_cast<double>(steady) / steady_sum;
    if (bpm < kHalfTimeBelowBpm && sixteenth_ratio(hat_flux, beats) >= kSixteenthHatRatio &&
        sixteenth_ratio(df, beats) <= kClearGridRatio) {
        bpm *= 2;
    }
    return Tempo{bpm, static_cast<double>(steady) / static_cast<double>(intervals.size())};
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
    std::vector<double> hat_flux;  // rise in log magnitude above kHatBandHz, frame to frame
    std::vector<double> previous_log(bins, 0.0);
    const auto first_hat_bin = static_cast<std::size_t>(kHatBandHz * static_cast<double>(frame) / sample_rate);
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
        double rise = 0;
        for (std::size_t k = 0; k < bins; ++k) {
            weighted += magnitude[k] * static_cast<double>(k);
            energy += magnitude[k];
            if (k < first_hat_bin) continue;
            const double log_magnitude = std::log1p(1000 * magnitude[k]);
            rise += std::max(0.0, log_magnitude - previous_log[k]);
            previous_log[k] = log_magnitude;
        }
        hat_flux.push_back(rise);
        centroid_sum += weighted * static_cast<double>(sample_rate) / static_cast<double>(frame);
        energy_sum += energy;
    }
    // Trailing silence would only stretch the tracker's search.
    while (!df.empty() && df.back() <= 0) df.pop_back();
    hat_flux.resize(df.size());
    if (df.size() > kSkippedFrames) {
        df.erase(df.begin(), df.begin() + kSkippedFrames);
        hat_flux.erase(hat_flux.begin(), hat_flux.begin() + kSkippedFrames);
    }
    Rhythm out;
    out.onsets_per_second = onset_density(df, sample_rate, hop);
    if (out.onsets_per_second >= kMinOnsetsPerSecond) out.tempo = tempo_from_df(df, hat_flux, sample_rate, hop);
    out.brightness_hz = energy_sum > 0 ? centroid_sum / energy_sum : 0;
    return out;
}

}  // namespace tunecap::analysis
