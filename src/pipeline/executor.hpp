// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One step from its planned request to the row the store keeps: send it, read the answer, derive
// the caption and the outcome. Nothing here throws for a bad answer: every failure is a failed row
// with a one-line reason.

#include <string>

#include "clean/clean.hpp"
#include "config/config.hpp"
#include "pipeline/audio_budget.hpp"
#include "pipeline/backend_session.hpp"
#include "pipeline/step_graph.hpp"
#include "pipeline/track.hpp"
#include "store/store.hpp"

namespace tunecap::pipeline {

// A track's audio for one model load, decoded from its file, cut to the budget and encoded in
// `format`; an error naming the file when it cannot be decoded or encoded, or not even one window fits.
core::Result<PreparedAudio> load_track_audio(const TrackRecord& track, const AudioBudget& budget, core::AudioFormat format);

// Sends a ready step's request (with `audio` for an audio step) to `slot` of the session. When the
// audio was cut elsewhere than planned (the server's context per slot is not what the config
// gives), the row carries the key of the request actually sent.
store::StepRow run_model_step(const config::Config& config, const TrackRecord& track, const StepNode& node,
                              const PreparedAudio* audio, BackendSession& session, int slot,
                              const clean::CleanOptions& cleaning);

// A step of a kind without a model: its rendered text is its output.
store::StepRow run_local_step(const TrackRecord& track, const StepNode& node, const clean::CleanOptions& cleaning);

// A ready step that cannot be sent (its model did not start, its audio cannot be read).
store::StepRow failed_step(const TrackRecord& track, const StepNode& node, std::string error);

}  // namespace tunecap::pipeline
