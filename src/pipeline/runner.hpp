// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the phase graph over all tracks, model-major: each model is loaded once and every ready
// step that uses it, across all tracks and phases, runs before it is unloaded. Requests run
// concurrently up to the server's slots; one track's steps go to one slot, audio first, so the
// server reuses the audio part of the prompt. Every finished step is committed to the store at
// once; a step whose key is stored is not run again.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/log.hpp"
#include "pipeline/plan.hpp"
#include "pipeline/track.hpp"
#include "server/backend.hpp"
#include "store/store.hpp"

namespace tunecap::pipeline {

// Starts what serves a model (a managed llama-server or an external endpoint). A seam: tests and
// the benchmark pass their own.
using BackendFactory =
    std::function<core::Result<std::unique_ptr<server::Backend>>(const config::Model& model, bool needs_audio)>;

// Progress events, for the terminal progress bar or plain log lines.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void model_started(const std::string& model, std::size_t steps) = 0;
    virtual void step_finished(const std::string& model, bool ok, int completion_tokens, double elapsed_ms) = 0;
    virtual void model_finished(const std::string& model) = 0;
    // Steps settled without running: taken from the store, or skipped because an input failed.
    virtual void steps_settled(std::size_t count) = 0;
};

struct RunOptions {
    PhaseSelection selection;
    std::vector<std::string> force;               // phases recomputed with all that depends on them
    const std::atomic<bool>* stop_requested = nullptr;  // Ctrl-C: finish the steps in flight, start no more
    core::Log* log = nullptr;
    ProgressSink* progress = nullptr;
    // Used GPU memory in MiB now, or nullopt when there is no GPU to ask; sampled while a model is
    // loaded to record its peak.
    std::function<std::optional<double>()> gpu_probe;
};

struct ModelLoad {
    std::string model;
    double load_seconds = 0;
    int restarts = 0;
    std::string server_build;
    std::string error;  // the server could not start
    std::size_t steps = 0;
    std::optional<double> peak_gpu_mib;  // when a GPU probe is available (nvidia-smi)
};

struct RunOutcome {
    std::vector<ModelLoad> loads;
    std::size_t executed = 0;  // steps sent to a model in this run
    std::size_t reused = 0;    // steps found in the store
    std::size_t failed = 0;
    std::size_t skipped = 0;
    bool interrupted = false;
};

// The order models are loaded in: a model comes after every model whose output it reads, ties in
// config order. With the default graph: music_flamingo, qwen_omni, qwen3_14b, gpt_oss_20b, granite_tiny.
std::vector<std::string> model_load_order(const config::Config& config);

// A step's identity: the audio content, phase, model file, the text sent, sampling and the keys of
// the steps it read. Same key, same output.
std::string step_key(const std::string& content_hash, const config::Phase& phase, const config::Model& model,
                     const std::string& request_text, const std::vector<std::string>& input_keys,
                     double audio_seconds_sent);

// Fills every track's phases with the outcome of each step (from this run or the store).
RunOutcome run_pipeline(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
                        const BackendFactory& backends, const RunOptions& options);

// Audio as sent: at most max_seconds, cut so its 30 s windows fit the slot's context together with
// the text, and a duration that is an exact multiple of 30 s trimmed by 5 ms (the server would
// otherwise encode a whole window of padding). nullopt with a reason when not even one window fits.
struct PreparedAudio {
    std::shared_ptr<const std::string> wav_base64;
    double seconds = 0;
    bool cut = false;
};
struct AudioBudget {
    double max_seconds = 600;
    int slot_context = 0;  // per-slot n_ctx; 0 = unknown, no check
    int reserved_tokens = 0;  // text of the prompt and the tokens to generate
};
core::Result<PreparedAudio> prepare_audio(std::vector<float> samples, int sample_rate, const AudioBudget& budget);
// Prompt tokens the server spends on audio of this length: every started 30 s window costs 750.
int audio_prompt_tokens(double seconds);

}  // namespace tunecap::pipeline
