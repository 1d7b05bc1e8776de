// SPDX-License-Identifier: GPL-3.0-or-later
// The client against the recorded shapes: parsing real response bodies, and an in-process fake HTTP
// server (cpp-httplib) replaying them with faults.

#include "llm/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "transcript.hpp"
#include "wait_for.hpp"

namespace tunecap::llm {
namespace {

using nlohmann::json;
using testing::read_recorded_response;
using ::testing::HasSubstr;

LlmResult<GenerationResult> parse_recorded_chat(const std::string& name) {
    const auto r = read_recorded_response(name);
    return parse_chat_response(r.status, r.body);
}

TEST(ParseResponse, ChatCompletionWithUsageAndTimings) {
    const auto result = parse_recorded_chat("s1-04-chat-nonstream");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_THAT(result->content, HasSubstr("adium offering innocence"));
    EXPECT_EQ(result->finish_reason, "length");
    EXPECT_EQ(result->prompt_tokens, 26);
    EXPECT_EQ(result->completion_tokens, 16);
    ASSERT_TRUE(result->timings.has_value());
    EXPECT_EQ(result->timings->prompt_n, 26);
    EXPECT_EQ(result->timings->predicted_n, 16);
}

TEST(ParseResponse, CacheReuseShowsInTimings) {
    const auto result = parse_recorded_chat("s2-06-chat-kwargs-thinking-true");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->timings->cache_n, 9);
    EXPECT_EQ(result->timings->prompt_n, 1);
}

TEST(ParseResponse, AudioPromptTokensAreCounted) {
    const auto result = parse_recorded_chat("s3-03-chat-input-audio-wav");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->prompt_tokens, 788);
}

TEST(ParseResponse, ContextOverflowIsTypedWithTheCounts) {
    auto result = parse_recorded_chat("s1-09-chat-context-overflow");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::context_overflow);
    EXPECT_EQ(result.error().n_prompt_tokens, 3030);
    EXPECT_EQ(result.error().n_ctx, 1024);
    const auto raw = read_recorded_response("s1-11-completion-context-overflow");
    result = parse_raw_response(raw.status, raw.body);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::context_overflow);
    EXPECT_EQ(result.error().n_prompt_tokens, 3000);
}

TEST(ParseResponse, ServerAndClientErrors) {
    auto result = parse_recorded_chat("s0-01-chat-nonstream-invalid-utf8");
    EXPECT_EQ(result.error().kind, ErrorKind::server_error);
    EXPECT_THAT(result.error().message, HasSubstr("peg-native format"));
    result = parse_recorded_chat("s1-12-invalid-json");  // the real server answers a bad body with 500
    EXPECT_EQ(result.error().kind, ErrorKind::server_error);
    result = parse_recorded_chat("s1-13-missing-messages");
    EXPECT_EQ(result.error().kind, ErrorKind::bad_request);
    EXPECT_EQ(result.error().http_status, 400);
    result = parse_recorded_chat("s1-14-chat-input-audio-no-mmproj");
    EXPECT_EQ(result.error().kind, ErrorKind::server_error);
    EXPECT_THAT(result.error().message, HasSubstr("audio input is not supported"));
    result = parse_recorded_chat("s1-19-unknown-endpoint");
    EXPECT_EQ(result.error().kind, ErrorKind::bad_request);
    EXPECT_EQ(result.error().http_status, 404);
}

TEST(ParseResponse, RawCompletion) {
    const auto raw = read_recorded_response("s1-07-completion-raw");
    const auto result = parse_raw_response(raw.status, raw.body);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_THAT(result->content, HasSubstr("Reiition Ceres"));
    EXPECT_EQ(result->finish_reason, "length");  // stop_type "limit"
    EXPECT_EQ(result->completion_tokens, 16);
    EXPECT_EQ(result->prompt_tokens, 4);
}

TEST(ParseResponse, ReasoningFromLlamaServerAndFromVllm) {
    auto result = parse_chat_response(
        200, R"({"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"A song.","reasoning_content":"think"}}]})");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->reasoning, "think");
    result = parse_chat_response(
        200, R"({"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":null,"reasoning":"vllm thinks"}}]})");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->content, "");
    EXPECT_EQ(result->reasoning, "vllm thinks");
    EXPECT_FALSE(result->timings.has_value());
}

TEST(ParseResponse, MalformedBodiesAreBadResponses) {
    EXPECT_EQ(parse_chat_response(200, "{\"choices\":[{\"mess").error().kind, ErrorKind::bad_response);
    EXPECT_EQ(parse_chat_response(200, "{\"choices\":[]}").error().kind, ErrorKind::bad_response);
    EXPECT_EQ(parse_raw_response(200, "[]").error().kind, ErrorKind::bad_response);
    // An error event under HTTP 200 (how a stream reports a late failure) is still an error.
    EXPECT_EQ(parse_chat_response(200, R"({"error":{"code":500,"message":"boom","type":"server_error"}})").error().kind,
              ErrorKind::server_error);
}

TEST(RequestBody, ChatNamesTheAudioFormatItCarries) {
    GenerationRequest request;
    request.user = "Describe.";
    request.audio_base64 = std::make_shared<const std::string>("ZkxhQw==");
    for (const auto format : core::kAllAudioFormats) {
        request.audio_format = format;
        const auto body = json::parse(chat_request_body(request, "m"));
        EXPECT_EQ(body["messages"].back()["content"][0]["input_audio"]["format"], core::to_string(format));
    }
}

TEST(RequestBody, ChatPutsAudioFirstAndTurnsQwen3ThinkingOff) {
    GenerationRequest request;
    request.family = core::Family::qwen3;
    request.user = "Describe.";
    request.audio_base64 = std::make_shared<const std::string>("UklGRg==");
    request.sampling.max_tokens = 64;
    request.sampling.seed = 42;
    request.id_slot = 2;
    const auto body = json::parse(chat_request_body(request, "qwen3"));
    EXPECT_EQ(body["model"], "qwen3");
    const auto& content = body["messages"].back()["content"];
    EXPECT_EQ(content[0]["type"], "input_audio");
    EXPECT_EQ(content[0]["input_audio"]["format"], "wav");
    EXPECT_EQ(content[0]["input_audio"]["data"], "UklGRg==");
    EXPECT_EQ(content[1]["text"], "Describe.");
    EXPECT_EQ(body["chat_template_kwargs"]["enable_thinking"], false);  // a JSON boolean, as the server demands
    EXPECT_EQ(body["max_tokens"], 64);
    EXPECT_EQ(body["seed"], 42);
    EXPECT_EQ(body["id_slot"], 2);
    EXPECT_EQ(body["cache_prompt"], true);
    EXPECT_EQ(body["stream"], false);
}

TEST(RequestBody, LargeAudioIsSplicedInIntact) {
    std::string audio;
    for (int i = 0; i < 300000; ++i) audio += "AZaz09+/"[i % 8];
    audio += "==";
    GenerationRequest request;
    request.user = "a prompt quoting \"data\":\"tunecap-audio\" and \"multimodal_data\":[\"tunecap-audio\"]";
    request.audio_base64 = std::make_shared<const std::string>(audio);
    auto body = json::parse(chat_request_body(request, "m"));
    EXPECT_EQ(body["messages"].back()["content"][0]["input_audio"]["data"], audio);
    EXPECT_EQ(body["messages"].back()["content"][1]["text"], request.user);
    request.path = core::RequestPath::raw;
    body = json::parse(raw_request_body(request, "<__media_X__>"));
    EXPECT_EQ(body["prompt"]["multimodal_data"][0], audio);
}

TEST(RequestBody, RawAudioUsesTheServersMarkerAndMultimodalData) {
    GenerationRequest request;
    request.family = core::Family::qwen2_5_omni;
    request.path = core::RequestPath::raw;
    request.user = "Describe.";
    request.audio_base64 = std::make_shared<const std::string>("AAAA");
    request.sampling.max_tokens = 32;
    const auto body = json::parse(raw_request_body(request, "<__media_X__>"));
    EXPECT_THAT(body["prompt"]["prompt_string"].get<std::string>(), HasSubstr("<__media_X__>Describe."));
    EXPECT_EQ(body["prompt"]["multimodal_data"], json::array({"AAAA"}));
    EXPECT_EQ(body["n_predict"], 32);
    EXPECT_EQ(body["stop"], json::array({"<|im_end|>"}));
    request.audio_base64.reset();
    EXPECT_TRUE(json::parse(raw_request_body(request, "<__media_X__>"))["prompt"].is_string());
}

// A scripted server on an OS-chosen loopback port.
class FakeServer {
public:
    FakeServer() {
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        if (!testing::wait_for([this] { return m_server.is_running(); }, std::chrono::seconds(30))) {
            m_server.stop();
            m_thread.join();
            throw std::runtime_error("the in-process HTTP server did not start");
        }
    }
    ~FakeServer() {
        m_server.stop();
        m_thread.join();
    }
    httplib::Server& server() { return m_server; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

void reply_recorded(httplib::Response& res, const std::string& name) {
    const auto recorded = read_recorded_response(name);
    res.status = recorded.status;
    res.set_content(recorded.body, "application/json; charset=utf-8");
}

TEST(ClientOverHttp, HealthIsLoadingThenReady) {
    FakeServer fake;
    std::atomic<int> calls{0};
    fake.server().Get("/health", [&](const httplib::Request&, httplib::Response& res) {
        reply_recorded(res, ++calls < 3 ? "s1-startup.health-during-startup-1-503" : "s1-startup.health-during-startup-2-200");
    });
    Client client({fake.url(), "secret", "m"});
    EXPECT_EQ(client.health(), Health::loading);
    EXPECT_EQ(client.health(), Health::loading);
    EXPECT_EQ(client.health(), Health::ready);
    Client nobody({"http://127.0.0.1:1", "", "m"});
    EXPECT_EQ(nobody.health(), Health::unreachable);
}

TEST(ClientOverHttp, PropsOfAnAudioServer) {
    FakeServer fake;
    std::string authorization;
    fake.server().Get("/props", [&](const httplib::Request& req, httplib::Response& res) {
        authorization = req.get_header_value("Authorization");
        reply_recorded(res, "s3-01-props");
    });
    Client client({fake.url(), "secret-key", "m"});
    const auto props = client.props();
    ASSERT_TRUE(props.ok()) << props.error().message;
    EXPECT_TRUE(props->audio);
    EXPECT_EQ(props->total_slots, 2);
    EXPECT_EQ(props->n_ctx, 2048);
    EXPECT_THAT(props->media_marker, ::testing::StartsWith("<__media_"));
    EXPECT_EQ(props->build_info, "b0-unknown");
    EXPECT_EQ(authorization, "Bearer secret-key");
}

TEST(ClientOverHttp, GenerateSendsTheBodyAndReadsTheAnswer) {
    FakeServer fake;
    json seen;
    fake.server().Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
        seen = json::parse(req.body);
        reply_recorded(res, "s1-04-chat-nonstream");
    });
    Client client({fake.url(), "", "alias"});
    GenerationRequest request;
    request.user = "Say hello.";
    const auto result = client.generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(seen["messages"][0]["content"][0]["text"], "Say hello.");
    EXPECT_EQ(result->completion_tokens, 16);
    EXPECT_GT(result->elapsed_ms, 0.0);
}

TEST(ClientOverHttp, RawPathRecordsTheRenderedPrompt) {
    FakeServer fake;
    json seen;
    fake.server().Post("/completion", [&](const httplib::Request& req, httplib::Response& res) {
        seen = json::parse(req.body);
        reply_recorded(res, "s1-07-completion-raw");
    });
    Client client({fake.url(), "", "alias"});
    GenerationRequest request;
    request.family = core::Family::harmony;
    request.path = core::RequestPath::raw;
    request.user = "Revise.";
    const auto result = client.generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(seen["prompt"], result->raw_prompt);
    EXPECT_THAT(result->raw_prompt, ::testing::EndsWith("<|start|>assistant<|channel|>final<|message|>"));
}

TEST(ClientOverHttp, SlowReplyTimesOutAtTheDeadline) {
    // The reply is held until the test is done (a minute at most), so a client that waited for it
    // instead of giving up at its 300 ms deadline would take far longer than the bound below.
    std::atomic<bool> release{false};
    FakeServer fake;
    fake.server().Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
        testing::wait_for([&] { return release.load(); }, std::chrono::minutes(1));
        reply_recorded(res, "s1-04-chat-nonstream");
    });
    Client client({fake.url(), "", "m"});
    GenerationRequest request;
    request.user = "x";
    request.deadline = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    const auto result = client.generate(request);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    release = true;
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::timeout);
    EXPECT_LT(elapsed, std::chrono::seconds(30));
}

TEST(ClientOverHttp, CancellingTheTransportEndsARequestInFlightAndRefusesLaterOnes) {
    std::atomic<bool> arrived{false};
    std::atomic<bool> release{false};
    FakeServer fake;
    fake.server().Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
        arrived = true;
        testing::wait_for([&] { return release.load(); }, std::chrono::minutes(1));
        reply_recorded(res, "s1-04-chat-nonstream");
    });
    const auto transport = real_transport();
    Client client({fake.url(), "", "m"}, transport);
    GenerationRequest request;
    request.user = "x";
    request.deadline = std::chrono::minutes(2);
    std::optional<LlmResult<GenerationResult>> result;
    std::thread sender([&] { result = client.generate(request); });
    ASSERT_TRUE(testing::wait_for([&] { return arrived.load(); }, std::chrono::seconds(30)));
    const auto cancelled = std::chrono::steady_clock::now();
    transport->cancel();
    sender.join();
    const auto waited = std::chrono::steady_clock::now() - cancelled;
    release = true;
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().kind, ErrorKind::connection_lost);
    EXPECT_LT(waited, std::chrono::seconds(10));  // not the two-minute deadline
    const auto later = client.generate(request);
    ASSERT_FALSE(later.ok());
    EXPECT_THAT(later.error().message, HasSubstr("cancelled: the run is stopping"));
}

TEST(ClientOverHttp, RefusedConnectionIsConnectionLost) {
    Client client({"http://127.0.0.1:1", "", "m"});
    GenerationRequest request;
    request.user = "x";
    const auto result = client.generate(request);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::connection_lost);
}

TEST(ClientOverHttp, TruncatedBodyIsABadResponse) {
    FakeServer fake;
    fake.server().Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
        const auto recorded = read_recorded_response("s1-04-chat-nonstream");
        res.set_content(recorded.body.substr(0, recorded.body.size() / 2), "application/json");
    });
    Client client({fake.url(), "", "m"});
    GenerationRequest request;
    request.user = "x";
    EXPECT_EQ(client.generate(request).error().kind, ErrorKind::bad_response);
}

TEST(Shrinking, CutsToMaxInputCharsThenHalvesAtMostTwice) {
    std::vector<std::optional<std::size_t>> limits;
    auto overflow_until = [&](std::size_t fits) {
        return [&limits, fits](std::optional<std::size_t> limit) -> LlmResult<GenerationResult> {
            limits.push_back(limit);
            if (limit && *limit <= fits) return GenerationResult{};
            return LlmError{ErrorKind::context_overflow, 400, "too long", 3000, 1024};
        };
    };
    EXPECT_TRUE(generate_shrinking(overflow_until(300), 2000, 300).ok());
    EXPECT_EQ(limits, (std::vector<std::optional<std::size_t>>{std::nullopt, 300}));

    limits.clear();
    EXPECT_TRUE(generate_shrinking(overflow_until(150), 2000, 300).ok());
    EXPECT_EQ(limits, (std::vector<std::optional<std::size_t>>{std::nullopt, 300, 150}));

    limits.clear();
    const auto failed = generate_shrinking(overflow_until(10), 2000, 300);
    EXPECT_EQ(failed.error().kind, ErrorKind::context_overflow);
    EXPECT_EQ(limits.size(), 3u);

    limits.clear();  // no max_input_chars: halve the input
    EXPECT_TRUE(generate_shrinking(overflow_until(1000), 2000, std::nullopt).ok());
    EXPECT_EQ(limits, (std::vector<std::optional<std::size_t>>{std::nullopt, 1000}));
}

TEST(Shrinking, OtherErrorsAreNotRetried) {
    int calls = 0;
    const auto result = generate_shrinking(
        [&](std::optional<std::size_t>) -> LlmResult<GenerationResult> {
            ++calls;
            return LlmError{ErrorKind::server_error, 500, "boom", {}, {}};
        },
        100, 50);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(result.error().kind, ErrorKind::server_error);
}

}  // namespace
}  // namespace tunecap::llm
