// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An OpenAI-compatible client for llama-server (and vLLM or any compatible server): health, props,
// chat completions and raw completions. JSON lives only in client.cpp; callers see typed values.
// Every request has a deadline; errors are typed (types.hpp) so callers decide to shrink, retry or
// give up.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "llm/types.hpp"

namespace tunecap::llm {

template <class T>
using LlmResult = core::Result<T, LlmError>;

struct ServerProps {
    int n_ctx = 0;        // per slot
    int total_slots = 1;
    bool audio = false;   // modalities.audio
    std::string media_marker;  // "<__media__>" on builds that predate the field
    std::string chat_template;
    std::string build_info;
    std::string model_alias;
};

enum class Health { ready, loading, unreachable };

struct EndpointAddress {
    std::string base_url;  // "http://127.0.0.1:18080", no trailing slash
    std::string api_key;   // sent as "Authorization: Bearer KEY" when not empty; never logged
    std::string model;     // the "model" field of chat requests (the server's alias)
};

class Client {
public:
    explicit Client(EndpointAddress address);

    // One GET /health with a short deadline: 200 ready, 503 loading, no answer unreachable.
    Health health(std::chrono::milliseconds deadline = std::chrono::seconds(2));
    LlmResult<ServerProps> props(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // Chat or raw by request.path; the raw path needs the server's media marker for audio.
    LlmResult<GenerationResult> generate(const GenerationRequest& request, const std::string& media_marker = "");

    const EndpointAddress& address() const { return m_address; }

private:
    EndpointAddress m_address;
};

// The body of each request, exposed for tests that compare it with the recorded transcripts.
std::string chat_request_body(const GenerationRequest& request, const std::string& model);
std::string raw_request_body(const GenerationRequest& request, const std::string& media_marker);
// Parses a response body; status is the HTTP status.
LlmResult<GenerationResult> parse_chat_response(int status, const std::string& body);
LlmResult<GenerationResult> parse_raw_response(int status, const std::string& body);
LlmError error_from_response(int status, const std::string& body);

// Context overflow handling: build(limit) makes the request with each upstream input cut to at
// most `limit` characters (nullopt: uncut). On exceed_context_size_error the input is cut to
// max_input_chars (or, when it already fits that, to half its length), and halved again on a
// second overflow: at most two retries.
LlmResult<GenerationResult> generate_shrinking(
    const std::function<LlmResult<GenerationResult>(std::optional<std::size_t> limit)>& attempt,
    std::size_t input_chars, std::optional<std::size_t> max_input_chars);

}  // namespace tunecap::llm
