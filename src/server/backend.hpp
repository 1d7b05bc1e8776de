// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where a model's requests go: a llama-server that tunecap starts and stops (ManagedServer), or an
// external OpenAI-compatible endpoint used as is (ExternalEndpoint).

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "llm/client.hpp"
#include "server/child_process.hpp"
#include "server/process.hpp"

namespace tunecap::server {

// Server status and its allowed transitions:
//   stopped -> starting -> ready -> stopping -> stopped
//   starting -> failed (the child exited, never became healthy, or lacks audio)
//   ready -> failed (the child died); failed -> starting (restart)
enum class ServerStatus { stopped, starting, ready, stopping, failed };
std::string_view to_string(ServerStatus status);

class Backend {
public:
    virtual ~Backend() = default;
    virtual llm::EndpointAddress address() const = 0;
    virtual const llm::ServerProps& props() const = 0;
    // After a lost connection: true when the backend is usable again (a managed server restarted).
    virtual core::Status recover() = 0;
    virtual void stop() = 0;
    virtual bool managed() const = 0;
};

struct SupervisorSettings {
    std::filesystem::path log_dir;               // child output: <log_dir>/<log_stem>-<n>.log
    std::string log_stem;                        // empty: the model's name
    std::optional<std::filesystem::path> guard;  // tunecap's own binary, for children that die with it
    // Loading a 9 GB GGUF from a cold disk takes tens of seconds; a server that is not healthy
    // after five minutes is not going to be.
    std::chrono::milliseconds ready_deadline = std::chrono::minutes(5);
    // llama.cpp's own router waits 10 s after an unload request before it forces termination.
    std::chrono::milliseconds stop_grace = std::chrono::seconds(10);
    // /health answers in microseconds on loopback; 50 ms keeps start-up latency low at no cost.
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50);
    int port_attempts = 5;  // a random free-looking port can still be taken by the time the child binds
    // The child's whole environment ("NAME=value", server_environment()); nullopt: tunecap's own.
    std::optional<std::vector<std::string>> environment;
    // True once the run is stopping (Ctrl-C): a start or restart gives up at its next health poll,
    // stopping the child. Empty: never.
    std::function<bool()> cancelled;
};

// A port for the next llama-server: random in 20000-32000, skipping ports something already
// answers on. The child may still find it taken; ManagedServer then retries with another.
int pick_port();

// A managed server's side effects, passed in so its start-up, stopping and restarts are tested
// without processes, sockets or sleeping. The defaults are the real ones; none may be null.
struct Seams {
    std::shared_ptr<ProcessLauncher> launcher = real_launcher();
    std::shared_ptr<llm::HttpTransport> transport = llm::real_transport();
    std::shared_ptr<core::Clock> clock = core::real_clock();
    std::function<int()> choose_port = pick_port;
};

// The explicit llama-server flag list for a model entry; nothing is left to the server's defaults.
// ctx is the total context (-c); each of the `slots` (-np) gets ctx / slots.
std::vector<std::string> server_arguments(const config::Model& model, int port, const std::filesystem::path& api_key_file);

class ManagedServer final : public Backend {
public:
    // Starts llama-server for the model and waits until it is healthy; with needs_audio, refuses a
    // server whose /props says modalities.audio is false.
    // Every wait is on seams.clock: readiness up to settings.ready_deadline (or until
    // settings.cancelled says so), a failed start's stop up to settings.stop_grace.
    static core::Result<std::unique_ptr<ManagedServer>> start(const config::Model& model, bool needs_audio,
                                                              const std::filesystem::path& binary,
                                                              const SupervisorSettings& settings, Seams seams = {});
    ~ManagedServer() override;

    llm::EndpointAddress address() const override;
    const llm::ServerProps& props() const override { return m_props; }
    core::Status recover() override;  // restart: stop what is left, start again with a new port and key
    void stop() override;
    bool managed() const override { return true; }

    ServerStatus status() const { return m_status; }
    int starts() const { return m_starts; }
    std::filesystem::path log_file() const { return m_log_file; }
    bool child_running();
    std::optional<pid_t> pid() const;

private:
    ManagedServer(config::Model model, bool needs_audio, std::filesystem::path binary, SupervisorSettings settings,
                  Seams seams);
    core::Status launch();
    core::Status launch_once(int port, bool& port_taken);
    void stop_child();

    config::Model m_model;
    bool m_needs_audio;
    std::filesystem::path m_binary;
    SupervisorSettings m_settings;
    Seams m_seams;
    ServerStatus m_status = ServerStatus::stopped;
    std::unique_ptr<Process> m_child;
    std::filesystem::path m_secret_dir;  // 0700 folder holding the key file
    std::string m_api_key;
    int m_port = 0;
    int m_starts = 0;
    std::filesystem::path m_log_file;
    llm::ServerProps m_props;
};

class ExternalEndpoint final : public Backend {
public:
    // Connects to the model's endpoint number `replica` (from 0). Reads /props when the server has
    // it (llama-server); other servers get props from the config. Refuses an endpoint that does not
    // answer or refuses the key.
    static core::Result<std::unique_ptr<ExternalEndpoint>> connect(
        const config::Model& model, std::size_t replica, const std::function<std::optional<std::string>(const std::string&)>& environment,
        std::shared_ptr<llm::HttpTransport> transport = llm::real_transport());
    llm::EndpointAddress address() const override { return m_address; }
    const llm::ServerProps& props() const override { return m_props; }
    core::Status recover() override { return core::Ok{}; }
    void stop() override {}
    bool managed() const override { return false; }

private:
    llm::EndpointAddress m_address;
    llm::ServerProps m_props;
};

}  // namespace tunecap::server
