// SPDX-License-Identifier: GPL-3.0-or-later
#include "llm/client.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <set>

#include "llm/prompt_format.hpp"

namespace tunecap::llm {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A connect that takes longer than this on loopback or a LAN means the server is not there.
constexpr auto kConnectTimeout = std::chrono::seconds(5);

void add_sampling(json& body, const Sampling& s, const char* max_tokens_key) {
    if (s.temperature) body["temperature"] = *s.temperature;
    if (s.top_p) body["top_p"] = *s.top_p;
    if (s.top_k) body["top_k"] = *s.top_k;
    if (s.min_p) body["min_p"] = *s.min_p;
    if (s.repeat_penalty) body["repeat_penalty"] = *s.repeat_penalty;
    if (s.seed) body["seed"] = *s.seed;
    if (s.max_tokens) body[max_tokens_key] = *s.max_tokens;
}

template <class T>
T value_or(const json& object, const char* key, T fallback) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        return fallback;
    }
}

std::optional<Timings> parse_timings(const json& body) {
    const auto it = body.find("timings");
    if (it == body.end() || !it->is_object()) return std::nullopt;
    return Timings{value_or(*it, "cache_n", 0), value_or(*it, "prompt_n", 0), value_or(*it, "prompt_ms", 0.0),
                   value_or(*it, "predicted_n", 0), value_or(*it, "predicted_ms", 0.0)};
}

LlmError bad_response(const std::string& what) { return {ErrorKind::bad_response, 200, what, {}, {}}; }

// Audio goes into the body as a placeholder that is replaced after serialising: base64 needs no
// JSON escaping, and copying and scanning megabytes of it through the JSON library costs ~45 ms a
// request where the splice costs a few.
// The placeholder is found with the structural JSON around it (`"data":"…"`): inside a string value
// quotes are escaped, so prompt text can never match.
constexpr std::string_view kAudioPlaceholder = "tunecap-audio";

std::string splice_audio(const std::string& body, const std::shared_ptr<const std::string>& audio,
                         std::string_view before, std::string_view after) {
    if (!audio) return body;
    const std::string pattern = std::string(before) + std::string(kAudioPlaceholder) + std::string(after);
    const auto at = body.find(pattern);
    if (at == std::string::npos) throw std::logic_error("audio placeholder missing from a request body");
    std::string out;
    out.reserve(body.size() + audio->size());
    out.append(body, 0, at + before.size());
    out.append(*audio);
    out.append(body, at + before.size() + kAudioPlaceholder.size());
    return out;
}

class HttplibTransport final : public HttpTransport {
public:
    LlmResult<HttpResponse> send(const HttpRequest& request) override {
        httplib::Client client(request.base_url);
        const Registration registration(*this, client);
        if (!registration.live) return transport_error(request, std::chrono::milliseconds(0), "cancelled: the run is stopping");
        client.set_connection_timeout(std::min<std::chrono::milliseconds>(kConnectTimeout, request.deadline));
        client.set_read_timeout(request.deadline);
        client.set_write_timeout(request.deadline);
        httplib::Headers headers;
        if (!request.authorization.empty()) headers.emplace("Authorization", request.authorization);
        const auto started = Clock::now();
        auto response = request.method == "GET" ? client.Get(request.path, headers)
                                                : client.Post(request.path, headers, request.body, "application/json");
        if (!response) {
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
            return transport_error(request, elapsed, httplib::to_string(response.error()));
        }
        return HttpResponse{response->status, std::move(response->body)};
    }

    void cancel() override {
        const std::lock_guard lock(m_mutex);
        m_cancelled = true;
        for (auto* client : m_live) client->stop();  // shuts the socket down under the blocked read
    }

private:
    // A client in flight, known to cancel() for as long as it lives.
    struct Registration {
        Registration(HttplibTransport& transport, httplib::Client& client) : transport(transport), client(client) {
            const std::lock_guard lock(transport.m_mutex);
            live = !transport.m_cancelled;
            if (live) transport.m_live.insert(&client);
        }
        ~Registration() {
            const std::lock_guard lock(transport.m_mutex);
            transport.m_live.erase(&client);
        }
        Registration(const Registration&) = delete;
        Registration& operator=(const Registration&) = delete;
        HttplibTransport& transport;
        httplib::Client& client;
        bool live = false;
    };

    std::mutex m_mutex;
    std::set<httplib::Client*> m_live;
    bool m_cancelled = false;
};

}  // namespace

std::shared_ptr<HttpTransport> real_transport() { return std::make_shared<HttplibTransport>(); }

LlmError transport_error(const HttpRequest& request, std::chrono::milliseconds elapsed, const std::string& reason) {
    const bool expired = elapsed >= request.deadline;
    LlmError e;
    e.kind = expired ? ErrorKind::timeout : ErrorKind::connection_lost;
    e.message = request.method + " " + request.path + ": " +
                (expired ? "no answer within " + std::to_string(request.deadline.count()) + " ms" : reason);
    return e;
}

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::context_overflow: return "context_overflow";
    case ErrorKind::bad_request: return "bad_request";
    case ErrorKind::unauthorized: return "unauthorized";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::server_error: return "server_error";
    case ErrorKind::connection_lost: return "connection_lost";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::bad_response: return "bad_response";
    }
    return "unknown";
}

std::string chat_request_body(const GenerationRequest& request, const std::string& model) {
    json messages = json::array();
    const auto system = request.system ? request.system : default_system_prompt(request.family);
    if (system && !system->empty()) messages.push_back({{"role", "system"}, {"content", *system}});
    json content = json::array();
    // Audio first: the same audio prefix on the same slot is reused from the cache by later prompts.
    if (request.audio_base64) {
        content.push_back({{"type", "input_audio"}, {"input_audio", {{"data", kAudioPlaceholder}, {"format", core::to_string(request.audio_format)}}}});
    }
    content.push_back({{"type", "text"}, {"text", request.user}});
    messages.push_back({{"role", "user"}, {"content", std::move(content)}});
    json body = {{"model", model}, {"messages", std::move(messages)}, {"stream", false}, {"cache_prompt", true}};
    if (request.id_slot >= 0) body["id_slot"] = request.id_slot;
    add_sampling(body, request.sampling, "max_tokens");
    if (request.family == core::Family::qwen3) body["chat_template_kwargs"] = {{"enable_thinking", false}};
    if (request.family == core::Family::harmony) {
        // Newer servers read the top-level field, older ones the template kwarg: send both.
        body["reasoning_effort"] = "low";
        body["chat_template_kwargs"] = {{"reasoning_effort", "low"}};
    }
    return splice_audio(body.dump(), request.audio_base64, "\"data\":\"", "\"");
}

std::string raw_request_body(const GenerationRequest& request, const std::string& media_marker) {
    const bool audio = static_cast<bool>(request.audio_base64);
    const auto rendered = render_raw_prompt(request.family, request.system, request.user, audio ? media_marker : "");
    json body = {{"stream", false}, {"cache_prompt", true}, {"stop", rendered.stops}};
    if (audio) {
        body["prompt"] = {{"prompt_string", rendered.text}, {"multimodal_data", json::array({kAudioPlaceholder})}};
    } else {
        body["prompt"] = rendered.text;
    }
    if (request.id_slot >= 0) body["id_slot"] = request.id_slot;
    add_sampling(body, request.sampling, "n_predict");
    return splice_audio(body.dump(), request.audio_base64, "\"multimodal_data\":[\"", "\"]");
}

LlmError error_from_response(int status, const std::string& body) {
    LlmError error;
    error.http_status = status;
    error.kind = status == 401 ? ErrorKind::unauthorized
                 : status == 503 ? ErrorKind::unavailable
                 : status >= 500 ? ErrorKind::server_error
                                 : ErrorKind::bad_request;
    error.message = "HTTP " + std::to_string(status);
    const auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
        const auto& e = parsed["error"];
        const auto message = value_or<std::string>(e, "message", "");
        if (!message.empty()) error.message += ": " + message;
        if (value_or<std::string>(e, "type", "") == "exceed_context_size_error") {
            error.kind = ErrorKind::context_overflow;
            if (e.contains("n_prompt_tokens")) error.n_prompt_tokens = value_or(e, "n_prompt_tokens", 0);
            if (e.contains("n_ctx")) error.n_ctx = value_or(e, "n_ctx", 0);
        }
    } else if (!body.empty()) {
        error.message += ": " + body.substr(0, 200);
    }
    return error;
}

LlmResult<GenerationResult> parse_chat_response(int status, const std::string& body) {
    if (status != 200) return error_from_response(status, body);
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object()) return bad_response("chat completion body is not JSON");
    if (parsed.contains("error")) return error_from_response(500, body);
    const auto choices = parsed.find("choices");
    if (choices == parsed.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) {
        return bad_response("chat completion without choices");
    }
    const auto& choice = (*choices)[0];
    const auto message = choice.find("message");
    if (message == choice.end() || !message->is_object()) return bad_response("chat completion without a message");
    GenerationResult result;
    result.content = value_or<std::string>(*message, "content", "");
    result.reasoning = value_or<std::string>(*message, "reasoning_content", "");
    if (result.reasoning.empty()) result.reasoning = value_or<std::string>(*message, "reasoning", "");
    result.finish_reason = value_or<std::string>(choice, "finish_reason", "");
    if (const auto usage = parsed.find("usage"); usage != parsed.end() && usage->is_object()) {
        result.prompt_tokens = value_or(*usage, "prompt_tokens", 0);
        result.completion_tokens = value_or(*usage, "completion_tokens", 0);
    }
    result.timings = parse_timings(parsed);
    return result;
}

LlmResult<GenerationResult> parse_raw_response(int status, const std::string& body) {
    if (status != 200) return error_from_response(status, body);
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object()) return bad_response("completion body is not JSON");
    if (parsed.contains("error")) return error_from_response(500, body);
    if (!parsed.contains("content")) return bad_response("completion without content");
    GenerationResult result;
    result.content = value_or<std::string>(parsed, "content", "");
    const auto stop_type = value_or<std::string>(parsed, "stop_type", "");
    result.finish_reason = stop_type == "limit" ? "length" : stop_type.empty() ? "" : "stop";
    result.prompt_tokens = value_or(parsed, "tokens_evaluated", 0);
    result.completion_tokens = value_or(parsed, "tokens_predicted", 0);
    result.timings = parse_timings(parsed);
    return result;
}

Client::Client(EndpointAddress address, std::shared_ptr<HttpTransport> transport)
    : m_address(std::move(address)), m_transport(std::move(transport)) {}

LlmResult<HttpResponse> Client::send(const std::string& method, const std::string& path, bool authorised,
                                     std::string body, std::chrono::milliseconds deadline) {
    HttpRequest request{m_address.base_url, method, path, "", std::move(body), deadline};
    if (authorised && !m_address.api_key.empty()) request.authorization = "Bearer " + m_address.api_key;
    return m_transport->send(request);
}

Health Client::health(std::chrono::milliseconds deadline) {
    // Without the key: llama-server serves /health to anyone, and a probe needs no secret.
    auto response = send("GET", "/health", false, "", deadline);
    if (!response) return Health::unreachable;
    return response->status == 200 ? Health::ready : Health::loading;
}

LlmResult<ServerProps> Client::props(std::chrono::milliseconds deadline) {
    auto response = send("GET", "/props", true, "", deadline);
    if (!response) return response.error();
    if (response->status != 200) return error_from_response(response->status, response->body);
    const auto parsed = json::parse(response->body, nullptr, false);
    if (!parsed.is_object()) return bad_response("/props body is not JSON");
    ServerProps props;
    if (const auto settings = parsed.find("default_generation_settings"); settings != parsed.end() && settings->is_object()) {
        props.n_ctx = value_or(*settings, "n_ctx", 0);
    }
    props.total_slots = value_or(parsed, "total_slots", 1);
    if (const auto modalities = parsed.find("modalities"); modalities != parsed.end() && modalities->is_object()) {
        props.audio = value_or(*modalities, "audio", false);
    }
    props.media_marker = value_or<std::string>(parsed, "media_marker", "<__media__>");
    props.chat_template = value_or<std::string>(parsed, "chat_template", "");
    props.build_info = value_or<std::string>(parsed, "build_info", "");
    props.model_alias = value_or<std::string>(parsed, "model_alias", "");
    return props;
}

LlmResult<GenerationResult> Client::generate(const GenerationRequest& request, const std::string& media_marker) {
    const bool chat = request.path == RequestPath::chat;
    auto body = chat ? chat_request_body(request, m_address.model) : raw_request_body(request, media_marker);
    const auto started = Clock::now();
    auto response = send("POST", chat ? "/v1/chat/completions" : "/completion", true, std::move(body), request.deadline);
    if (!response) return response.error();
    auto result = chat ? parse_chat_response(response->status, response->body)
                       : parse_raw_response(response->status, response->body);
    if (result) {
        result->elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        if (!chat) {
            result->raw_prompt = render_raw_prompt(request.family, request.system, request.user,
                                                   request.audio_base64 ? media_marker : "").text;
        }
    }
    return result;
}

LlmResult<GenerationResult> generate_shrinking(
    const std::function<LlmResult<GenerationResult>(std::optional<std::size_t> limit)>& attempt,
    std::size_t input_chars, std::optional<std::size_t> max_input_chars) {
    std::optional<std::size_t> limit;
    auto result = attempt(limit);
    for (int retry = 0; retry < 2 && !result && result.error().kind == ErrorKind::context_overflow; ++retry) {
        const std::size_t current = limit.value_or(input_chars);
        if (retry == 0 && max_input_chars && *max_input_chars < current) {
            limit = *max_input_chars;
        } else {
            limit = current / 2;
        }
        result = attempt(limit);
    }
    return result;
}

}  // namespace tunecap::llm
