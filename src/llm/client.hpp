// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An OpenAI-compatible client for llama-server (and vLLM or any compatible server): health, props,
// chat completions and raw completions. JSON lives only in client.cpp; callers see typed values.
// Every request has a deadline; errors are typed (types.hpp) so callers decide to shrink, retry or
// give up. Requests go through an HttpTransport passed in (cpp-httplib by default), so the client
// and the server supervisor are unit-tested against scripted replies without sockets.

#include <chrono>
#include <functional>
#include <memory>
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

// One HTTP exchange as the client needs it; nothing here is specific to a library.
struct HttpRequest {
    std::string base_url;       // EndpointAddress::base_url
    std::string method;         // "GET" or "POST"
    std::string path;           // "/health", "/v1/chat/completions", ...
    std::string authorization;  // the Authorization header's value, empty for none; never logged
    std::string body;           // POST: a JSON body
    std::chrono::milliseconds deadline{0};  // for connecting, sending and reading the answer
};

struct HttpResponse {
    int status = 0;
    std::string body;
};

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // One request on its own connection, so concurrent requests (one per slot) never share one.
    // Any HTTP status is a response; no response at all is an error made by transport_error().
    // Safe to call from several threads at once.
    virtual LlmResult<HttpResponse> send(const HttpRequest& request) = 0;
    // Ends every exchange in flight at once (each fails as connection_lost) and refuses every later
    // one: for a stop that must not wait for the answers. Safe to call from any thread.
    virtual void cancel() {}
};

// cpp-httplib over TCP. Every caller may have its own; once cancel() is called, that transport
// refuses every later request, so a session that cancels uses a transport of its own.
std::shared_ptr<HttpTransport> real_transport();

// The one place an exchange without a response is typed: timeout when `elapsed` reached the
// request's deadline, connection_lost otherwise (refused, reset, closed mid-answer: the server is
// gone, which a restart may mend, where a timeout says it is busy or stuck).
LlmError transport_error(const HttpRequest& request, std::chrono::milliseconds elapsed, const std::string& reason);

class Client {
public:
    // `transport` must not be null.
    explicit Client(EndpointAddress address, std::shared_ptr<HttpTransport> transport = real_transport());

    // One GET /health with a short deadline: 200 ready, 503 loading, no answer unreachable.
    Health health(std::chrono::milliseconds deadline = std::chrono::seconds(2));
    LlmResult<ServerProps> props(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // Chat or raw by request.path; the raw path needs the server's media marker for audio.
    LlmResult<GenerationResult> generate(const GenerationRequest& request, const std::string& media_marker = "");

    const EndpointAddress& address() const { return m_address; }

private:
    LlmResult<HttpResponse> send(const std::string& method, const std::string& path, bool authorised,
                                 std::string body, std::chrono::milliseconds deadline);

    EndpointAddress m_address;
    std::shared_ptr<HttpTransport> m_transport;
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
