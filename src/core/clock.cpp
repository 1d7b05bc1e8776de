// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/clock.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

namespace tunecap::core {
namespace {

class SteadyClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
    void sleep_for(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

std::string utc_now_iso() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::shared_ptr<Clock> real_clock() { return std::make_shared<SteadyClock>(); }

std::chrono::milliseconds Deadline::left() const {
    const auto now = m_clock.now();
    if (now >= m_at) return std::chrono::milliseconds::zero();
    return std::chrono::ceil<std::chrono::milliseconds>(m_at - now);
}

void Deadline::sleep(std::chrono::milliseconds step) const {
    const auto duration = std::min(step, left());
    if (duration > std::chrono::milliseconds::zero()) m_clock.sleep_for(duration);
}

}  // namespace tunecap::core
