// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/progress.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace tunecap::app {
namespace {

// Redrawing more often than this only costs terminal bandwidth.
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
// A model's log lines off a terminal: one per tenth of its steps.
constexpr std::size_t kLogLinesPerModel = 10;

std::string duration_text(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

double seconds_between(core::Clock::TimePoint from, core::Clock::TimePoint to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::string status_line(const ProgressState& s) {
    std::string line;
    const std::size_t model_left = s.model_total > s.model_done ? s.model_total - s.model_done : 0;
    double model_eta = 0;
    if (!s.model.empty()) {
        line = fmt::format("{} {}/{} ({} left)", s.model, s.model_done, s.model_total, model_left);
        if (s.model_done > 0 && s.model_seconds > 0) {
            const double per_minute = 60.0 * static_cast<double>(s.model_done) / s.model_seconds;
            model_eta = static_cast<double>(model_left) * s.model_seconds / static_cast<double>(s.model_done);
            line += fmt::format(" {:.1f} steps/min, done in {}", per_minute, duration_text(model_eta));
        }
        line += "; ";
    }
    line += fmt::format("run {}/{}", s.done, s.total);
    const std::size_t run_left = s.total > s.done ? s.total - s.done : 0;
    if (run_left > 0 && s.executed > 0 && s.run_seconds > 0) {
        // The model at work by its own rate once it has one; every other step at the run's.
        const double per_step = s.run_seconds / static_cast<double>(s.executed);
        const std::size_t by_run_rate = s.model_done > 0 ? run_left - std::min(run_left, model_left) : run_left;
        line += fmt::format(", done in ~{}", duration_text(model_eta + static_cast<double>(by_run_rate) * per_step));
    }
    if (s.run_seconds > 0 && s.tokens > 0) line += fmt::format("; {:.0f} tok/s", static_cast<double>(s.tokens) / s.run_seconds);
    if (s.failed > 0) line += fmt::format("; {} failed", s.failed);
    return line;
}

Progress::Progress(core::Log& log, std::FILE* terminal, std::size_t total_steps, std::shared_ptr<core::Clock> clock)
    : m_log(log), m_terminal(terminal), m_clock(std::move(clock)), m_started(m_clock->now()), m_model_started(m_started) {
    m_state.total = total_steps;
}

void Progress::model_started(const std::string& model, std::size_t steps) {
    const std::lock_guard lock(m_mutex);
    m_models[model] = {steps, 0, m_clock->now()};
    show(model);
    if (!m_terminal) m_log.info("run", "{}: loaded, {} step(s) to run", model, steps);
}

void Progress::steps_queued(const std::string& model, std::size_t steps) {
    const std::lock_guard lock(m_mutex);
    m_models[model].total += steps;
    if (m_state.model == model) m_state.model_total = m_models[model].total;
}

void Progress::show(const std::string& model) {
    const auto& counts = m_models[model];
    m_state.model = model;
    m_state.model_total = counts.total;
    m_state.model_done = counts.done;
    m_model_started = counts.started;
}

void Progress::step_finished(const std::string& model, bool ok, int completion_tokens, double) {
    const std::lock_guard lock(m_mutex);
    ++m_state.done;
    ++m_state.executed;
    ++m_models[model].done;
    show(model);
    if (!ok) ++m_state.failed;
    m_state.tokens += completion_tokens;
    if (m_terminal) {
        draw();
    } else if (const auto every = m_state.model_total / kLogLinesPerModel; every > 0 && m_state.model_done % every == 0) {
        m_log.info("run", "{}", status_line(snapshot()));
    }
}

void Progress::model_finished(const std::string& model) {
    const std::lock_guard lock(m_mutex);
    const auto counts = m_models[model];
    m_models.erase(model);
    const double seconds = seconds_between(counts.started, m_clock->now());
    if (m_terminal) std::fputs("\r\033[K", m_terminal);
    m_log.info("run", "{}: {} step(s) in {}", model, counts.done, duration_text(seconds));
    if (!m_models.empty()) {
        show(m_models.begin()->first);
    } else {
        m_state.model.clear();
        m_state.model_total = m_state.model_done = 0;
    }
}

void Progress::steps_settled(std::size_t count) {
    const std::lock_guard lock(m_mutex);
    m_state.done += count;
}

ProgressState Progress::snapshot() const {
    auto state = m_state;
    const auto now = m_clock->now();
    state.run_seconds = seconds_between(m_started, now);
    state.model_seconds = seconds_between(m_model_started, now);
    return state;
}

void Progress::draw() {
    const auto now = m_clock->now();
    if (now - m_last_draw < kRedrawInterval && m_state.done < m_state.total) return;
    m_last_draw = now;
    constexpr std::size_t kWidth = 20;
    const std::size_t filled = m_state.total ? kWidth * std::min(m_state.done, m_state.total) / m_state.total : kWidth;
    // The status quotes a model name: escaped like every message (core::Log), so only our own
    // \r and erase-line sequence reach the terminal.
    fmt::print(m_terminal, "\r\033[K[{}{}] {}", std::string(filled, '#'), std::string(kWidth - filled, '.'),
               core::escape_for_terminal(status_line(snapshot())));
    std::fflush(m_terminal);
}

}  // namespace tunecap::app
