// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Logging for orchestration code. Leaf modules return errors instead of logging; the owner of a
// Log (main) passes it down. Every line carries a component tag: "[tags] file.flac: ...". A message
// is one line whatever it quotes: control characters and broken UTF-8 in it are escaped
// (core::escape_for_terminal).

#include <fmt/core.h>

#include <cstdio>
#include <mutex>
#include <string_view>

namespace tunecap::core {

enum class Level { debug, info, warn, error };

class Log {
public:
    explicit Log(std::FILE* sink = stderr, Level threshold = Level::info)
        : m_sink(sink), m_threshold(threshold) {}

    void set_threshold(Level level) { m_threshold = level; }
    bool enabled(Level level) const { return level >= m_threshold; }

    template <class... Args>
    void write(Level level, std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
        if (!enabled(level)) return;
        emit(level, component, fmt::format(format, std::forward<Args>(args)...));
    }
    template <class... Args>
    void debug(std::string_view component, fmt::format_string<Args...> f, Args&&... a) {
        write(Level::debug, component, f, std::forward<Args>(a)...);
    }
    template <class... Args>
    void info(std::string_view component, fmt::format_string<Args...> f, Args&&... a) {
        write(Level::info, component, f, std::forward<Args>(a)...);
    }
    template <class... Args>
    void warn(std::string_view component, fmt::format_string<Args...> f, Args&&... a) {
        write(Level::warn, component, f, std::forward<Args>(a)...);
    }
    template <class... Args>
    void error(std::string_view component, fmt::format_string<Args...> f, Args&&... a) {
        write(Level::error, component, f, std::forward<Args>(a)...);
    }

private:
    void emit(Level level, std::string_view component, const std::string& message);

    std::FILE* m_sink;
    Level m_threshold;
    std::mutex m_mutex;
};

}  // namespace tunecap::core
