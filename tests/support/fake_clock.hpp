// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A core::Clock for unit tests: sleep_for advances now() at once, so a five-minute deadline is
// reached in microseconds and the test can still say exactly when, on this clock, a thing happened.

#include <chrono>
#include <mutex>

#include "core/clock.hpp"

namespace tunecap::testing {

class FakeClock final : public core::Clock {
public:
    // Starts an hour after the steady clock's epoch rather than at it, so code that treats a
    // zero time point as "unset" shows up.
    FakeClock() : m_start(TimePoint{} + std::chrono::hours(1)), m_now(m_start) {}

    TimePoint now() const override {
        std::lock_guard lock(m_mutex);
        return m_now;
    }
    void sleep_for(std::chrono::milliseconds duration) override {
        std::lock_guard lock(m_mutex);
        if (duration > std::chrono::milliseconds::zero()) {
            m_now += duration;
            ++m_sleeps;
        }
    }
    // Time passing while the code under test does something else (a request that takes a while).
    void advance(TimePoint::duration duration) {
        std::lock_guard lock(m_mutex);
        m_now += duration;
    }

    // Fake time since construction in whole milliseconds (what tests compare deadlines against).
    std::chrono::milliseconds elapsed() const {
        std::lock_guard lock(m_mutex);
        return std::chrono::duration_cast<std::chrono::milliseconds>(m_now - m_start);
    }
    // How many sleeps of a positive duration were asked for.
    int sleeps() const {
        std::lock_guard lock(m_mutex);
        return m_sleeps;
    }

private:
    mutable std::mutex m_mutex;
    const TimePoint m_start;
    TimePoint m_now;
    int m_sleeps = 0;
};

}  // namespace tunecap::testing
