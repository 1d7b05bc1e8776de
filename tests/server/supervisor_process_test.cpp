// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor against the fake llama-server binary (tests/tools/fake_llama_server), with faults
// chosen by environment variable. Every test runs in its own process (gtest_discover_tests), so the
// environment each sets reaches only its own children.

#include "server/backend.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "endpoint_model.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"
#include "wait_for.hpp"

namespace tunecap::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The fake only checks that the model files are readable; these are small real GGUF files all the
// same (tests/support/tiny_gguf.hpp).
const testing::TinyModelFiles& model_files() { return testing::shared_tiny_models(); }

// Model names carry this process's id, so the leak check below finds only our own children.
std::string unique_name(const std::string& base) { return base + "-t" + std::to_string(::getpid()); }

config::Model text_model() {
    config::Model m;
    m.name = unique_name("text");
    m.gguf = model_files().model.string();
    m.family = core::Family::qwen3;
    m.ctx = 4096;
    m.slots = 2;
    return m;
}

config::Model audio_model() {
    auto m = text_model();
    m.name = unique_name("ears");
    m.mmproj = model_files().projector.string();
    return m;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Live processes (not zombies) whose command line mentions `marker`.
std::vector<pid_t> processes_mentioning(const std::string& marker) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stoi(name));
        if (pid == ::getpid()) continue;
        std::string cmdline = read_all(entry.path() / "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find(marker) == std::string::npos) continue;
        const auto stat = read_all(entry.path() / "stat");
        const auto close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
        found.push_back(pid);
    }
    return found;
}

// After every test: no fake llama-server started by this process is left running.
class NoLeftoverChildren : public ::testing::Environment {
public:
    void TearDown() override {
        const auto left = processes_mentioning("-t" + std::to_string(::getpid()));
        EXPECT_TRUE(left.empty()) << left.size() << " child process(es) left behind";
    }
};
const auto* const kLeakCheck = ::testing::AddGlobalTestEnvironment(new NoLeftoverChildren);

class Supervisor : public ::testing::Test {
protected:
    void SetUp() override {
        ::unsetenv("FAKE_LLAMA_FAULT");
        m_settings.log_dir = m_temp / "logs";
        m_settings.guard = fs::path(TUNECAP_BINARY);
        // Far above what a start (~0.1 s) or a stop takes, so a loaded machine never fails a test;
        // the tests of these deadlines set their own.
        m_settings.ready_deadline = std::chrono::seconds(60);
        m_settings.stop_grace = std::chrono::seconds(10);
        ::setenv("FAKE_LLAMA_STATE_DIR", m_temp.path().c_str(), 1);
        ::setenv("FAKE_LLAMA_ARGV_FILE", (m_temp / "argv.txt").c_str(), 1);
        ::setenv("FAKE_LLAMA_IDLE_EXIT_S", "60", 1);
    }
    void fault(const std::string& value) { ::setenv("FAKE_LLAMA_FAULT", value.c_str(), 1); }

    core::Result<std::unique_ptr<ManagedServer>> start(const config::Model& model, bool needs_audio = false) {
        return ManagedServer::start(model, needs_audio, FAKE_LLAMA_SERVER, m_settings);
    }

    llm::LlmResult<llm::GenerationResult> ask(Backend& backend, const std::string& text = "Describe a song.") {
        llm::Client client(backend.address());
        llm::GenerationRequest request;
        request.family = core::Family::qwen3;
        request.user = text;
        request.sampling.max_tokens = 16;
        request.deadline = std::chrono::seconds(60);
        return client.generate(request, backend.props().media_marker);
    }

    testing::TempDir m_temp;
    SupervisorSettings m_settings;
};

TEST_F(Supervisor, StartsReadsPropsServesAndStops) {
    auto server = start(audio_model(), true);
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_EQ((*server)->status(), ServerStatus::ready);
    EXPECT_TRUE((*server)->props().audio);
    EXPECT_EQ((*server)->props().total_slots, 2);
    EXPECT_EQ((*server)->props().n_ctx, 2048);
    EXPECT_FALSE((*server)->props().media_marker.empty());
    const auto answer = ask(**server);
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_FALSE(answer->content.empty());

    // The child got the flag list, with the key only as a file.
    const auto argv = read_all(m_temp / "argv.txt");
    EXPECT_THAT(argv, HasSubstr("-np\n2\n"));
    EXPECT_THAT(argv, HasSubstr("--api-key-file\n"));
    EXPECT_THAT(argv, ::testing::Not(HasSubstr((*server)->address().api_key)));

    const auto pid = *(*server)->pid();
    (*server)->stop();
    EXPECT_EQ((*server)->status(), ServerStatus::stopped);
    EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(Supervisor, RequestsWithoutTheKeyAreRefused) {
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    llm::Client client({(*server)->address().base_url, "wrong", "m"});
    llm::GenerationRequest request;
    request.user = "x";
    EXPECT_EQ(client.generate(request).error().kind, llm::ErrorKind::unauthorized);
}

TEST_F(Supervisor, TheApiKeyNeverAppearsInAnyLog) {
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    ASSERT_TRUE(ask(**server).ok());
    const auto key = (*server)->address().api_key;
    ASSERT_GE(key.size(), 32u);
    (*server)->stop();
    std::size_t logs = 0;
    for (const auto& entry : fs::recursive_directory_iterator(m_settings.log_dir)) {
        ++logs;
        EXPECT_THAT(read_all(entry.path()), ::testing::Not(HasSubstr(key))) << entry.path();
    }
    EXPECT_GE(logs, 1u);
}

TEST_F(Supervisor, CrashOnStartFailsAtOnceWithTheLog) {
    fault("crash_on_start");
    m_settings.ready_deadline = std::chrono::minutes(2);
    const auto started = std::chrono::steady_clock::now();
    auto server = start(text_model());
    ASSERT_FALSE(server.ok());
    // The crash ends the wait, not the two-minute deadline (it takes ~0.1 s).
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::minutes(1));
    EXPECT_THAT(server.error().message, HasSubstr("exited with status"));
    EXPECT_THAT(server.error().message, HasSubstr(unique_name("text") + "-1.log"));
}

TEST_F(Supervisor, NeverReadyFailsAtTheDeadline) {
    fault("never_ready");
    m_settings.ready_deadline = std::chrono::milliseconds(600);
    auto server = start(text_model());
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("not healthy within"));
}

TEST_F(Supervisor, PortTakenIsRetriedOnAnotherPort) {
    fault("port_taken_once");
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_EQ((*server)->starts(), 2);
    EXPECT_TRUE(fs::exists(m_settings.log_dir / (unique_name("text") + "-1.log")));
    EXPECT_TRUE(ask(**server).ok());
}

TEST_F(Supervisor, ADeadServerIsRestartedByRecover) {
    fault("die_after:1");
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    ASSERT_TRUE(ask(**server).ok());
    const auto lost = ask(**server);
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().kind, llm::ErrorKind::connection_lost);
    ::unsetenv("FAKE_LLAMA_FAULT");
    ASSERT_TRUE((*server)->recover().ok());
    EXPECT_EQ((*server)->starts(), 2);
    EXPECT_TRUE(ask(**server).ok());
}

TEST_F(Supervisor, AServerIgnoringSigtermIsKilledAfterTheGrace) {
    fault("ignore_sigterm");
    m_settings.stop_grace = std::chrono::milliseconds(300);
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    const auto pid = *(*server)->pid();
    const auto started = std::chrono::steady_clock::now();
    (*server)->stop();
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
    EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(Supervisor, AudioWorkIsRefusedWhenTheServerHasNoAudio) {
    fault("no_audio_modality");
    auto server = start(audio_model(), true);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.error().message, HasSubstr("modalities.audio is false"));
}

TEST_F(Supervisor, ServerFaultsReachTheCallerTyped) {
    fault("slow_reply:2000");
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    llm::Client client((*server)->address());
    llm::GenerationRequest request;
    request.user = "x";
    request.deadline = std::chrono::milliseconds(400);
    EXPECT_EQ(client.generate(request).error().kind, llm::ErrorKind::timeout);
    (*server)->stop();

    fault("context_overflow");
    server = start(text_model());
    ASSERT_TRUE(server.ok());
    EXPECT_EQ(ask(**server).error().kind, llm::ErrorKind::context_overflow);
    (*server)->stop();

    fault("error_500");
    server = start(text_model());
    ASSERT_TRUE(server.ok());
    const auto failed = ask(**server);
    EXPECT_EQ(failed.error().kind, llm::ErrorKind::server_error);
    EXPECT_EQ(failed.error().http_status, 500);
}

TEST_F(Supervisor, ShrinkingGetsUnderAnOverflowThreshold) {
    fault("overflow_over:60");
    auto server = start(text_model());
    ASSERT_TRUE(server.ok()) << server.error().message;
    std::string caption;
    while (caption.size() < 1200) caption += "beat ";  // a word a token, as far as the fake counts
    std::vector<std::size_t> sizes;
    const auto result = llm::generate_shrinking(
        [&](std::optional<std::size_t> limit) {
            const auto text = caption.substr(0, limit.value_or(caption.size()));
            sizes.push_back(text.size());
            return ask(**server, "Revise: " + text);
        },
        caption.size(), 300);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(sizes, (std::vector<std::size_t>{1200, 300, 150}));
}

// A live process, not a zombie.
bool alive(pid_t pid) {
    const auto stat = read_all("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// A shell stands in for tunecap: it starts the fake in the background, through guard mode or
// directly, and waits. The fake is told to ignore its parent's death (FAKE_LLAMA_IGNORE_PARENT=1),
// as the real llama-server does, so only the guard's death signal can end it when the shell dies.
class Orphan {
public:
    Orphan(const fs::path& scratch, bool guarded) {
        const auto pid_file = scratch / "child.pid";
        const auto port_file = scratch / "child.port";
        std::string command = "FAKE_LLAMA_IGNORE_PARENT=1 FAKE_LLAMA_PORT_FILE=" + port_file.string() + " ";
        if (guarded) command += std::string(TUNECAP_BINARY) + " __exec-guard $$ ";
        command += std::string(FAKE_LLAMA_SERVER) + " -m " + model_files().model.string() + " --port 0 --alias " +
                   unique_name("orphan") + " >/dev/null 2>&1 & echo $! > " + pid_file.string() + "; wait";
        auto shell = ChildProcess::spawn({"/bin/sh", {"-c", command}, scratch / "sh.log", std::nullopt});
        if (!shell) throw std::runtime_error(shell.error().message);
        m_shell.emplace(std::move(shell).take());
        // Running once it has bound its port: past guard mode's prctl and exec. The shell writes the
        // pid file after starting the fake, so on a loaded machine the port can come first: both
        // are waited for, the pid file until its line is whole.
        const auto started = [&] { return !read_all(port_file).empty() && read_all(pid_file).ends_with('\n'); };
        if (!testing::wait_for(started, std::chrono::seconds(30))) {
            throw std::runtime_error("the fake did not start: " + read_all(scratch / "sh.log"));
        }
        m_child = static_cast<pid_t>(std::stoi(read_all(pid_file)));
    }
    ~Orphan() {
        if (m_child > 0 && alive(m_child)) ::kill(m_child, SIGKILL);
    }
    Orphan(const Orphan&) = delete;
    Orphan& operator=(const Orphan&) = delete;

    pid_t child() const { return m_child; }

    // SIGKILL to the shell alone (not its process group, which holds the fake), then reaps it.
    bool kill_parent() {
        ::kill(m_shell->pid(), SIGKILL);
        return testing::wait_for([&] { return m_shell->poll().has_value(); }, std::chrono::seconds(30));
    }

private:
    std::optional<ChildProcess> m_shell;
    pid_t m_child = -1;
};

TEST_F(Supervisor, ChildrenDieWhenTheirParentIsKilled) {
    Orphan orphan(m_temp.path(), true);
    ASSERT_TRUE(alive(orphan.child()));
    ASSERT_TRUE(orphan.kill_parent());
    EXPECT_TRUE(testing::wait_for([&] { return !alive(orphan.child()); }, std::chrono::seconds(30)))
        << "the guarded child outlived its parent";
}

TEST_F(Supervisor, WithoutTheGuardAChildOutlivesItsParent) {
    // The control for the test above: the fake does not end itself, so there the guard did it.
    Orphan orphan(m_temp.path(), false);
    ASSERT_TRUE(orphan.kill_parent());
    // The fake would notice a new parent within 50 ms; twenty times that and it still runs.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    EXPECT_TRUE(alive(orphan.child()));
}

}  // namespace
}  // namespace tunecap::server

namespace tunecap::server {
namespace {

using testing::endpoint_model;

TEST(ExternalEndpoint, UsesARunningLlamaServerAsIsWithTheKeyFromTheEnvironment) {
    testing::TempDir temp;
    const auto port_file = temp / "port";
    const std::string command = "FAKE_LLAMA_PORT_FILE=" + port_file.string() + " FAKE_LLAMA_IDLE_EXIT_S=30 exec " +
                                std::string(FAKE_LLAMA_SERVER) + " -m " + model_files().model.string() +
                                " -c 4096 -np 2 --port 0 --api-key remote-secret --alias " + unique_name("remote");
    auto server = ChildProcess::spawn({"/bin/sh", {"-c", command}, temp / "server.log", std::nullopt});
    ASSERT_TRUE(server.ok());
    ASSERT_TRUE(testing::wait_for([&] { return !read_all(port_file).empty(); }, std::chrono::seconds(60)))
        << read_all(temp / "server.log");
    const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(read_all(port_file))) + "/v1/";
    llm::Client probe({url.substr(0, url.size() - 4), "", "m"});
    ASSERT_TRUE(testing::wait_for([&] { return probe.health() == llm::Health::ready; }, std::chrono::seconds(60)))
        << read_all(temp / "server.log");
    auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "REMOTE_KEY") return "remote-secret";
        return std::nullopt;
    };
    auto endpoint = ExternalEndpoint::connect(endpoint_model(url, "REMOTE_KEY"), 0, env);
    ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
    EXPECT_FALSE((*endpoint)->managed());
    EXPECT_EQ((*endpoint)->props().total_slots, 2);  // what the server says beats the config
    llm::Client client((*endpoint)->address());
    llm::GenerationRequest request;
    request.user = "Describe a song.";
    EXPECT_TRUE(client.generate(request).ok());

    auto no_key = ExternalEndpoint::connect(endpoint_model(url, "UNSET_KEY"), 0, env);
    ASSERT_FALSE(no_key.ok());
    EXPECT_THAT(no_key.error().message, HasSubstr("UNSET_KEY"));
    auto wrong_key = ExternalEndpoint::connect(endpoint_model(url, ""), 0, env);
    ASSERT_FALSE(wrong_key.ok());
    EXPECT_THAT(wrong_key.error().message, HasSubstr("not usable"));
    server->stop(std::chrono::seconds(10));
}

}  // namespace
}  // namespace tunecap::server
