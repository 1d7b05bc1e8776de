// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace tunecap::server {
namespace {

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

class SpawnActions {
public:
    SpawnActions() { posix_spawn_file_actions_init(&m_actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&m_actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &m_actions; }

private:
    posix_spawn_file_actions_t m_actions;
};

class SpawnAttributes {
public:
    SpawnAttributes() { posix_spawnattr_init(&m_attributes); }
    ~SpawnAttributes() { posix_spawnattr_destroy(&m_attributes); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    posix_spawnattr_t* get() { return &m_attributes; }

private:
    posix_spawnattr_t m_attributes;
};

}  // namespace

core::Result<ChildProcess> ChildProcess::spawn(const SpawnRequest& request) {
    std::vector<std::string> argv_text;
    if (request.guard) {
        argv_text = {request.guard->string(), kGuardCommand, std::to_string(::getpid()), request.program.string()};
    } else {
        argv_text = {request.program.string()};
    }
    argv_text.insert(argv_text.end(), request.args.begin(), request.args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);

    SpawnActions actions;
    posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, request.output.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);
    SpawnAttributes attributes;
    posix_spawnattr_setpgroup(attributes.get(), 0);
    // The child starts with default signal dispositions and no blocked signals, whatever tunecap set.
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(attributes.get(), &all);
    posix_spawnattr_setsigmask(attributes.get(), &none);
    posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> environment_text = request.environment.value_or(std::vector<std::string>{});
    std::vector<char*> environment;
    for (auto& entry : environment_text) environment.push_back(entry.data());
    environment.push_back(nullptr);

    pid_t pid = -1;
    const char* program = argv_text.front().c_str();
    const int rc = posix_spawn(&pid, program, actions.get(), attributes.get(), argv.data(),
                               request.environment ? environment.data() : environ);
    if (rc != 0) return core::Error{std::string(program) + ": cannot start: " + std::strerror(rc)};
    return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : m_pid(other.m_pid), m_status(other.m_status) {
    other.m_pid = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (m_pid > 0 && !m_status) kill_now();
        m_pid = other.m_pid;
        m_status = other.m_status;
        other.m_pid = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (m_pid > 0 && !m_status) kill_now();
}

std::optional<int> ChildProcess::poll() {
    if (m_status || m_pid <= 0) return m_status;
    int status = 0;
    const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) m_status = decode_status(status);
    return m_status;
}

int ChildProcess::wait_blocking() {
    if (m_status) return *m_status;
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0) {
        if (errno != EINTR) {
            m_status = -1;
            return -1;
        }
    }
    m_status = decode_status(status);
    return *m_status;
}

void ChildProcess::terminate() {
    if (m_pid > 0 && !poll()) ::kill(-m_pid, SIGTERM);
}

int ChildProcess::stop(std::chrono::milliseconds grace) { return stop_process(*this, grace, *core::real_clock()); }

int ChildProcess::kill_now() {
    if (m_pid <= 0) return -1;
    if (m_status) return *m_status;  // reaped: the pid may already belong to another process
    ::kill(-m_pid, SIGKILL);
    ::kill(m_pid, SIGKILL);
    return wait_blocking();
}

namespace {

class PosixLauncher final : public ProcessLauncher {
public:
    core::Result<std::unique_ptr<Process>> spawn(const SpawnRequest& request) override {
        auto child = ChildProcess::spawn(request);
        if (!child) return child.error();
        return std::unique_ptr<Process>(std::make_unique<ChildProcess>(std::move(child).take()));
    }
};

}  // namespace

std::shared_ptr<ProcessLauncher> real_launcher() { return std::make_shared<PosixLauncher>(); }

void exec_guard(int argc, char** argv) {
    // argv: tunecap __exec-guard PARENT_PID PROGRAM ARGS...
    if (argc < 4) {
        std::fprintf(stderr, "tunecap %s: usage: PARENT_PID PROGRAM ARGS...\n", kGuardCommand);
        std::_Exit(127);
    }
    const auto parent = static_cast<pid_t>(std::strtol(argv[2], nullptr, 10));
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Checked after arming the signal: a parent that died before it was armed is caught here.
    if (::getppid() != parent) std::_Exit(127);
    ::execvp(argv[3], argv + 3);
    std::fprintf(stderr, "tunecap: cannot run %s: %s\n", argv[3], std::strerror(errno));
    std::_Exit(127);
}

core::Result<std::filesystem::path> find_executable(const std::string& name) {
    auto executable = [](const std::filesystem::path& p) {
        std::error_code ec;
        return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos) {
        if (executable(name)) return std::filesystem::path(name);
        return core::Error{name + ": llama-server binary not found or not executable"};
    }
    const char* path = std::getenv("PATH");
    std::string_view rest = path ? path : "";
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const auto dir = rest.substr(0, colon);
        const auto candidate = std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name;
        if (executable(candidate)) return candidate;
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
    return core::Error{"'" + name + "' is not on PATH: install llama.cpp's llama-server, or set runtime.llama_server "
                                    "in the config or TUNECAP_LLAMA_SERVER to its path"};
}

}  // namespace tunecap::server
