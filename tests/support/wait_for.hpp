// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Polling with a deadline, for tests that wait on another process (a file it writes, a pid that
// goes away). Deadlines in tests are generous: they only decide how long a broken run takes to
// fail, never whether a working one passes on a loaded machine.

#include <chrono>
#include <thread>

namespace tunecap::testing {

// Polls `done` every `interval` until it returns true (then true) or `deadline` has passed (then
// one last try decides).
template <class Done>
bool wait_for(Done done, std::chrono::milliseconds deadline,
              std::chrono::milliseconds interval = std::chrono::milliseconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(interval);
    }
    return done();
}

}  // namespace tunecap::testing
