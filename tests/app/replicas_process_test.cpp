// SPDX-License-Identifier: GPL-3.0-or-later
// Replicas through the built tunecap and the fake llama-server: three fake servers as external
// endpoints of one model, one of which dies mid-run, and managed servers pinned one per GPU.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "run_binary.hpp"
#include "server/backend.hpp"
#include "server/environment.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::size_t kTracks = 4;
// flamingo, flamingo_genre and the wrong-hint probe of music_flamingo.
constexpr std::size_t kStepsPerTrack = 5 + 5 + 1;
const std::vector<std::string> kOnly = {"--only", "flamingo", "--only", "flamingo_genre", "--only", "flamingo_wrong_hint"};

// The requests a fake answered (its FAKE_LLAMA_REQUEST_LOG).
std::vector<json> answered(const fs::path& log) {
    std::vector<json> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        auto entry = json::parse(line);
        if (entry.value("status", 0) == 200) out.push_back(std::move(entry));
    }
    return out;
}

class Replicas : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(m_music);
        for (std::size_t i = 1; i <= kTracks; ++i) {
            run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=" + std::to_string(300 * i) + ":duration=3 -ac 1 -ar 16000 " +
                     shell_quote((m_music / ("t" + std::to_string(i) + ".flac")).string()));
        }
    }

    static void run_tool(const std::string& command) {
        ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
    }

    // The step statuses of the phases run (kOnly) in every track's JSON, by "track/phase/prompt".
    std::map<std::string, std::string> statuses() const {
        std::map<std::string, std::string> out;
        for (const auto& entry : fs::directory_iterator(m_out / "tracks")) {
            const auto track = json::parse(read_text(entry.path()));
            for (const auto& [phase, p] : track["phases"].items()) {
                if (std::find(kOnly.begin(), kOnly.end(), phase) == kOnly.end()) continue;
                for (const auto& [model, m] : p["models"].items()) {
                    for (const auto& [prompt, s] : m["prompts"].items()) {
                        out[track["id"].get<std::string>() + "/" + phase + "/" + prompt] = s.value("status", "");
                    }
                }
            }
        }
        return out;
    }

    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
    fs::path m_config = m_temp / "config.yaml";
    TinyModelFiles m_models = write_tiny_models(m_temp / "models");
};

TEST_F(Replicas, ThreeEndpointsShareTheStepsAndWhenOneDiesTheOthersFinishItsWork) {
    // Three fake llama-servers the test starts itself, as a user's remote servers; the second dies
    // halfway through its third request (and stays dead: an external server is not tunecap's to
    // restart).
    std::vector<std::unique_ptr<server::ManagedServer>> servers;
    std::vector<std::string> env;
    std::string endpoints;
    for (int r = 0; r < 3; ++r) {
        config::Model model;
        model.name = "music_flamingo";
        model.gguf = m_models.model;
        model.mmproj = m_models.projector;
        model.slots = 2;
        model.ctx = 2 * 8192;
        server::SupervisorSettings settings;
        settings.log_dir = m_temp / "server-logs";
        settings.log_stem = "replica" + std::to_string(r);
        auto environment = server::process_environment_entries();
        server::set_variable(environment, "FAKE_LLAMA_REQUEST_LOG", (m_temp / ("requests" + std::to_string(r) + ".jsonl")).string());
        // Each answer takes a moment, as a model's would, so all three are busy at once.
        server::set_variable(environment, "FAKE_LLAMA_FAULT", r == 1 ? "die_after:2,slow_reply:100" : "slow_reply:100");
        settings.environment = environment;
        auto started = server::ManagedServer::start(model, true, FAKE_LLAMA_SERVER, settings);
        ASSERT_TRUE(started.ok()) << started.error().message;
        const auto address = (*started)->address();
        endpoints += (r ? ", " : "") + std::string("{url: \"") + address.base_url + "\", api_key_env: KEY" + std::to_string(r) + "}";
        env.push_back("KEY" + std::to_string(r) + "=" + address.api_key);
        servers.push_back(std::move(started).take());
    }
    std::ofstream(m_config) << "models:\n  music_flamingo: {endpoints: [" << endpoints << "]}\n";

    std::vector<std::string> args = {"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string()};
    args.insert(args.end(), kOnly.begin(), kOnly.end());
    const auto outcome = run_tunecap(args, m_temp.path(), env);
    for (auto& s : servers) s->stop();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("replica 2 is out of service; the 2 other(s) take over its steps"));

    // Every step is done, in the track JSON and in results.json.
    const auto all = statuses();
    ASSERT_EQ(all.size(), kTracks * kStepsPerTrack);
    for (const auto& [step, status] : all) EXPECT_EQ(status, "done") << step;
    const auto results = json::parse(read_text(m_out / "results.json"));
    ASSERT_EQ(results["model_loads"].size(), 1u);
    EXPECT_EQ(results["model_loads"][0]["replicas"], 3);
    EXPECT_EQ(results["model_loads"][0]["replicas_dropped"], 1);
    EXPECT_EQ(results["steps"]["failed"], 0);

    // The work was spread: each server answered some, the one that died at most its first two.
    // The two that lived answered each step at most once, and with the dead one's, all of them.
    const auto first = answered(m_temp / "requests0.jsonl");
    const auto second = answered(m_temp / "requests1.jsonl");
    const auto third = answered(m_temp / "requests2.jsonl");
    EXPECT_GT(first.size(), 2u);
    EXPECT_LE(second.size(), 2u);
    EXPECT_GT(third.size(), 2u);
    std::multiset<std::string> prompts;  // text and audio
    for (const auto* log : {&first, &third}) {
        for (const auto& entry : *log) prompts.insert(entry["prompt_hash"].get<std::string>());
    }
    for (const auto& prompt : prompts) EXPECT_EQ(prompts.count(prompt), 1u) << "sent twice: " << prompt;
    EXPECT_LE(first.size() + third.size(), kTracks * kStepsPerTrack);
    EXPECT_GE(first.size() + second.size() + third.size(), kTracks * kStepsPerTrack);

    // A second run finds every step stored and sends nothing.
    const auto again = run_tunecap(args, m_temp.path(), env);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(answered(m_temp / "requests0.jsonl").size(), first.size());
}

TEST_F(Replicas, AModelOnTwoGpusGetsOneManagedServerPinnedToEach) {
    std::ofstream(m_config) << "runtime:\n  server_env: [FAKE_LLAMA_*]\n"
                            << "models:\n  music_flamingo: {gguf: " << m_models.model.string()
                            << ", mmproj: " << m_models.projector.string() << ", gpus: [3, 5], slots: 2, ctx: 16384}\n";
    std::vector<std::string> args = {"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string()};
    args.insert(args.end(), kOnly.begin(), kOnly.end());
    const auto outcome = run_tunecap(args, m_temp.path(),
                                     {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5",
                                      "FAKE_LLAMA_REQUEST_LOG=" + (m_temp / "requests.jsonl").string()});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    // Each server saw only its own GPU, and its log is named after it.
    EXPECT_THAT(read_text(m_out / "logs" / "music_flamingo-gpu3-1.log"), HasSubstr("fake: CUDA_VISIBLE_DEVICES=3\n"));
    EXPECT_THAT(read_text(m_out / "logs" / "music_flamingo-gpu5-1.log"), HasSubstr("fake: CUDA_VISIBLE_DEVICES=5\n"));
    const auto all = statuses();
    ASSERT_EQ(all.size(), kTracks * kStepsPerTrack);
    for (const auto& [step, status] : all) EXPECT_EQ(status, "done") << step;
    EXPECT_EQ(answered(m_temp / "requests.jsonl").size(), kTracks * kStepsPerTrack);
}

}  // namespace
}  // namespace tunecap::testing
