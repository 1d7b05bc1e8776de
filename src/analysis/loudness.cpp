// SPDX-License-Identifier: GPL-3.0-or-later
#include <ebur128.h>

#include <cmath>
#include <memory>

#include "analysis/measures.hpp"

namespace tunecap::analysis {
namespace {

struct StateDeleter {
    void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};

}  // namespace

std::optional<Loudness> measure_loudness(const std::vector<float>& interleaved, int channels, int sample_rate) {
    std::unique_ptr<ebur128_state, StateDeleter> state(ebur128_init(static_cast<unsigned>(channels),
                                                                    static_cast<unsigned long>(sample_rate),
                                                                    EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK));
    if (!state) return std::nullopt;
    const auto frames = interleaved.size() / static_cast<std::size_t>(channels);
    if (ebur128_add_frames_float(state.get(), interleaved.data(), frames) != EBUR128_SUCCESS) return std::nullopt;
    Loudness out;
    if (ebur128_loudness_global(state.get(), &out.integrated_lufs) != EBUR128_SUCCESS || !std::isfinite(out.integrated_lufs)) {
        return std::nullopt;  // silence: no block passes the gate
    }
    if (ebur128_loudness_range(state.get(), &out.range_lu) != EBUR128_SUCCESS) out.range_lu = 0;
    double peak = 0;
    for (int c = 0; c < channels; ++c) {
        double channel_peak = 0;
        if (ebur128_true_peak(state.get(), static_cast<unsigned>(c), &channel_peak) == EBUR128_SUCCESS) {
            peak = std::max(peak, channel_peak);
        }
    }
    out.true_peak_dbtp = peak > 0 ? 20 * std::log10(peak) : -INFINITY;
    return out;
}

}  // namespace tunecap::analysis
