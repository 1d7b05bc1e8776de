// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/log.hpp"

namespace tunecap::core {

void Log::emit(Level level, std::string_view component, const std::string& message) {
    static constexpr std::string_view kNames[] = {"debug", "info", "warning", "error"};
    const std::lock_guard lock(m_mutex);
    if (level == Level::info) {
        fmt::print(m_sink, "[{}] {}\n", component, message);
    } else {
        fmt::print(m_sink, "{}: [{}] {}\n", kNames[static_cast<int>(level)], component, message);
    }
    std::fflush(m_sink);
}

}  // namespace tunecap::core
