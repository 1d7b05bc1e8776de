// SPDX-License-Identifier: GPL-3.0-or-later
// The client over a scripted transport (tests/support/fake_transport.hpp): which requests it
// makes, with which key and deadline, and how answers and missing answers are typed. No sockets;
// time passes on a fake clock only.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_clock.hpp"
#include "fake_transport.hpp"
#include "llm/client.hpp"

namespace tunecap::llm {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using tunecap::testing::answer;
using tunecap::testing::dropped;
using tunecap::testing::FakeClock;
using tunecap::testing::FakeTransport;
using tunecap::testing::refused;
using tunecap::testing::silence;

constexpr const char* kKey = "0123456789abcdef0123456789abcdef";

class Transport : public ::testing::Test {
protected:
    Client client() { return Client({"http://127.0.0.1:23456", kKey, "qwen3"}, m_transport); }

    GenerationRequest request(std::chrono::milliseconds deadline = 400ms) {
        GenerationRequest r;
        r.family = core::Family::qwen3;
        r.user = "Describe a song.";
        r.deadline = deadline;
        return r;
    }

    std::shared_ptr<FakeTransport> m_transport = std::make_shared<FakeTransport>();
    FakeClock m_clock;
};

TEST_F(Transport, HealthIsLoadingWhileTheServerAnswers503ThenReady) {
    m_transport->script("/health", {answer(503, testing::kHealthLoading), answer(503, testing::kHealthLoading),
                                    answer(200, testing::kHealthOk)});
    auto c = client();
    EXPECT_EQ(c.health(), Health::loading);
    EXPECT_EQ(c.health(), Health::loading);
    EXPECT_EQ(c.health(), Health::ready);
    EXPECT_EQ(c.health(), Health::ready);  // the last reply repeats
    const auto sent = m_transport->requests_to("/health");
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[0].method, "GET");
    EXPECT_EQ(sent[0].base_url, "http://127.0.0.1:23456");
    EXPECT_EQ(sent[0].authorization, "");  // a probe carries no key
    EXPECT_EQ(sent[0].deadline, 2s);
}

TEST_F(Transport, HealthIsUnreachableWhenRefusedOrSilent) {
    m_transport->script("/health", {refused(), silence(m_clock)});
    auto c = client();
    EXPECT_EQ(c.health(250ms), Health::unreachable);
    EXPECT_EQ(m_clock.elapsed(), 0ms);
    EXPECT_EQ(c.health(250ms), Health::unreachable);
    EXPECT_EQ(m_clock.elapsed(), 250ms);  // the probe's own deadline, no more
}

TEST_F(Transport, PropsAreReadWithTheKey) {
    m_transport->script("/props", {answer(200, testing::props_body(2048, 4, true))});
    const auto props = client().props();
    ASSERT_TRUE(props.ok()) << props.error().message;
    EXPECT_EQ(props->n_ctx, 2048);
    EXPECT_EQ(props->total_slots, 4);
    EXPECT_TRUE(props->audio);
    EXPECT_EQ(props->media_marker, "<__media_PKmz1Jm4JmkkQ1p2YVyILPNdY5b3MWRW__>");
    EXPECT_EQ(props->build_info, "b8000-fake");
    const auto sent = m_transport->requests_to("/props");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].authorization, std::string("Bearer ") + kKey);
    EXPECT_EQ(sent[0].deadline, 10s);
}

TEST_F(Transport, AWrongKeyIsUnauthorized) {
    m_transport->script("/props", {answer(401, testing::kInvalidApiKey)});
    const auto props = client().props();
    ASSERT_FALSE(props.ok());
    EXPECT_EQ(props.error().kind, ErrorKind::unauthorized);
    EXPECT_EQ(props.error().http_status, 401);
    EXPECT_THAT(props.error().message, HasSubstr("Invalid API Key"));
}

TEST_F(Transport, PropsMissingIsABadRequestNotALostConnection) {
    // vLLM and other servers have no /props: the transport's default 404.
    const auto props = client().props();
    ASSERT_FALSE(props.ok());
    EXPECT_EQ(props.error().kind, ErrorKind::bad_request);
    EXPECT_EQ(props.error().http_status, 404);
}

TEST_F(Transport, ChatIsPostedWithTheKeyAndTheRequestsDeadline) {
    m_transport->script("/v1/chat/completions",
                        {answer(200, R"({"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant",)"
                                     R"("content":"A calm piano piece."}}],"usage":{"prompt_tokens":12,"completion_tokens":5}})")});
    const auto result = client().generate(request(90s));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->content, "A calm piano piece.");
    const auto sent = m_transport->requests();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].method, "POST");
    EXPECT_EQ(sent[0].path, "/v1/chat/completions");
    EXPECT_EQ(sent[0].authorization, std::string("Bearer ") + kKey);
    EXPECT_EQ(sent[0].deadline, 90s);
    const auto body = nlohmann::json::parse(sent[0].body);
    EXPECT_EQ(body["model"], "qwen3");
    EXPECT_EQ(body["messages"].back()["content"].back()["text"], "Describe a song.");
}

TEST_F(Transport, RawCompletionGoesToCompletion) {
    m_transport->script("/completion", {answer(200, R"({"content":"Calm.","stop_type":"eos","tokens_evaluated":9,"tokens_predicted":2})")});
    auto r = request();
    r.path = RequestPath::raw;
    const auto result = client().generate(r, "<__media__>");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->content, "Calm.");
    EXPECT_EQ(result->completion_tokens, 2);
    EXPECT_EQ(m_transport->requests().at(0).path, "/completion");
}

TEST_F(Transport, NoAnswerWithinTheDeadlineIsATimeout) {
    m_transport->script("/v1/chat/completions", {silence(m_clock)});
    const auto result = client().generate(request(400ms));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::timeout);
    EXPECT_THAT(result.error().message, HasSubstr("no answer within 400 ms"));
    EXPECT_EQ(m_clock.elapsed(), 400ms);
}

TEST_F(Transport, AConnectionClosedBeforeTheDeadlineIsLost) {
    m_transport->script("/v1/chat/completions", {dropped(m_clock, 120ms)});
    const auto result = client().generate(request(400ms));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::connection_lost);
    EXPECT_THAT(result.error().message, HasSubstr("POST /v1/chat/completions: Failed to read connection"));
}

TEST_F(Transport, ARefusedConnectionIsLost) {
    m_transport->script("/v1/chat/completions", {refused()});
    const auto result = client().generate(request());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::connection_lost);
}

TEST_F(Transport, ALoadingServerIsUnavailable) {
    m_transport->script("/v1/chat/completions", {answer(503, testing::kHealthLoading)});
    const auto result = client().generate(request());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::unavailable);
    EXPECT_THAT(result.error().message, HasSubstr("Loading model"));
}

TEST(TransportError, TimeoutFromTheDeadlineOnConnectionLostBefore) {
    HttpRequest request{"http://127.0.0.1:1", "POST", "/completion", "Bearer secret-key", "{}", 400ms};
    const auto early = transport_error(request, 399ms, "Connection reset");
    EXPECT_EQ(early.kind, ErrorKind::connection_lost);
    EXPECT_EQ(early.message, "POST /completion: Connection reset");
    const auto expired = transport_error(request, 400ms, "Read timeout");
    EXPECT_EQ(expired.kind, ErrorKind::timeout);
    EXPECT_EQ(expired.message, "POST /completion: no answer within 400 ms");
    EXPECT_EQ(transport_error(request, 2s, "Read timeout").kind, ErrorKind::timeout);
    for (const auto& e : {early, expired}) EXPECT_THAT(e.message, Not(HasSubstr("secret-key")));
}

}  // namespace
}  // namespace tunecap::llm
