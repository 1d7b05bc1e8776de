// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/clock.hpp"

#include <chrono>
#include <ctime>

namespace tunecap::core {

std::string utc_now_iso() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

}  // namespace tunecap::core
