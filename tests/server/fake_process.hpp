// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A scripted server::Process and ProcessLauncher for unit tests: no process is started. Each fake
// child ends when its script says, measured on a FakeClock, and records the signals it got and
// when. The launcher writes the scripted log to the spawn request's output file, as a child would.

#include <signal.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "server/process.hpp"

namespace tunecap::testing {

struct ChildScript {
    std::string log = "main: server is listening on http://127.0.0.1 - starting the main loop\n";
    // Ends by itself this long after the spawn (a crash, a taken port); nullopt: runs until signalled.
    std::optional<std::chrono::milliseconds> exits_after;
    int exit_status = 1;
    // Ends this long after SIGTERM, with status 0 as llama-server does; nullopt: ignores SIGTERM.
    std::optional<std::chrono::milliseconds> sigterm_exit_after = std::chrono::milliseconds(0);
    bool cannot_start = false;  // spawn fails, as for a missing or non-executable binary
};

struct Signal {
    int number = 0;
    std::chrono::milliseconds at{0};  // FakeClock::elapsed() when it was sent
    bool operator==(const Signal&) const = default;
    friend std::ostream& operator<<(std::ostream& out, const Signal& s) {
        return out << (s.number == SIGTERM ? "SIGTERM" : s.number == SIGKILL ? "SIGKILL" : std::to_string(s.number))
                   << " at " << s.at.count() << " ms";
    }
};

// What one fake child did; outlives the Process object so tests can look after a stop.
class FakeChild {
public:
    FakeChild(server::SpawnRequest request, ChildScript script, FakeClock& clock, pid_t pid)
        : m_request(std::move(request)), m_script(std::move(script)), m_clock(clock), m_pid(pid),
          m_spawned_at(clock.elapsed()) {}

    const server::SpawnRequest& request() const { return m_request; }
    pid_t pid() const { return m_pid; }

    std::optional<int> poll() {
        std::lock_guard lock(m_mutex);
        return poll_locked();
    }
    void signal(int number) {
        std::lock_guard lock(m_mutex);
        m_signals.push_back({number, m_clock.elapsed()});
        if (m_status) return;
        if (number == SIGTERM && !m_terminated_at) m_terminated_at = m_clock.elapsed();
        if (number == SIGKILL) m_status = 128 + SIGKILL;
    }
    // The child dies on its own now (a crash while serving).
    void crash(int status = 128 + SIGSEGV) {
        std::lock_guard lock(m_mutex);
        if (!m_status) m_status = status;
    }
    void destroyed() {
        std::lock_guard lock(m_mutex);
        if (!poll_locked()) m_destroyed_running = true;
    }

    std::vector<Signal> signals() const {
        std::lock_guard lock(m_mutex);
        return m_signals;
    }
    bool ended() {
        std::lock_guard lock(m_mutex);
        return poll_locked().has_value();
    }
    // The Process was dropped while the child still ran (the real one would then be killed).
    bool destroyed_running() const {
        std::lock_guard lock(m_mutex);
        return m_destroyed_running;
    }
    std::string arg_after(const std::string& flag) const {
        const auto& args = m_request.args;
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            if (args[i] == flag) return args[i + 1];
        }
        return "";
    }

private:
    std::optional<int> poll_locked() {
        if (m_status) return m_status;
        const auto now = m_clock.elapsed();
        if (m_script.exits_after && now >= m_spawned_at + *m_script.exits_after) {
            m_status = m_script.exit_status;
        } else if (m_terminated_at && m_script.sigterm_exit_after && now >= *m_terminated_at + *m_script.sigterm_exit_after) {
            m_status = 0;
        }
        return m_status;
    }

    mutable std::mutex m_mutex;
    const server::SpawnRequest m_request;
    const ChildScript m_script;
    FakeClock& m_clock;
    const pid_t m_pid;
    const std::chrono::milliseconds m_spawned_at;
    std::optional<std::chrono::milliseconds> m_terminated_at;
    std::optional<int> m_status;
    std::vector<Signal> m_signals;
    bool m_destroyed_running = false;
};

class FakeProcess final : public server::Process {
public:
    explicit FakeProcess(std::shared_ptr<FakeChild> child) : m_child(std::move(child)) {}
    ~FakeProcess() override { m_child->destroyed(); }
    FakeProcess(const FakeProcess&) = delete;
    FakeProcess& operator=(const FakeProcess&) = delete;

    pid_t pid() const override { return m_child->pid(); }
    std::optional<int> poll() override { return m_child->poll(); }
    void terminate() override { m_child->signal(SIGTERM); }
    int kill_now() override {
        m_child->signal(SIGKILL);
        return *m_child->poll();
    }

private:
    std::shared_ptr<FakeChild> m_child;
};

class FakeLauncher final : public server::ProcessLauncher {
public:
    explicit FakeLauncher(FakeClock& clock) : m_clock(clock) {}

    // Scripts for the next spawns, in order; once they run out, each child gets ChildScript{}.
    void script(std::vector<ChildScript> scripts) {
        std::lock_guard lock(m_mutex);
        m_scripts.assign(scripts.begin(), scripts.end());
    }

    core::Result<std::unique_ptr<server::Process>> spawn(const server::SpawnRequest& request) override {
        std::lock_guard lock(m_mutex);
        ChildScript script;
        if (!m_scripts.empty()) {
            script = m_scripts.front();
            m_scripts.pop_front();
        }
        if (script.cannot_start) return core::Error{request.program.string() + ": cannot start: No such file or directory"};
        std::ofstream(request.output, std::ios::trunc) << script.log;
        auto child = std::make_shared<FakeChild>(request, script, m_clock, static_cast<pid_t>(40000 + m_children.size()));
        m_children.push_back(child);
        return std::unique_ptr<server::Process>(std::make_unique<FakeProcess>(std::move(child)));
    }

    std::vector<std::shared_ptr<FakeChild>> children() const {
        std::lock_guard lock(m_mutex);
        return m_children;
    }

private:
    mutable std::mutex m_mutex;
    FakeClock& m_clock;
    std::deque<ChildScript> m_scripts;
    std::vector<std::shared_ptr<FakeChild>> m_children;
};

}  // namespace tunecap::testing
