// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the phase graph over all tracks, model-major: each model is loaded once and every ready
// step that uses it, across all tracks and phases, runs before it is unloaded. Models of one stage
// (RunOptions::stages: they fit in memory together) are loaded side by side and run as a pipeline:
// a step starts as soon as its inputs are done, so a track's revision need not wait for every
// track's captions. A model with several replicas (servers) spreads its steps over all their slots.
// The loop that wires the parts: the step graph settles steps against the store, the scheduler
// picks the next stage and groups steps by track, backend sessions serve the models, the executor
// runs each step, and every finished step is committed to the store at once.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clean/token_counter.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "pipeline/backend_session.hpp"
#include "pipeline/plan.hpp"
#include "pipeline/track.hpp"
#include "store/store.hpp"

namespace tunecap::pipeline {

// Progress events, for the terminal progress bar or plain log lines.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void model_started(const std::string& model, std::size_t steps) = 0;
    // More steps for a loaded model: their inputs finished while it was loaded (models side by side).
    virtual void steps_queued(const std::string& /*model*/, std::size_t /*steps*/) {}
    virtual void step_finished(const std::string& model, bool ok, int completion_tokens, double elapsed_ms) = 0;
    virtual void model_finished(const std::string& model) = 0;
    // Steps settled without running: taken from the store, or skipped because an input failed.
    virtual void steps_settled(std::size_t count) = 0;
};

struct RunOptions {
    std::vector<std::string> force;               // phases recomputed with all that depends on them
    // The first Ctrl-C: start no more steps, give the requests in flight a few seconds, then end them.
    const std::atomic<bool>* stop_requested = nullptr;
    // The second Ctrl-C: end the requests in flight at once (their servers are stopped).
    const std::atomic<bool>* abort_requested = nullptr;
    core::Log* log = nullptr;
    ProgressSink* progress = nullptr;
    // Exact T5 counts for the caption budget (cleaning.sentencepiece_model); nullptr: the estimate.
    const clean::TokenCounter* token_counter = nullptr;
    // Used GPU memory in MiB now, or nullopt when there is no GPU to ask; sampled while a model is
    // loaded to record its peak.
    std::function<std::optional<double>()> gpu_probe;
    // How requests reach a server; empty: HTTP (llm::Client).
    Generate generate;
    // Times model loads; nullptr: the real clock.
    std::shared_ptr<core::Clock> clock;
    // Models loaded together (each stage in load order); a model named in no stage is loaded alone.
    // Empty: one model at a time.
    std::vector<std::vector<std::string>> stages;
};

struct ModelLoad {
    std::string model;
    double load_seconds = 0;
    int restarts = 0;
    std::string server_build;
    std::string error;  // no server could start
    std::size_t steps = 0;
    std::size_t replicas = 0;  // servers started
    std::size_t dropped = 0;   // servers that failed for good while others took over their steps
    // When a GPU probe is available (nvidia-smi) and the model was loaded alone: all GPUs together,
    // divided by its replicas.
    std::optional<double> peak_gpu_mib;
};

struct RunOutcome {
    std::vector<ModelLoad> loads;
    std::size_t executed = 0;  // steps run in this run: sent to a model, or computed here (template kind)
    std::size_t reused = 0;    // steps found in the store
    std::size_t failed = 0;
    std::size_t skipped = 0;
    std::size_t abandoned = 0;  // steps whose requests a stop ended: not stored, the next run sends them
    bool interrupted = false;
    // A finished step could not be committed (a full disk, say): that step is not done and the run
    // stopped there. Every step committed before it is kept.
    std::string store_error;
};

// Fills every track's phases with the outcome of each step (from this run or the store).
RunOutcome run_pipeline(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
                        const BackendFactory& backends, const RunOptions& options);

}  // namespace tunecap::pipeline
