// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/backend_session.hpp"

namespace tunecap::pipeline {

Generate http_generate() {
    return [](const llm::EndpointAddress& address, const llm::GenerationRequest& request, const std::string& marker) {
        return llm::Client(address).generate(request, marker);
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
        task();
        lock.lock();
        ++m_finished;
        m_finished_cv.notify_all();
    }
}

BackendSession::BackendSession(std::unique_ptr<server::Backend> backend, std::string model, SpawnThread& spawner,
                               Generate generate, core::Log* log)
    : m_backend(std::move(backend)), m_model(std::move(model)), m_spawner(spawner), m_generate(std::move(generate)), m_log(log) {}

BackendSession::~BackendSession() { stop(); }

llm::ServerProps BackendSession::props() const {
    const std::lock_guard lock(m_mutex);
    return m_backend ? m_backend->props() : llm::ServerProps{};
}

int BackendSession::restarts() const {
    const std::lock_guard lock(m_mutex);
    return m_restarts;
}

llm::LlmResult<llm::GenerationResult> BackendSession::generate(llm::GenerationRequest request, int slot) {
    for (int attempt = 0;; ++attempt) {
        llm::EndpointAddress address;
        std::string marker;
        int generation = 0;
        {
            const std::lock_guard lock(m_mutex);
            if (!m_error.empty()) return llm::LlmError{llm::ErrorKind::connection_lost, 0, m_error, {}, {}};
            if (!m_backend) return llm::LlmError{llm::ErrorKind::connection_lost, 0, "model " + m_model + " is stopped", {}, {}};
            address = m_backend->address();
            marker = m_backend->props().media_marker;
            request.id_slot = m_backend->props().total_slots > 1 ? slot : -1;
            generation = m_generation;
        }
        auto result = m_generate(address, request, marker);
        if (result || result.error().kind != llm::ErrorKind::connection_lost || attempt > 0) return result;
        const std::lock_guard lock(m_mutex);
        if (generation != m_generation || !m_error.empty()) continue;  // another request restarted it already
        if (m_log) m_log->warn("run", "{}: connection lost ({}); restarting the server", m_model, result.error().message);
        core::Status recovered = core::Ok{};
        m_spawner.run([&] { recovered = m_backend->recover(); });
        if (!recovered) m_error = "model " + m_model + " could not be restarted: " + recovered.error().message;
        ++m_generation;
        ++m_restarts;
    }
}

void BackendSession::stop() {
    const std::lock_guard lock(m_mutex);
    if (!m_backend) return;
    m_backend->stop();
    m_backend.reset();
}

}  // namespace tunecap::pipeline
