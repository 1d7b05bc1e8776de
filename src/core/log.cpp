// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/log.hpp"

#include "core/text.hpp"

namespace tunecap::core {

// Messages quote file names, tags and server replies: escaped, so none can move the cursor, recolour
// the terminal or start a line of its own. The one newline is the line's end.
void Log::emit(Level level, std::string_view component, const std::string& message) {
    static constexpr std::string_view kNames[] = {"debug", "info", "warning", "error"};
    const std::string text = escape_for_terminal(message);
    const std::lock_guard lock(m_mutex);
    if (level == Level::info) {
        fmt::print(m_sink, "[{}] {}\n", component, text);
    } else {
        fmt::print(m_sink, "{}: [{}] {}\n", kNames[static_cast<int>(level)], component, text);
    }
    std::fflush(m_sink);
}

}  // namespace tunecap::core
