// SPDX-License-Identifier: GPL-3.0-or-later
// The restart protocol, against an in-process backend: no process, no sleep.
#include "pipeline/backend_session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "fake_backend.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;
using namespace testing;

struct Session {
    FakeBackend* backend = nullptr;
    FakeModel model;
    SpawnThread spawner;
    std::unique_ptr<BackendSession> session;

    explicit Session(int slots = 1) {
        auto owned = std::make_unique<FakeBackend>(props(4096, slots));
        backend = owned.get();
        session = std::make_unique<BackendSession>(std::move(owned), "m", spawner, model.generate(), nullptr);
    }
};

llm::GenerationRequest request(std::string user) {
    llm::GenerationRequest r;
    r.user = std::move(user);
    return r;
}

TEST(BackendSession, ALostConnectionRestartsTheServerAndSendsTheRequestOnceMore) {
    Session s;
    int calls = 0;
    s.model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (++calls == 1) return lost();
        return llm::GenerationResult{"A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto result = s.session->generate(request("describe"), 0);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->content, "A caption.");
    EXPECT_EQ(s.backend->recovers, 1);
    EXPECT_EQ(s.session->restarts(), 1);
    const auto seen = s.model.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_NE(seen[0].base_url, seen[1].base_url);  // the second went to the restarted server
}

TEST(BackendSession, ARequestIsRetriedOnlyOnce) {
    Session s;
    s.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> { return lost(); };
    const auto result = s.session->generate(request("describe"), 0);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, llm::ErrorKind::connection_lost);
    EXPECT_EQ(s.model.seen().size(), 2u);
}

TEST(BackendSession, OtherErrorsAreNotRetried) {
    Session s;
    s.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        return llm::LlmError{llm::ErrorKind::server_error, 500, "boom", {}, {}};
    };
    EXPECT_FALSE(s.session->generate(request("describe"), 0).ok());
    EXPECT_EQ(s.model.seen().size(), 1u);
    EXPECT_EQ(s.backend->recovers, 0);
}

TEST(BackendSession, AServerThatCannotRestartFailsEveryLaterRequestAtOnce) {
    Session s;
    s.backend->recover_ok = false;
    s.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> { return lost(); };
    const auto first = s.session->generate(request("one"), 0);
    ASSERT_FALSE(first.ok());
    EXPECT_THAT(first.error().message, HasSubstr("model m could not be restarted: the fake would not start again"));
    const auto sent = s.model.seen().size();
    const auto later = s.session->generate(request("two"), 0);
    ASSERT_FALSE(later.ok());
    EXPECT_THAT(later.error().message, HasSubstr("could not be restarted"));
    EXPECT_EQ(s.model.seen().size(), sent);  // never sent
    EXPECT_EQ(s.backend->recovers, 1);
}

TEST(BackendSession, RequestsInFlightWhenTheServerDiesRestartItOnce) {
    Session s(2);
    std::latch both_sent(2);
    std::atomic<int> calls{0};
    s.model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (calls++ < 2) {
            both_sent.arrive_and_wait();  // both requests are in flight on the first server
            return lost();
        }
        return llm::GenerationResult{"A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    std::thread other([&] { EXPECT_TRUE(s.session->generate(request("a"), 1).ok()); });
    EXPECT_TRUE(s.session->generate(request("b"), 0).ok());
    other.join();
    EXPECT_EQ(s.backend->recovers, 1);
    EXPECT_EQ(s.session->restarts(), 1);
}

TEST(BackendSession, ARequestPastItsDeadlineRestartsTheHungServerAndIsSentOnceMore) {
    Session s;
    int calls = 0;
    s.model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (++calls == 1) return timed_out();
        return llm::GenerationResult{"A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto result = s.session->generate(request("describe"), 0);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(s.backend->recovers, 1);
    EXPECT_EQ(s.session->restarts(), 1);
    const auto seen = s.model.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_NE(seen[0].base_url, seen[1].base_url);  // the retry went to the restarted server
}

TEST(BackendSession, ThreeFailuresInARowGiveUpOnTheModelAndLaterRequestsFailAtOnce) {
    Session s;
    std::atomic<int> stops{0};
    s.backend->stop_count = &stops;
    s.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> { return timed_out(); };
    const auto first = s.session->generate(request("one"), 0);  // hangs, restart, hangs again, restart
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.error().kind, llm::ErrorKind::timeout);
    EXPECT_EQ(s.backend->recovers, 2);
    EXPECT_EQ(stops, 0);
    const auto second = s.session->generate(request("two"), 0);  // the third hang in a row
    ASSERT_FALSE(second.ok());
    EXPECT_THAT(second.error().message,
                HasSubstr("model m gave up after 3 consecutive timeouts/restarts: POST /v1/chat/completions: no answer within 1000 ms"));
    EXPECT_EQ(s.backend->recovers, 2);  // no third restart
    EXPECT_EQ(stops, 1);                // the hung server is stopped
    const auto sent = s.model.seen().size();
    EXPECT_EQ(sent, 3u);
    const auto later = s.session->generate(request("three"), 0);
    ASSERT_FALSE(later.ok());
    EXPECT_THAT(later.error().message, HasSubstr("gave up after 3"));
    EXPECT_EQ(s.model.seen().size(), sent);  // never sent
    EXPECT_EQ(s.session->props().build_info, "fake-build");  // still known for the failed rows
    s.session->stop();
    EXPECT_EQ(stops, 1);
}

TEST(BackendSession, AnAnswerBetweenFailuresStartsTheCountAgain) {
    Session s;
    int calls = 0;
    // Every other request hangs: the retry of each is answered, so the model never gives up.
    s.model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (++calls % 2 == 1) return timed_out();
        return llm::GenerationResult{"A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(s.session->generate(request("x"), 0).ok()) << i;
    EXPECT_EQ(s.session->restarts(), 5);
}

TEST(BackendSession, AbortStopsTheServerAndFailsTheRequestsInFlightWithoutARestart) {
    Session s;
    std::atomic<int> stops{0};
    s.backend->stop_count = &stops;
    std::latch in_flight(1);
    std::latch server_stopped(1);
    s.model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        in_flight.count_down();
        server_stopped.wait();  // the connection closes when the server stops
        return lost();
    };
    std::thread other([&] {
        const auto result = s.session->generate(request("a"), 0);
        ASSERT_FALSE(result.ok());
        EXPECT_THAT(result.error().message, HasSubstr("model m: the run was stopped"));
    });
    in_flight.wait();
    s.session->abort();
    EXPECT_EQ(stops, 1);
    server_stopped.count_down();
    other.join();
    EXPECT_TRUE(s.session->aborted());
    EXPECT_EQ(s.backend->recovers, 0);
    EXPECT_FALSE(s.session->generate(request("b"), 0).ok());
    EXPECT_EQ(s.model.seen().size(), 1u);
}

TEST(BackendSession, AbortEndsTheRequestsBeforeItStopsTheServer) {
    FakeModel model;
    SpawnThread spawner;
    std::atomic<int> stops{0};
    int stops_when_ended = -1;
    auto owned = std::make_unique<FakeBackend>(props(4096));
    owned->stop_count = &stops;
    BackendSession session(std::move(owned), "m", spawner, model.generate(), nullptr, [&] { stops_when_ended = stops; });
    session.abort();
    EXPECT_EQ(stops_when_ended, 0);  // a real llama-server will not stop while a client still waits
    EXPECT_EQ(stops, 1);
}

TEST(BackendSession, RequestsArePinnedToTheirSlotOnlyWhenTheServerHasSeveral) {
    Session one(1);
    ASSERT_TRUE(one.session->generate(request("x"), 3).ok());
    EXPECT_EQ(one.model.seen().front().id_slot, -1);
    Session four(4);
    ASSERT_TRUE(four.session->generate(request("x"), 3).ok());
    EXPECT_EQ(four.model.seen().front().id_slot, 3);
}

TEST(BackendSession, StopStopsTheBackendOnceAndLaterRequestsFail) {
    Session s;
    std::atomic<int> stops{0};
    s.backend->stop_count = &stops;
    s.session->stop();
    s.session->stop();
    EXPECT_EQ(stops, 1);
    EXPECT_FALSE(s.session->generate(request("x"), 0).ok());
    EXPECT_TRUE(s.model.seen().empty());
}

}  // namespace
}  // namespace tunecap::pipeline
