// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A child process started with posix_spawn (no shell), owned by RAII: destroying a ChildProcess
// that still runs kills its whole process group.
//
// Children die with tunecap even when tunecap is killed: the child is started through tunecap's
// own binary in guard mode (`tunecap __exec-guard PARENT_PID PROGRAM ARGS...`), which sets
// PR_SET_PDEATHSIG to SIGKILL, checks that PARENT_PID is still its parent, and then execs PROGRAM. The signal follows the *thread* that spawned the child, so
// spawn from a thread that lives as long as the child (the main thread). Each child leads its own
// process group, so a terminal's Ctrl-C reaches tunecap only, and tunecap stops its children in order.
// The group holds the child alone (guard mode execs in place; llama-server starts no processes of
// its own), so nothing is left to sweep once the child has ended.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "server/process.hpp"

namespace tunecap::server {

class ChildProcess final : public Process {
public:
    static core::Result<ChildProcess> spawn(const SpawnRequest& request);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() override;

    pid_t pid() const override { return m_pid; }
    // Non-blocking: the exit status once the child has ended (reaped), nullopt while it runs.
    std::optional<int> poll() override;
    bool running() { return !poll().has_value(); }
    void terminate() override;
    // stop_process() on the real clock.
    int stop(std::chrono::milliseconds grace);
    // SIGKILL to the group and reap.
    int kill_now() override;

private:
    explicit ChildProcess(pid_t pid) : m_pid(pid) {}
    int wait_blocking();

    pid_t m_pid = -1;
    std::optional<int> m_status;
};

// Guard mode, called from main() before anything else: `tunecap __exec-guard PARENT_PID PROGRAM ARGS...`.
// Never returns: execs PROGRAM, or exits 127 with a message on stderr.
[[noreturn]] void exec_guard(int argc, char** argv);
inline constexpr const char* kGuardCommand = "__exec-guard";

// PATH lookup for a bare name; a name with '/' is taken as a path. Error when missing or not executable.
core::Result<std::filesystem::path> find_executable(const std::string& name);

}  // namespace tunecap::server
