// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/backend_session.hpp"

#include <fmt/format.h>

namespace tunecap::pipeline {

Generate http_generate(std::shared_ptr<llm::HttpTransport> transport) {
    return [transport](const llm::EndpointAddress& address, const llm::GenerationRequest& request, const std::string& marker) {
        return llm::Client(address, transport).generate(request, marker);
    };
}

SpawnThread::SpawnThread() : m_thread([this] { loop(); }) {}

SpawnThread::~SpawnThread() {
    {
        const std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void SpawnThread::run(const std::function<void()>& task) {
    std::unique_lock lock(m_mutex);
    const auto ticket = ++m_submitted;
    m_tasks.push_back(task);
    m_wake.notify_all();
    m_finished_cv.wait(lock, [&] { return m_finished >= ticket; });
}

void SpawnThread::loop() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [this] { return m_done || !m_tasks.empty(); });
        if (m_tasks.empty()) return;
        auto task = std::move(m_tasks.front());
        m_tasks.pop_front();
        lock.unlock();
        try {
            task();
        } catch (...) {  // a task reports through its own result; a throw must not end tunecap
        }
        lock.lock();
        ++m_finished;
        m_finished_cv.notify_all();
    }
}

BackendSession::BackendSession(std::unique_ptr<server::Backend> backend, std::string model, SpawnThread& spawner,
                               Generate generate, core::Log* log, std::function<void()> end_requests)
    : m_backend(std::move(backend)),
      m_model(std::move(model)),
      m_spawner(spawner),
      m_generate(std::move(generate)),
      m_log(log),
      m_end_requests(std::move(end_requests)) {
    if (m_backend) m_props = m_backend->props();
}

BackendSession::~BackendSession() { stop(); }

llm::ServerProps BackendSession::props() const {
    const std::lock_guard lock(m_mutex);
    return m_props;
}

int BackendSession::restarts() const {
    const std::lock_guard lock(m_mutex);
    return m_restarts;
}

namespace {

// What a restart may mend: the server died, or it stopped answering.
bool server_fault(llm::ErrorKind kind) { return kind == llm::ErrorKind::connection_lost || kind == llm::ErrorKind::timeout; }

}  // namespace

llm::LlmResult<llm::GenerationResult> BackendSession::generate(llm::GenerationRequest request, int slot) {
    for (int attempt = 0;; ++attempt) {
        llm::EndpointAddress address;
        std::string marker;
        int generation = 0;
        {
            const std::lock_guard lock(m_mutex);
            if (!m_error.empty()) return llm::LlmError{llm::ErrorKind::connection_lost, 0, m_error, {}, {}};
            if (m_stopped || !m_backend) {
                return llm::LlmError{llm::ErrorKind::connection_lost, 0, "model " + m_model + " is stopped", {}, {}};
            }
            address = m_backend->address();
            marker = m_props.media_marker;
            request.id_slot = m_props.total_slots > 1 ? slot : -1;
            generation = m_generation;
        }
        auto result = m_generate(address, request, marker);
        const std::lock_guard lock(m_mutex);
        if (result || !server_fault(result.error().kind)) {
            m_failures_in_a_row = 0;  // the server answered
            return result;
        }
        if (generation == m_generation && m_error.empty()) restart(result.error());  // else another request did
        if (!m_error.empty()) return llm::LlmError{result.error().kind, 0, m_error, {}, {}};
        if (attempt > 0) return result;
    }
}

void BackendSession::restart(const llm::LlmError& cause) {
    ++m_generation;
    const auto what =
        cause.kind == llm::ErrorKind::timeout ? "no answer by the deadline, the server seems hung" : "connection lost";
    if (++m_failures_in_a_row >= kGiveUpAfter) {
        m_error = fmt::format("model {} gave up after {} consecutive timeouts/restarts: {}", m_model, kGiveUpAfter,
                              cause.message);
        if (m_log) m_log->error("run", "{}; its remaining steps fail", m_error);
        stop_backend();  // a hung server holds its memory, and its requests in flight end
        return;
    }
    if (m_log) m_log->warn("run", "{}: {} ({}); restarting the server", m_model, what, cause.message);
    core::Status recovered = core::Ok{};
    m_spawner.run([&] { recovered = m_backend->recover(); });
    ++m_restarts;
    if (!recovered) {
        m_error = "model " + m_model + " could not be restarted: " + recovered.error().message;
        return;
    }
    m_props = m_backend->props();
}

void BackendSession::abort() {
    {
        // First marked, so that the requests ended next fail instead of restarting the server.
        const std::lock_guard lock(m_mutex);
        m_aborted = true;
        if (m_error.empty()) m_error = "model " + m_model + ": the run was stopped";
    }
    if (m_end_requests) m_end_requests();
    const std::lock_guard lock(m_mutex);
    stop_backend();
}

bool BackendSession::aborted() const {
    const std::lock_guard lock(m_mutex);
    return m_aborted;
}

bool BackendSession::out_of_service() const {
    const std::lock_guard lock(m_mutex);
    return !m_error.empty() && !m_aborted;
}

std::string BackendSession::error() const {
    const std::lock_guard lock(m_mutex);
    return m_error;
}

bool BackendSession::failing() const {
    const std::lock_guard lock(m_mutex);
    return m_failures_in_a_row > 0;
}

void BackendSession::stop() {
    const std::lock_guard lock(m_mutex);
    stop_backend();
}

void BackendSession::stop_backend() {
    if (m_stopped || !m_backend) return;
    m_backend->stop();
    m_stopped = true;
}

}  // namespace tunecap::pipeline
