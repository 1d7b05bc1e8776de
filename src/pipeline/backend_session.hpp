// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One model's backend while its steps run: started through a factory, shared by the slot workers,
// restarted when it dies, stopped at the end. The restart protocol: a request that loses its
// connection restarts the server once for all the requests in flight (the first to notice does it,
// the others see the new generation) and is sent once more; a server that cannot be restarted fails
// every later request at once with the reason.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "core/log.hpp"
#include "llm/client.hpp"
#include "server/backend.hpp"

namespace tunecap::pipeline {

// Starts what serves a model (a managed llama-server or an external endpoint).
using BackendFactory =
    std::function<core::Result<std::unique_ptr<server::Backend>>(const config::Model& model, bool needs_audio)>;

// Sends one generation request to an endpoint (llm::Client in a real run).
using Generate = std::function<llm::LlmResult<llm::GenerationResult>(
    const llm::EndpointAddress& address, const llm::GenerationRequest& request, const std::string& media_marker)>;
Generate http_generate();

// Runs tasks one at a time on a thread that lives as long as it does. Servers are restarted
// through it: a child's parent-death signal fires when the *thread* that spawned it ends, so a
// server must not be spawned from a slot worker, which ends when its model's work does.
class SpawnThread {
public:
    SpawnThread();
    ~SpawnThread();
    SpawnThread(const SpawnThread&) = delete;
    SpawnThread& operator=(const SpawnThread&) = delete;

    // Runs task on the spawn thread and waits for it.
    void run(const std::function<void()>& task);

private:
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_finished_cv;
    std::deque<std::function<void()>> m_tasks;
    std::uint64_t m_submitted = 0;
    std::uint64_t m_finished = 0;
    bool m_done = false;
    std::thread m_thread;
};

class BackendSession {
public:
    BackendSession(std::unique_ptr<server::Backend> backend, std::string model, SpawnThread& spawner, Generate generate,
                   core::Log* log);
    ~BackendSession();
    BackendSession(const BackendSession&) = delete;
    BackendSession& operator=(const BackendSession&) = delete;

    // What the server reported at its last start.
    llm::ServerProps props() const;
    // Sends the request, pinned to `slot` when the server has several, under the restart protocol.
    llm::LlmResult<llm::GenerationResult> generate(llm::GenerationRequest request, int slot);
    int restarts() const;
    void stop();

private:
    std::unique_ptr<server::Backend> m_backend;
    std::string m_model;
    SpawnThread& m_spawner;
    Generate m_generate;
    core::Log* m_log;
    mutable std::mutex m_mutex;  // the backend: address and props change on restart
    int m_generation = 0;
    int m_restarts = 0;
    std::string m_error;  // set when a restart failed: every later request fails with it
};

}  // namespace tunecap::pipeline
