// SPDX-License-Identifier: GPL-3.0-or-later
// ManagedServer's start-up, restart and stop, and ExternalEndpoint::connect, through the seams:
// a fake launcher (tests/server/fake_process.hpp), a scripted transport and a fake clock. No
// process, no socket, no sleeping; deadlines are checked to the millisecond on the fake clock.
// The same behaviour against a real child is in supervisor_test.cpp.

#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fake_clock.hpp"
#include "fake_process.hpp"
#include "fake_transport.hpp"
#include "server/backend.hpp"
#include "temp_dir.hpp"

namespace tunecap::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using tunecap::testing::answer;
using tunecap::testing::ChildScript;
using tunecap::testing::FakeClock;
using tunecap::testing::FakeLauncher;
using tunecap::testing::FakeTransport;
using tunecap::testing::props_body;
using tunecap::testing::refused;
using tunecap::testing::Signal;
using tunecap::testing::silence;

constexpr const char* kBinary = "/opt/llama.cpp/bin/llama-server";

std::string read_all(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class Lifecycle : public ::testing::Test {
protected:
    Lifecycle() {
        m_settings.log_dir = m_temp / "logs";
        m_model.name = "qwen3";
        m_model.gguf = "/models/qwen3.gguf";
        m_model.family = core::Family::qwen3;
        m_transport->script("/health", {answer(200, testing::kHealthOk)});
        m_transport->script("/props", {answer(200, props_body(2048, 2, true))});
    }

    core::Result<std::unique_ptr<ManagedServer>> start(bool needs_audio = false) {
        Seams seams{m_launcher, m_transport, m_clock, [this] { return m_next_port++; }};
        return ManagedServer::start(m_model, needs_audio, kBinary, m_settings, std::move(seams));
    }
    std::vector<std::shared_ptr<testing::FakeChild>> children() const { return m_launcher->children(); }
    static ChildScript port_taken(const std::string& line) {
        ChildScript script;
        script.log = "main: loading model\n" + line + "\nsrv llama_server: exiting due to HTTP server error\n";
        script.exits_after = 0ms;
        return script;
    }

    testing::TempDir m_temp;
    SupervisorSettings m_settings;
    config::Model m_model;
    int m_next_port = 21000;
    std::shared_ptr<FakeClock> m_clock = std::make_shared<FakeClock>();
    std::shared_ptr<FakeLauncher> m_launcher = std::make_shared<FakeLauncher>(*m_clock);
    std::shared_ptr<FakeTransport> m_transport = std::make_shared<FakeTransport>();
};

TEST_F(Lifecycle, ReadyOnceHealthTurns200AndThePropsAreRead) {
    m_transport->script("/health", {answer(503, testing::kHealthLoading), answer(503, testing::kHealthLoading),
                                    answer(503, testing::kHealthLoading), answer(200, testing::kHealthOk)});
    auto server = start(true);
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_EQ((*server)->status(), ServerStatus::ready);
    EXPECT_EQ(m_clock->elapsed(), 3 * m_settings.poll_interval);  // three 503s, a poll interval apart
    EXPECT_EQ((*server)->props().n_ctx, 2048);
    EXPECT_EQ((*server)->props().total_slots, 2);
    EXPECT_TRUE((*server)->props().audio);
    EXPECT_EQ((*server)->starts(), 1);

    ASSERT_EQ(children().size(), 1u);
    const auto& child = *children()[0];
    EXPECT_EQ(child.request().program, kBinary);
    EXPECT_EQ(child.request().output, m_settings.log_dir / "qwen3-1.log");
    EXPECT_EQ(child.request().environment, std::nullopt);  // none given: tunecap's own
    EXPECT_EQ(child.arg_after("--port"), "21000");
    EXPECT_EQ((*server)->address().base_url, "http://127.0.0.1:21000");
    EXPECT_EQ((*server)->pid(), child.pid());
    EXPECT_TRUE((*server)->child_running());

    // The key reaches the child as a file only, and the client as a bearer token; probes carry none.
    const auto key = (*server)->address().api_key;
    ASSERT_GE(key.size(), 32u);
    EXPECT_EQ(read_all(child.arg_after("--api-key-file")), key);
    for (const auto& arg : child.request().args) EXPECT_THAT(arg, ::testing::Not(HasSubstr(key)));
    for (const auto& probe : m_transport->requests_to("/health")) {
        EXPECT_EQ(probe.base_url, "http://127.0.0.1:21000");
        EXPECT_EQ(probe.authorization, "");
    }
    EXPECT_EQ(m_transport->requests_to("/health").size(), 4u);
    EXPECT_EQ(m_transport->requests_to("/props").at(0).authorization, "Bearer " + key);
}

TEST_F(Lifecycle, NeverHealthyFailsExactlyAtTheReadyDeadline) {
    m_transport->script("/health", {answer(503, testing::kHealthLoading)});
    m_settings.ready_deadline = std::chrono::minutes(5);
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("was not healthy within 300 s"));
    EXPECT_THAT(server.error().message, HasSubstr("qwen3-1.log"));
    EXPECT_EQ(m_clock->elapsed(), std::chrono::minutes(5));  // the child ends on SIGTERM at once
    // Stopped, politely: one SIGTERM at the deadline, no SIGKILL.
    EXPECT_EQ(children().at(0)->signals(), (std::vector<Signal>{{SIGTERM, 300000ms}}));
    EXPECT_TRUE(m_transport->requests_to("/props").empty());
}

TEST_F(Lifecycle, AStopRequestEndsTheWaitForHealthAtTheNextPoll) {
    m_transport->script("/health", {answer(503, testing::kHealthLoading)});
    // Ctrl-C arrives 1 s into a load that would otherwise wait five minutes.
    m_settings.cancelled = [this] { return m_clock->elapsed() >= 1s; };
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("model qwen3: llama-server start cancelled: the run is stopping"));
    EXPECT_EQ(m_clock->elapsed(), 1s);
    EXPECT_EQ(children().at(0)->signals(), (std::vector<Signal>{{SIGTERM, 1000ms}}));  // the child is stopped
    EXPECT_TRUE(m_transport->requests_to("/props").empty());
}

TEST_F(Lifecycle, AHangingHealthProbeDoesNotStretchTheReadyDeadline) {
    m_transport->script("/health", {silence(*m_clock)});
    m_settings.ready_deadline = 2500ms;
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("not healthy within"));
    EXPECT_EQ(m_clock->elapsed(), 2500ms);
    const auto probes = m_transport->requests_to("/health");
    ASSERT_FALSE(probes.empty());
    for (const auto& probe : probes) EXPECT_LE(probe.deadline, 1s);
    EXPECT_EQ(probes.back().deadline, 400ms);  // what was left of the 2.5 s
}

TEST_F(Lifecycle, AChildThatExitsDuringStartFailsAtOnceNamingTheLog) {
    ChildScript crash;
    crash.log = "main: loading model\nllama_model_load: error loading model: tensor 'blk.0.attn_q.weight' data is not within the file bounds\n";
    crash.exits_after = 200ms;
    crash.exit_status = 1;
    m_launcher->script({crash});
    m_transport->script("/health", {refused()});
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(m_clock->elapsed(), 200ms);  // not the five-minute deadline
    EXPECT_THAT(server.error().message, HasSubstr("exited with status 1 during start-up"));
    EXPECT_THAT(server.error().message, HasSubstr((m_settings.log_dir / "qwen3-1.log").string()));
    EXPECT_THAT(server.error().message, HasSubstr("data is not within the file bounds"));
    EXPECT_EQ(children().size(), 1u);  // not a port problem: no retry
    EXPECT_TRUE(children()[0]->signals().empty());
}

TEST_F(Lifecycle, ATakenPortIsRetriedOnAnotherPort) {
    m_launcher->script({port_taken("srv start: couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 21000")});
    auto server = start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_EQ((*server)->starts(), 2);
    ASSERT_EQ(children().size(), 2u);
    EXPECT_EQ(children()[0]->arg_after("--port"), "21000");
    EXPECT_EQ(children()[1]->arg_after("--port"), "21001");
    EXPECT_EQ((*server)->address().base_url, "http://127.0.0.1:21001");
    EXPECT_EQ((*server)->log_file(), m_settings.log_dir / "qwen3-2.log");
    EXPECT_TRUE(fs::exists(m_settings.log_dir / "qwen3-1.log"));  // the failed start's log is kept
    EXPECT_EQ(m_clock->elapsed(), 0ms);
}

TEST_F(Lifecycle, APortTakenOnEveryAttemptGivesUpAfterPortAttempts) {
    m_settings.port_attempts = 3;
    const auto taken = port_taken("bind: Address already in use");
    m_launcher->script({taken, taken, taken, ChildScript{}});
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(children().size(), 3u);
    EXPECT_THAT(server.error().message, HasSubstr("Address already in use"));
    EXPECT_THAT(server.error().message, HasSubstr("qwen3-3.log"));
}

TEST_F(Lifecycle, ABinaryThatCannotStartIsReportedWithoutRetry) {
    ChildScript missing;
    missing.cannot_start = true;
    m_launcher->script({missing});
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("cannot start"));
    EXPECT_TRUE(children().empty());
}

TEST_F(Lifecycle, NoAudioWhenAudioIsNeededIsRefusedAndTheChildStopped) {
    m_transport->script("/props", {answer(200, props_body(2048, 2, false))});
    m_model.mmproj = "/models/mmproj.gguf";
    auto server = start(true);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("modalities.audio is false"));
    EXPECT_THAT(server.error().message, HasSubstr("/models/mmproj.gguf"));
    ASSERT_EQ(children().size(), 1u);
    EXPECT_EQ(children()[0]->signals(), (std::vector<Signal>{{SIGTERM, 0ms}}));
    EXPECT_TRUE(children()[0]->ended());
}

TEST_F(Lifecycle, NoAudioIsFineForTextWork) {
    m_transport->script("/props", {answer(200, props_body(2048, 2, false))});
    auto server = start(false);
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_FALSE((*server)->props().audio);
}

TEST_F(Lifecycle, UnreadablePropsFailTheStartAndStopTheChild) {
    m_transport->script("/props", {answer(200, "<html>not json</html>")});
    auto server = start();
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("cannot read /props"));
    EXPECT_TRUE(children().at(0)->ended());
}

TEST_F(Lifecycle, RecoverRestartsADeadChildWithANewPortAndKey) {
    auto server = start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    const auto first = (*server)->address();
    const auto key_file = children()[0]->arg_after("--api-key-file");

    children()[0]->crash();
    EXPECT_FALSE((*server)->child_running());
    ASSERT_TRUE((*server)->recover().ok());
    EXPECT_EQ((*server)->status(), ServerStatus::ready);
    EXPECT_EQ((*server)->starts(), 2);
    ASSERT_EQ(children().size(), 2u);
    EXPECT_TRUE(children()[0]->signals().empty());  // already dead: nothing to signal
    EXPECT_FALSE(children()[0]->destroyed_running());
    const auto second = (*server)->address();
    EXPECT_NE(second.api_key, first.api_key);
    EXPECT_NE(second.base_url, first.base_url);
    EXPECT_EQ(read_all(children()[1]->arg_after("--api-key-file")), second.api_key);
    EXPECT_EQ(children()[1]->arg_after("--api-key-file"), key_file);  // same private folder, new key
    EXPECT_EQ((*server)->log_file(), m_settings.log_dir / "qwen3-2.log");
    EXPECT_EQ((*server)->pid(), children()[1]->pid());
}

TEST_F(Lifecycle, RecoverStopsALiveChildBeforeStartingAnother) {
    auto server = start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    ASSERT_TRUE((*server)->recover().ok());
    ASSERT_EQ(children().size(), 2u);
    EXPECT_EQ(children()[0]->signals(), (std::vector<Signal>{{SIGTERM, 0ms}}));
    EXPECT_TRUE(children()[0]->ended());
}

TEST_F(Lifecycle, StopSendsSigtermThenSigkillAfterTheGraceAndRemovesTheKey) {
    ChildScript stubborn;
    stubborn.sigterm_exit_after = std::nullopt;
    m_launcher->script({stubborn});
    m_settings.stop_grace = 10s;
    auto server = start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    const auto key_dir = fs::path(children()[0]->arg_after("--api-key-file")).parent_path();
    ASSERT_TRUE(fs::exists(key_dir));
    const auto stopping_at = m_clock->elapsed();

    (*server)->stop();
    EXPECT_EQ(children()[0]->signals(),
              (std::vector<Signal>{{SIGTERM, stopping_at}, {SIGKILL, stopping_at + 10000ms}}));
    EXPECT_EQ((*server)->status(), ServerStatus::stopped);
    EXPECT_FALSE((*server)->pid().has_value());
    EXPECT_FALSE(fs::exists(key_dir));
    EXPECT_FALSE(children()[0]->destroyed_running());

    (*server)->stop();  // a second stop is a no-op
    EXPECT_EQ(children()[0]->signals().size(), 2u);
}

TEST_F(Lifecycle, DestroyingAServerStopsItsChild) {
    fs::path key_dir;
    {
        auto server = start();
        ASSERT_TRUE(server.ok()) << server.error().message;
        key_dir = fs::path(children()[0]->arg_after("--api-key-file")).parent_path();
    }
    EXPECT_EQ(children()[0]->signals(), (std::vector<Signal>{{SIGTERM, 0ms}}));
    EXPECT_FALSE(children()[0]->destroyed_running());
    EXPECT_FALSE(fs::exists(key_dir));
}

config::Model endpoint_model(const std::string& key_env) {
    config::Model m;
    m.name = "remote";
    m.family = core::Family::qwen3;
    m.endpoints = {config::Endpoint{"http://192.0.2.7:8000/v1/", key_env}};
    m.slots = 3;
    m.ctx = 12000;
    return m;
}

std::optional<std::string> environment(const std::string& name) {
    if (name == "REMOTE_KEY") return "remote-secret";
    return std::nullopt;
}

TEST(ExternalConnect, ALlamaServersPropsBeatTheConfig) {
    auto transport = std::make_shared<FakeTransport>();
    transport->script("/props", {answer(200, props_body(4096, 2, false))});
    auto endpoint = ExternalEndpoint::connect(endpoint_model("REMOTE_KEY"), 0, environment, transport);
    ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
    EXPECT_EQ((*endpoint)->props().total_slots, 2);
    EXPECT_EQ((*endpoint)->props().n_ctx, 4096);
    EXPECT_EQ((*endpoint)->address().base_url, "http://192.0.2.7:8000");  // the client adds /v1 itself
    const auto sent = transport->requests_to("/props");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].base_url, "http://192.0.2.7:8000");
    EXPECT_EQ(sent[0].authorization, "Bearer remote-secret");
}

TEST(ExternalConnect, AServerWithoutPropsGetsTheConfigsValues) {
    auto transport = std::make_shared<FakeTransport>();  // every path answers 404, as vLLM's /props does
    auto endpoint = ExternalEndpoint::connect(endpoint_model("REMOTE_KEY"), 0, environment, transport);
    ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
    EXPECT_FALSE((*endpoint)->managed());
    EXPECT_EQ((*endpoint)->props().total_slots, 3);
    EXPECT_EQ((*endpoint)->props().n_ctx, 4000);
    EXPECT_TRUE((*endpoint)->props().audio);  // config::Model::takes_audio(): an endpoint is taken at its word
    EXPECT_EQ((*endpoint)->props().media_marker, "<__media__>");
    EXPECT_EQ((*endpoint)->address().api_key, "remote-secret");
}

TEST(ExternalConnect, AWrongKeyIsRefused) {
    auto transport = std::make_shared<FakeTransport>();
    transport->script("/props", {answer(401, testing::kInvalidApiKey)});
    auto endpoint = ExternalEndpoint::connect(endpoint_model("REMOTE_KEY"), 0, environment, transport);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_THAT(endpoint.error().message, HasSubstr("not usable"));
    EXPECT_THAT(endpoint.error().message, HasSubstr("Invalid API Key"));
    EXPECT_THAT(endpoint.error().message, ::testing::Not(HasSubstr("remote-secret")));
}

TEST(ExternalConnect, AnUnreachableOrSilentEndpointIsRefused) {
    FakeClock clock;
    auto transport = std::make_shared<FakeTransport>();
    transport->script("/props", {refused(), silence(clock)});
    auto refused_endpoint = ExternalEndpoint::connect(endpoint_model("REMOTE_KEY"), 0, environment, transport);
    ASSERT_FALSE(refused_endpoint.ok());
    EXPECT_THAT(refused_endpoint.error().message, HasSubstr("not usable"));
    auto silent_endpoint = ExternalEndpoint::connect(endpoint_model("REMOTE_KEY"), 0, environment, transport);
    ASSERT_FALSE(silent_endpoint.ok());
    EXPECT_THAT(silent_endpoint.error().message, HasSubstr("no answer within"));
}

TEST(ExternalConnect, AMissingKeyVariableIsNamedBeforeAnyRequest) {
    auto transport = std::make_shared<FakeTransport>();
    auto endpoint = ExternalEndpoint::connect(endpoint_model("UNSET_KEY"), 0, environment, transport);
    ASSERT_FALSE(endpoint.ok());
    EXPECT_THAT(endpoint.error().message, HasSubstr("UNSET_KEY"));
    EXPECT_TRUE(transport->requests().empty());
}

}  // namespace
}  // namespace tunecap::server
