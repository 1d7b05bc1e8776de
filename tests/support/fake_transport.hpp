// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A scripted llm::HttpTransport for unit tests: no sockets. Replies are scripted per path and
// taken in order, the last one repeating; every request is recorded. Bodies copy the shapes of
// a real llama-server's answers (tests/data/transcripts/).

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "llm/client.hpp"

namespace tunecap::testing {

class FakeTransport final : public llm::HttpTransport {
public:
    using Reply = std::function<llm::LlmResult<llm::HttpResponse>(const llm::HttpRequest&)>;

    // Replaces the script for `path` ("/health", "/props", "/v1/chat/completions", ...).
    void script(const std::string& path, std::vector<Reply> replies) {
        std::lock_guard lock(m_mutex);
        m_scripts[path] = Script{std::move(replies), 0};
    }

    // An unscripted path answers 404 as llama-server does for an unknown endpoint.
    llm::LlmResult<llm::HttpResponse> send(const llm::HttpRequest& request) override {
        Reply reply;
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(request);
            auto it = m_scripts.find(request.path);
            if (it == m_scripts.end() || it->second.replies.empty()) {
                return llm::HttpResponse{404, R"({"error":{"message":"File Not Found","type":"not_found_error","code":404}})"};
            }
            auto& script = it->second;
            reply = script.replies[std::min(script.next, script.replies.size() - 1)];
            ++script.next;
        }
        return reply(request);  // outside the lock: a reply may take (fake) time
    }

    std::vector<llm::HttpRequest> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    std::vector<llm::HttpRequest> requests_to(const std::string& path) const {
        std::lock_guard lock(m_mutex);
        std::vector<llm::HttpRequest> out;
        for (const auto& r : m_requests) {
            if (r.path == path) out.push_back(r);
        }
        return out;
    }

private:
    struct Script {
        std::vector<Reply> replies;
        std::size_t next = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Script> m_scripts;
    std::vector<llm::HttpRequest> m_requests;
};

// An HTTP answer.
inline FakeTransport::Reply answer(int status, std::string body) {
    return [status, body = std::move(body)](const llm::HttpRequest&) -> llm::LlmResult<llm::HttpResponse> {
        return llm::HttpResponse{status, body};
    };
}
// No server on the port: refused at once.
inline FakeTransport::Reply refused() {
    return [](const llm::HttpRequest& request) -> llm::LlmResult<llm::HttpResponse> {
        return llm::transport_error(request, std::chrono::milliseconds(0), "Could not establish connection");
    };
}
// The server takes `after` on `clock`, then closes the connection without answering.
inline FakeTransport::Reply dropped(FakeClock& clock, std::chrono::milliseconds after) {
    return [&clock, after](const llm::HttpRequest& request) -> llm::LlmResult<llm::HttpResponse> {
        clock.advance(after);
        return llm::transport_error(request, after, "Failed to read connection");
    };
}
// The server never answers: the request's whole deadline passes on `clock`.
inline FakeTransport::Reply silence(FakeClock& clock) {
    return [&clock](const llm::HttpRequest& request) -> llm::LlmResult<llm::HttpResponse> {
        clock.advance(request.deadline);
        return llm::transport_error(request, request.deadline, "Read timeout");
    };
}

// llama-server's answers, as recorded.
inline const std::string kHealthLoading = R"({"error":{"message":"Loading model","type":"unavailable_error","code":503}})";
inline const std::string kHealthOk = R"({"status":"ok"})";
inline const std::string kInvalidApiKey = R"({"error":{"message":"Invalid API Key","type":"authentication_error","code":401}})";

// A /props body trimmed to the fields tunecap reads.
inline std::string props_body(int n_ctx, int total_slots, bool audio) {
    return R"({"default_generation_settings":{"n_ctx":)" + std::to_string(n_ctx) + R"(},"total_slots":)" +
           std::to_string(total_slots) + R"(,"model_alias":"m","modalities":{"vision":false,"video":false,"audio":)" +
           (audio ? "true" : "false") +
           R"(},"media_marker":"<__media_PKmz1Jm4JmkkQ1p2YVyILPNdY5b3MWRW__>","chat_template":"{{ messages }}","build_info":"b8000-fake"})";
}

}  // namespace tunecap::testing
