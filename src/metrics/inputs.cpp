// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics.hpp"

namespace tunecap::metrics {

Inputs read_inputs(store::Store& store, std::vector<std::string> phase_order) {
    Inputs inputs;
    inputs.steps = store.all_steps(store::StepColumns::without_outputs);
    for (const auto& step : inputs.steps) {
        if (inputs.tracks.contains(step.track_id)) continue;
        const auto track = store.find_track(step.track_id);
        // A step's track without a row (a store from before tracks were kept) has no genres or facts.
        inputs.tracks.emplace(step.track_id, track ? report::read_track_info(track->info_json) : report::TrackInfo{});
    }
    inputs.loads = store.all_loads();
    inputs.phase_order = std::move(phase_order);
    return inputs;
}

}  // namespace tunecap::metrics
