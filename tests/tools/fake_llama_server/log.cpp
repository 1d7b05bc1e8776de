// SPDX-License-Identifier: GPL-3.0-or-later
#include "log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tunecap::fake_llama_server {

Logger::Logger() : m_start(std::chrono::steady_clock::now()) {}

Logger::~Logger() {
    if (m_file >= 0) ::close(m_file);
}

void Logger::configure(const std::string& log_file, bool disabled) {
    std::lock_guard lock(m_mutex);
    m_disabled = disabled;
    if (!log_file.empty()) m_file = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

void Logger::plain(std::string_view text) {
    std::lock_guard lock(m_mutex);
    write_all(std::string(text) + "\n");
}

void Logger::line(char level, std::string_view text) {
    // llama.cpp's prefix: minutes.seconds.milliseconds.microseconds since start, then the level.
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - m_start).count();
    const auto prefix = fmt::format("{}.{:02}.{:03}.{:03} {} ", us / 60'000'000, us / 1'000'000 % 60, us / 1000 % 1000, us % 1000, level);
    std::lock_guard lock(m_mutex);
    write_all(prefix + std::string(text) + "\n");
}

void Logger::write_all(std::string_view text) {
    if (m_disabled) return;
    for (int fd : {STDERR_FILENO, m_file}) {
        if (fd < 0) continue;
        std::size_t done = 0;
        while (done < text.size()) {
            const auto n = ::write(fd, text.data() + done, text.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
    }
}

std::string srv(std::string_view function, std::string_view message) {
    return fmt::format("srv  {:>12.12}: {}", function, message);
}

std::string slot(std::string_view function, int slot_id, long task_id, std::string_view message) {
    return fmt::format("slot {:>12.12}: id {:2} | task {} | {}", function, slot_id, task_id, message);
}

}  // namespace tunecap::fake_llama_server
