// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/process.hpp"

namespace tunecap::server {
namespace {

// How often the stop protocol looks whether the child has ended. llama-server with no request in
// flight exits within about 0.15 s of SIGTERM (measured on llama.cpp 3f545bec, the build behind
// tests/data); looking every 10 ms ends the wait within a few percent of that, and a waitpid per
// look costs nothing.
constexpr auto kStopPollInterval = std::chrono::milliseconds(10);

}  // namespace

int stop_process(Process& process, std::chrono::milliseconds grace, core::Clock& clock) {
    if (const auto status = process.poll()) return *status;
    process.terminate();
    const core::Deadline deadline(clock, grace);
    while (true) {
        if (const auto status = process.poll()) return *status;
        if (deadline.passed()) return process.kill_now();
        deadline.sleep(kStopPollInterval);
    }
}

}  // namespace tunecap::server
