// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Progress of a run: a one-line bar on a terminal (steps done of total, current model, ETA, tokens
// per second), plain log lines otherwise.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/log.hpp"
#include "pipeline/runner.hpp"

namespace tunecap::app {

class Progress final : public pipeline::ProgressSink {
public:
    Progress(core::Log& log, std::FILE* terminal, std::size_t total_steps);
    void model_started(const std::string& model, std::size_t steps) override;
    void step_finished(const std::string& model, bool ok, int completion_tokens, double elapsed_ms) override;
    void model_finished(const std::string& model) override;
    void steps_settled(std::size_t count) override;

private:
    void draw();

    core::Log& m_log;
    std::FILE* m_terminal;  // nullptr: not a terminal, log lines instead
    std::size_t m_total;
    std::size_t m_done = 0;
    std::size_t m_executed = 0;
    std::size_t m_failed = 0;
    std::size_t m_model_total = 0;
    std::size_t m_model_done = 0;
    long m_tokens = 0;
    std::string m_model;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point m_model_started = m_started;
    std::chrono::steady_clock::time_point m_last_draw{};
    std::mutex m_mutex;
};

}  // namespace tunecap::app
