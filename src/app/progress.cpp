// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/progress.hpp"

#include <fmt/format.h>

namespace tunecap::app {
namespace {

// Redrawing more often than this only costs terminal bandwidth.
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);

std::string duration_text(double seconds) {
    const auto s = static_cast<long>(seconds);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

}  // namespace

Progress::Progress(core::Log& log, std::FILE* terminal, std::size_t total_steps)
    : m_log(log), m_terminal(terminal), m_total(total_steps) {}

void Progress::model_started(const std::string& model, std::size_t steps) {
    const std::lock_guard lock(m_mutex);
    m_model = model;
    m_model_total = steps;
    m_model_done = 0;
    m_model_started = std::chrono::steady_clock::now();
    if (!m_terminal) m_log.info("run", "{}: loaded, {} step(s) to run", model, steps);
}

void Progress::step_finished(const std::string& model, bool ok, int completion_tokens, double) {
    const std::lock_guard lock(m_mutex);
    ++m_done;
    ++m_executed;
    ++m_model_done;
    if (!ok) ++m_failed;
    m_tokens += completion_tokens;
    if (m_terminal) {
        draw();
    } else if (m_model_total >= 10 && m_model_done % (m_model_total / 10) == 0) {
        m_log.info("run", "{}: {}/{} steps", model, m_model_done, m_model_total);
    }
}

void Progress::model_finished(const std::string& model) {
    const std::lock_guard lock(m_mutex);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_model_started).count();
    if (m_terminal) std::fputs("\r\033[K", m_terminal);
    m_log.info("run", "{}: {} step(s) in {}", model, m_model_done, duration_text(seconds));
}

void Progress::steps_settled(std::size_t count) {
    const std::lock_guard lock(m_mutex);
    m_done += count;
}

void Progress::draw() {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < kRedrawInterval && m_done < m_total) return;
    m_last_draw = now;
    const double elapsed = std::chrono::duration<double>(now - m_started).count();
    const double rate = elapsed > 0 ? m_executed / elapsed : 0;  // settled steps cost no time
    const std::string eta = rate > 0 && m_total > m_done ? duration_text((m_total - m_done) / rate) : "-";
    const double tokens_per_second = elapsed > 0 ? m_tokens / elapsed : 0;
    constexpr int kWidth = 24;
    const int filled = m_total ? static_cast<int>(kWidth * m_done / m_total) : kWidth;
    fmt::print(m_terminal, "\r\033[K[{}{}] {}/{} steps  {}  ETA {}  {:.0f} tok/s{}", std::string(filled, '#'),
               std::string(kWidth - filled, '.'), m_done, m_total, m_model, eta, tokens_per_second,
               m_failed ? fmt::format("  {} failed", m_failed) : "");
    std::fflush(m_terminal);
}

}  // namespace tunecap::app
