// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Time as tunecap reads it. Every wait goes through a Clock that is passed in, so readiness
// deadlines, stop grace periods and restarts are tested on a fake clock without sleeping.

#include <chrono>
#include <memory>
#include <string>

namespace tunecap::core {

// Now as ISO 8601 UTC to the second: "2026-11-26T01:05:09Z".
std::string utc_now_iso();

// Monotonic time and sleeping. Implementations are safe to use from several threads at once.
class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
    // Returns after at least `duration` has passed on this clock.
    virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// std::chrono::steady_clock and real sleeps. Stateless: every caller may have its own.
std::shared_ptr<Clock> real_clock();

// The moment a wait must end, on a clock. A polling loop asks passed(), sleeps with sleep(), and so
// ends on the deadline itself rather than up to one poll interval after it.
class Deadline {
public:
    Deadline(Clock& clock, std::chrono::milliseconds budget) : m_clock(clock), m_at(clock.now() + budget) {}

    bool passed() const { return m_clock.now() >= m_at; }
    // What is left, rounded up to whole milliseconds (never ends a wait early); zero once passed.
    std::chrono::milliseconds left() const;
    // Sleeps `step`, or only what is left when that is shorter.
    void sleep(std::chrono::milliseconds step) const;

private:
    Clock& m_clock;
    Clock::TimePoint m_at;
};

}  // namespace tunecap::core
