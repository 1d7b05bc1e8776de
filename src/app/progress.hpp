// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Progress of a run: a one-line status on a terminal, plain log lines otherwise. Both say, for the
// model at work, the steps done and left, its rate and when it will be done, and when the run will.

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "pipeline/runner.hpp"

namespace tunecap::app {

// What the status says, from counts and times alone.
struct ProgressState {
    std::size_t total = 0;     // steps of the run, stored ones included
    std::size_t done = 0;      // finished or found in the store
    std::size_t executed = 0;  // finished by a model this run
    std::size_t failed = 0;
    long tokens = 0;           // generated this run
    double run_seconds = 0;    // since the run started
    std::string model;         // at work; empty between models
    std::size_t model_total = 0;
    std::size_t model_done = 0;
    double model_seconds = 0;  // since it was loaded
};

// "qwen_omni 40/110 (70 left) 12.5 steps/min, done in 5m36s; run 120/580, done in ~38m; 85 tok/s".
// The model's estimate is from its own rate; the run's adds the steps of the models still to come
// at the run's time per step so far, model loads included.
std::string status_line(const ProgressState& state);

class Progress final : public pipeline::ProgressSink {
public:
    Progress(core::Log& log, std::FILE* terminal, std::size_t total_steps,
             std::shared_ptr<core::Clock> clock = core::real_clock());
    void model_started(const std::string& model, std::size_t steps) override;
    void steps_queued(const std::string& model, std::size_t steps) override;
    void step_finished(const std::string& model, bool ok, int completion_tokens, double elapsed_ms) override;
    void model_finished(const std::string& model) override;
    void steps_settled(std::size_t count) override;

private:
    // A loaded model's counts. Models side by side each have theirs; the status shows the one
    // whose step finished last.
    struct ModelCounts {
        std::size_t total = 0;
        std::size_t done = 0;
        core::Clock::TimePoint started;
    };

    ProgressState snapshot() const;
    void draw();
    void show(const std::string& model);  // m_mutex held

    core::Log& m_log;
    std::FILE* m_terminal;  // nullptr: not a terminal, log lines instead
    std::shared_ptr<core::Clock> m_clock;
    ProgressState m_state;
    core::Clock::TimePoint m_started;
    core::Clock::TimePoint m_model_started;
    std::map<std::string, ModelCounts> m_models;  // loaded now
    core::Clock::TimePoint m_last_draw{};
    std::mutex m_mutex;
};

}  // namespace tunecap::app
