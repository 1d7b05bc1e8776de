// SPDX-License-Identifier: GPL-3.0-or-later
// What ends a run early, through the built tunecap and the fake llama-server: a server that hangs
// (request deadlines, restarts, giving up on the model, then a resume) and Ctrl-C (while a server
// starts, while requests are slow, and twice). Each run must end in seconds, write its summary and
// leave no server behind.

#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "run_binary.hpp"
#include "server/child_process.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::size_t kOmniSteps = 5;  // the omni phase: one track, five prompts

std::vector<std::string> lines_of(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

class StopRun : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(m_music);
        run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=440:duration=3 -ac 1 -ar 22050 " +
                 shell_quote((m_music / "t1.flac").string()));
        write_config("");
        m_env = {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "TUNECAP_MODELS=" + (m_temp / "no-models").string(),
                 "FAKE_LLAMA_COUNTER_FILE=" + (m_temp / "starts.txt").string(),
                 "FAKE_LLAMA_REQUEST_LOG=" + (m_temp / "requests.jsonl").string(), "FAKE_LLAMA_IDLE_EXIT_S=60"};
    }

    // runtime_extra: more keys under runtime:. The fake reads its faults from FAKE_LLAMA_*
    // variables, which a managed server gets only when the config names them.
    void write_config(const std::string& runtime_extra) {
        std::ofstream out(m_config);
        out << "runtime:\n  server_env: [FAKE_LLAMA_*]\n"
            << runtime_extra << "models:\n  qwen_omni: {gguf: " << m_models.model.string() << ", mmproj: " << m_models.projector.string()
            << "}\n";
    }

    std::vector<std::string> args() const {
        return {"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string(), "--only", "omni"};
    }

    // tunecap run in the background, as its own process (a shell execs into it); its stdout and
    // stderr go to m_printed.
    core::Result<server::ChildProcess> spawn_run(const std::vector<std::string>& extra_env) {
        std::string command = "exec env";
        for (const auto& e : m_env) command += " " + shell_quote(e);
        for (const auto& e : extra_env) command += " " + shell_quote(e);
        command += " " + shell_quote(TUNECAP_BINARY);
        for (const auto& arg : args()) command += " " + shell_quote(arg);
        return server::ChildProcess::spawn({"/bin/sh", {"-c", command}, m_printed, std::nullopt});
    }

    // Waits until the fake server has been started `count` times.
    bool wait_for_starts(std::size_t count, std::chrono::seconds limit = 60s) const {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (lines_of(m_temp / "starts.txt").size() < count) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(10ms);
        }
        return true;
    }

    // The exit status, or -1 when it did not end within `limit`.
    static int wait_exit(server::ChildProcess& child, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (auto done = child.poll()) return *done;
            std::this_thread::sleep_for(10ms);
        }
        return -1;
    }

    void expect_no_server_left() const {
        const auto starts = lines_of(m_temp / "starts.txt");
        EXPECT_FALSE(starts.empty());
        for (const auto& line : starts) {
            const auto pid = json::parse(line)["pid"].get<pid_t>();
            EXPECT_NE(::kill(pid, 0), 0) << "server " << pid << " still runs";
        }
    }

    json results() const { return json::parse(read_text(m_out / "results.json")); }

    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
    fs::path m_config = m_temp / "config.yaml";
    fs::path m_printed = m_temp / "printed.txt";
    TinyModelFiles m_models = write_tiny_models(m_temp / "models");
    std::vector<std::string> m_env;
};

// The drill of a deadlocked server: every request hangs. With a one-second deadline the run
// restarts the server twice, gives up on the model at the third hang and ends in seconds; the next
// run, with a server that answers, completes the steps.
TEST_F(StopRun, AHungServerIsRestartedThenGivenUpAndAResumeCompletesTheSteps) {
    write_config("  request_deadline: {prefill_tps: 1000000, decode_tps: 1000000, allowance_s: 1}\n");
    auto env = m_env;
    env.push_back("FAKE_LLAMA_FAULT=hang_after:0");
    const auto started = std::chrono::steady_clock::now();
    const auto hung = run_tunecap(args(), m_temp.path(), env);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(hung.exit_code, 1) << hung.err;
    EXPECT_LT(took, 60s);  // three one-second deadlines and three starts; 15 minutes a request before
    EXPECT_THAT(hung.err, HasSubstr("qwen_omni: no answer by the deadline, the server seems hung"));
    EXPECT_THAT(hung.err, HasSubstr("model qwen_omni gave up after 3 consecutive timeouts/restarts"));
    EXPECT_EQ(lines_of(m_temp / "starts.txt").size(), 3u);
    auto r = results();
    ASSERT_EQ(r["model_loads"].size(), 1u);
    EXPECT_EQ(r["model_loads"][0]["restarts"], 2);
    EXPECT_EQ(r["steps"]["failed"], kOmniSteps);
    expect_no_server_left();

    const auto resumed = run_tunecap(args(), m_temp.path(), m_env);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    r = results();
    EXPECT_EQ(r["steps"]["executed"], kOmniSteps);
    EXPECT_EQ(r["steps"]["failed"], 0);
}

TEST_F(StopRun, CtrlCWhileTheServerLoadsStopsInSecondsWithTheSummary) {
    auto child = spawn_run({"FAKE_LLAMA_LOAD_MS=120000"});  // two minutes of "Loading model"
    ASSERT_TRUE(child.ok());
    ASSERT_TRUE(wait_for_starts(1));
    std::this_thread::sleep_for(300ms);  // polling /health by now
    ::kill(child->pid(), SIGINT);
    EXPECT_EQ(wait_exit(*child, 10s), 130) << read_text(m_printed);
    const auto printed = read_text(m_printed);
    EXPECT_THAT(printed, HasSubstr("stopping: the start of qwen_omni was cancelled"));
    EXPECT_THAT(printed, HasSubstr("1 track(s) read"));
    EXPECT_TRUE(results()["interrupted"].get<bool>());
    EXPECT_EQ(results()["steps"]["failed"], 0);  // nothing stored as failed: the next run sends it all
    expect_no_server_left();
}

TEST_F(StopRun, CtrlCDuringSlowRequestsSaysWhatItWaitsForAndStoresThem) {
    auto child = spawn_run({"FAKE_LLAMA_FAULT=slow_reply:2500"});
    ASSERT_TRUE(child.ok());
    ASSERT_TRUE(wait_for_starts(1));
    std::this_thread::sleep_for(1s);  // the first requests are in their slots by now
    ::kill(child->pid(), SIGINT);
    EXPECT_EQ(wait_exit(*child, 20s), 130) << read_text(m_printed);
    const auto printed = read_text(m_printed);
    EXPECT_THAT(printed, HasSubstr("request(s) in flight on qwen_omni (at most 5 s; Ctrl-C again to stop now)"));
    EXPECT_THAT(printed, HasSubstr("interrupted: the steps in flight finished and were stored"));
    const auto executed = results()["steps"]["executed"].get<std::size_t>();
    EXPECT_GE(executed, 1u);
    EXPECT_LT(executed, kOmniSteps);
    EXPECT_EQ(lines_of(m_temp / "requests.jsonl").size(), executed);  // every request sent was answered and stored
    expect_no_server_left();
}

TEST_F(StopRun, ASecondCtrlCStopsAtOnceAndStillWritesTheResults) {
    auto child = spawn_run({"FAKE_LLAMA_FAULT=slow_reply:60000"});
    ASSERT_TRUE(child.ok());
    ASSERT_TRUE(wait_for_starts(1));
    std::this_thread::sleep_for(1s);
    ::kill(child->pid(), SIGINT);
    std::this_thread::sleep_for(300ms);
    const auto second = std::chrono::steady_clock::now();
    ::kill(child->pid(), SIGINT);
    EXPECT_EQ(wait_exit(*child, 10s), 130) << read_text(m_printed);
    EXPECT_LT(std::chrono::steady_clock::now() - second, 5s);
    const auto printed = read_text(m_printed);
    EXPECT_THAT(printed, HasSubstr("stopping now: ending"));
    EXPECT_THAT(printed, HasSubstr("step(s) in flight were stopped and not stored"));
    const auto r = results();
    EXPECT_TRUE(r["interrupted"].get<bool>());
    EXPECT_EQ(r["steps"]["executed"], 0);
    EXPECT_EQ(r["steps"]["failed"], 0);
    expect_no_server_left();

    // Nothing was stored as failed: the next run sends every step.
    const auto resumed = run_tunecap(args(), m_temp.path(), m_env);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(results()["steps"]["executed"], kOmniSteps);
}

}  // namespace
}  // namespace tunecap::testing
