// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One model's backend while its steps run: started through a factory, shared by the slot workers,
// restarted when it dies or hangs, stopped at the end. The restart protocol: a request that loses
// its connection (the server died) or reaches its deadline (the server hung) restarts the server
// once for all the requests in flight (the first to notice does it, the others see the new
// generation); a first attempt is then sent once more. kGiveUpAfter such failures in a row, with no
// answer between them, give up on the model: its server is stopped and every later request fails
// at once with the reason, as when a server cannot be restarted.

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

// Starts what serves a model: its replica number `replica` (from 0, below model.replica_count()), a
// managed llama-server or an external endpoint.
using BackendFactory = std::function<core::Result<std::unique_ptr<server::Backend>>(
    const config::Model& model, std::size_t replica, bool needs_audio)>;

// Sends one generation request to an endpoint (llm::Client in a real run).
using Generate = std::function<llm::LlmResult<llm::GenerationResult>(
    const llm::EndpointAddress& address, const llm::GenerationRequest& request, const std::string& media_marker)>;
// Requests over `transport`, whose cancel() ends them all.
Generate http_generate(std::shared_ptr<llm::HttpTransport> transport = llm::real_transport());

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
    // Three failures in a row: one is a crash or a hang a restart mends, a second may be bad luck,
    // a third says the model cannot serve these requests here, and each costs up to a deadline.
    static constexpr int kGiveUpAfter = 3;

    // end_requests, when given, ends the requests in flight at once (cancels their transport); abort
    // calls it before it stops the server, which a real llama-server would not leave while a client
    // still waits.
    BackendSession(std::unique_ptr<server::Backend> backend, std::string model, SpawnThread& spawner, Generate generate,
                   core::Log* log, std::function<void()> end_requests = {});
    ~BackendSession();
    BackendSession(const BackendSession&) = delete;
    BackendSession& operator=(const BackendSession&) = delete;

    // What the server reported at its last start.
    llm::ServerProps props() const;
    // Sends the request, pinned to `slot` when the server has several, under the restart protocol.
    llm::LlmResult<llm::GenerationResult> generate(llm::GenerationRequest request, int slot);
    int restarts() const;
    // For a second Ctrl-C: ends the requests in flight and stops the server at once, and fails
    // them and every later request without a restart.
    void abort();
    bool aborted() const;
    // True once the server is out of service for good (it gave up, or could not be restarted),
    // not by a stop: every request fails at once from then on.
    bool out_of_service() const;
    // Why every request fails now (out of service or aborted); empty while it serves.
    std::string error() const;
    // True while the server has failed (died or hung) since its last answer.
    bool failing() const;
    void stop();

private:
    // After a request found the server dead or hung (m_mutex held): restart it, or give up.
    void restart(const llm::LlmError& cause);
    void stop_backend();  // m_mutex held; once

    std::unique_ptr<server::Backend> m_backend;
    std::string m_model;
    SpawnThread& m_spawner;
    Generate m_generate;
    core::Log* m_log;
    std::function<void()> m_end_requests;
    mutable std::mutex m_mutex;  // the backend: address and props change on restart
    llm::ServerProps m_props;  // the backend's at its last start; kept when it is stopped
    int m_generation = 0;
    int m_restarts = 0;
    int m_failures_in_a_row = 0;  // dead or hung servers since the last answer
    bool m_aborted = false;
    bool m_stopped = false;
    std::string m_error;  // set when a restart failed, the model gave up or the run aborted: every later request fails with it
};

}  // namespace tunecap::pipeline
