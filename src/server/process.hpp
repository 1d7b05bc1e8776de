// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The process seam: what the supervisor asks of a child (spawn it, see whether it ended, signal
// it) as an interface, so start-up, stopping and restarts are unit-tested with a fake process on a
// fake clock. The real implementation is ChildProcess (child_process.hpp).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace tunecap::server {

struct SpawnRequest {
    std::filesystem::path program;
    std::vector<std::string> args;         // without argv[0]
    std::filesystem::path output;          // stdout and stderr go here (truncated); stdin is /dev/null
    std::optional<std::filesystem::path> guard;  // tunecap binary for guard mode; nullopt: exec directly
    // The child's whole environment ("NAME=value"); nullopt: tunecap's own.
    std::optional<std::vector<std::string>> environment = std::nullopt;
};

// A started child. Destroying one that still runs kills it.
class Process {
public:
    virtual ~Process() = default;

    virtual pid_t pid() const = 0;
    // Non-blocking: the exit status once the child has ended (128 + signal for a signal), nullopt
    // while it runs.
    virtual std::optional<int> poll() = 0;
    // SIGTERM to the child's process group; returns at once.
    virtual void terminate() = 0;
    // SIGKILL to the child's process group; returns the exit status once the child has ended.
    virtual int kill_now() = 0;
};

class ProcessLauncher {
public:
    virtual ~ProcessLauncher() = default;
    // Starts the child and returns at once; an error when it cannot be started at all.
    virtual core::Result<std::unique_ptr<Process>> spawn(const SpawnRequest& request) = 0;
};

// posix_spawn through ChildProcess::spawn.
std::shared_ptr<ProcessLauncher> real_launcher();

// The stop protocol: exactly one SIGTERM, up to `grace` on `clock` for the child to end, then
// SIGKILL. A child that has already ended gets no signal. Returns the exit status. One SIGTERM
// only: a second one makes llama-server exit(1) without cleaning up.
int stop_process(Process& process, std::chrono::milliseconds grace, core::Clock& clock);

}  // namespace tunecap::server
