// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An in-process stand-in for a model server: a Backend that reports the props it is given and
// counts restarts, and a Generate that answers from the request text. No process, no socket.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/backend_session.hpp"

namespace tunecap::pipeline::testing {

class FakeBackend final : public server::Backend {
public:
    explicit FakeBackend(llm::ServerProps props) : m_props(std::move(props)) {}
    llm::EndpointAddress address() const override { return {"http://" + host + ":" + std::to_string(m_starts), "key", "m"}; }
    const llm::ServerProps& props() const override { return m_props; }
    core::Status recover() override {
        ++recovers;
        if (!recover_ok) return core::Error{"the fake would not start again"};
        ++m_starts;
        return core::Ok{};
    }
    void stop() override {
        if (stop_count) ++*stop_count;
    }
    bool managed() const override { return true; }

    std::string host = "fake";  // replicas of one model differ by it
    std::atomic<int> recovers{0};
    std::atomic<int>* stop_count = nullptr;  // outlives the backend, which its owner destroys
    bool recover_ok = true;

private:
    llm::ServerProps m_props;
    int m_starts = 1;
};

inline llm::ServerProps props(int n_ctx, int slots = 1) {
    llm::ServerProps p;
    p.n_ctx = n_ctx;
    p.total_slots = slots;
    p.audio = true;
    p.media_marker = "<__media__>";
    p.build_info = "fake-build";
    return p;
}

// A request as the fake saw it.
struct Seen {
    std::string base_url;
    std::string user;
    bool audio = false;
    std::size_t audio_bytes = 0;
    std::size_t audio_hash = 0;  // of the audio sent: which track
    int id_slot = -1;
    std::chrono::milliseconds deadline{0};
    core::Family family = core::Family::chatml;
    std::size_t system_chars = 0;
    int max_tokens = 0;
    core::AudioFormat audio_format = core::AudioFormat::wav;
};

// Answers "Caption N of: <first words of the request>." and records every request.
class FakeModel {
public:
    Generate generate() {
        return [this](const llm::EndpointAddress& address, const llm::GenerationRequest& request, const std::string&) {
            {
                std::lock_guard lock(m_mutex);
                m_seen.push_back({address.base_url, request.user, request.audio_base64 != nullptr,
                                  request.audio_base64 ? request.audio_base64->size() : 0,
                                  request.audio_base64 ? std::hash<std::string>{}(*request.audio_base64) : 0, request.id_slot, request.deadline,
                                  request.family, request.system.value_or("").size(), request.sampling.max_tokens.value_or(0),
                                  request.audio_format});
            }
            if (answer) return answer(request);  // outside the lock: answers may wait for each other
            llm::GenerationResult result;
            result.content = "Here is the caption: A track described from " + request.user.substr(0, 24) + ".";
            result.completion_tokens = 12;
            result.elapsed_ms = 1;
            return llm::LlmResult<llm::GenerationResult>(result);
        };
    }
    std::vector<Seen> seen() {
        std::lock_guard lock(m_mutex);
        return m_seen;
    }
    std::function<llm::LlmResult<llm::GenerationResult>(const llm::GenerationRequest&)> answer;

private:
    std::mutex m_mutex;
    std::vector<Seen> m_seen;
};

inline llm::LlmError lost() { return {llm::ErrorKind::connection_lost, 0, "Connection reset", {}, {}}; }
// What the transport reports for a request that reached its deadline.
inline llm::LlmError timed_out() { return {llm::ErrorKind::timeout, 0, "POST /v1/chat/completions: no answer within 1000 ms", {}, {}}; }

}  // namespace tunecap::pipeline::testing
