// SPDX-License-Identifier: GPL-3.0-or-later
// The API key tunecap gives each llama-server it starts stays in the server's key file: a whole
// `tunecap run` against the fake server, then every place a user or another process could read it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "run_binary.hpp"
#include "server/child_process.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::string read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The keys found in `text`, for a readable failure message.
std::vector<std::string> keys_in(const std::string& text, const std::vector<std::string>& keys) {
    std::vector<std::string> found;
    for (const auto& key : keys) {
        if (text.find(key) != std::string::npos) found.push_back(key);
    }
    return found;
}

constexpr const char* kUserKey = "sk-users-own-openai-key-0123456789";
constexpr const char* kUserToken = "users-own-service-token-9876543210";

TEST(ApiKey, AppearsInNoOutputStoreLogOrCommandLine) {
    TempDir temp;
    const auto music = temp / "music";
    const auto out = temp / "out";
    fs::create_directories(music);
    fs::create_directories(temp / "tmp");
    fs::create_directories(temp / "proc");
    run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=440:duration=3 -ac 1 -ar 22050 " +
             shell_quote((music / "one.flac").string()));
    const auto models = write_tiny_models(temp / "models");
    const std::string text = models.model.string();
    const std::string audio = "{gguf: " + text + ", mmproj: " + models.projector.string() + "}";
    std::ofstream(temp / "config.yaml") << "runtime:\n  server_env: [FAKE_LLAMA_*]\nmodels:\n  music_flamingo: " << audio << "\n  qwen_omni: " << audio
                                        << "\n  qwen3_14b: {gguf: " << text << "}\n  gpt_oss_20b: {gguf: " << text
                                        << "}\n  granite_tiny: {gguf: " << text << "}\n";

    // The fake records the keys it accepts (FAKE_LLAMA_KEYS_FILE), its pid (FAKE_LLAMA_COUNTER_FILE)
    // and its /proc cmdline and environ (FAKE_LLAMA_PROC_DIR) at each start: a server that lives a
    // few milliseconds on a loaded machine could be missed in /proc. TMPDIR puts the servers' key
    // files where the test can check that they are removed.
    const std::vector<std::string> env = {
        "TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER),
        "TUNECAP_MODELS=" + (temp / "no-models").string(),
        "TMPDIR=" + (temp / "tmp").string(),
        "FAKE_LLAMA_KEYS_FILE=" + (temp / "keys.txt").string(),
        "FAKE_LLAMA_COUNTER_FILE=" + (temp / "starts.txt").string(),
        "FAKE_LLAMA_PROC_DIR=" + (temp / "proc").string(),
        "FAKE_LLAMA_FAULT=slow_reply:50",
        "FAKE_LLAMA_IDLE_EXIT_S=60",
        // The user's own keys: for other tools, never for the servers tunecap starts.
        "OPENAI_API_KEY=" + std::string(kUserKey),
        "SOME_SERVICE_TOKEN=" + std::string(kUserToken)};
    std::string command = "exec env";
    for (const auto& e : env) command += " " + shell_quote(e);
    command += " " + shell_quote(TUNECAP_BINARY) + " run " + shell_quote(music.string()) + " --config " +
               shell_quote((temp / "config.yaml").string()) + " --out " + shell_quote(out.string()) + " --verbose >" +
               shell_quote((temp / "stdout.txt").string()) + " 2>" + shell_quote((temp / "stderr.txt").string());
    auto run = server::ChildProcess::spawn({"/bin/sh", {"-c", command}, temp / "sh.log", std::nullopt});
    ASSERT_TRUE(run.ok()) << run.error().message;

    // While it runs: the command line and environment of tunecap, and the store's write-ahead log,
    // checked against the keys known so far.
    std::map<pid_t, std::string> process_text;  // /proc/PID/cmdline + environ, the last read
    std::vector<std::string> leaks;
    std::optional<int> status;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (!(status = run->poll()) && std::chrono::steady_clock::now() < deadline) {
        const fs::path proc = "/proc/" + std::to_string(run->pid());
        const auto seen = read_bytes(proc / "cmdline") + "\n" + read_bytes(proc / "environ");
        if (seen.size() > 1) process_text[run->pid()] = seen;
        const auto keys = lines_of(temp / "keys.txt");
        for (const auto& key : keys_in(read_bytes(out / "tunecap.db-wal"), keys)) leaks.push_back("tunecap.db-wal: " + key);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!status) run->kill_now();
    ASSERT_EQ(status, 0) << read_bytes(temp / "stderr.txt");

    const auto keys = lines_of(temp / "keys.txt");
    ASSERT_GE(keys.size(), 5u) << "one key per server start";
    for (const auto& key : keys) EXPECT_GE(key.size(), 32u);
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size()) << "a new key for each start";
    EXPECT_THAT(leaks, ::testing::IsEmpty());

    // tunecap itself was seen running, and each server start left its /proc entries; the servers
    // were given only what they need, and the variables the config names for them.
    ASSERT_TRUE(process_text.contains(run->pid())) << "tunecap was never seen in /proc";
    for (const auto& line : lines_of(temp / "starts.txt")) {
        const auto pid = nlohmann::json::parse(line)["pid"].get<pid_t>();
        const auto copy = temp / "proc" / std::to_string(pid);
        process_text[pid] = read_bytes(copy.string() + ".cmdline") + "\n" + read_bytes(copy.string() + ".environ");
        EXPECT_GT(process_text[pid].size(), 1u) << "no /proc copy from server " << pid;
    }
    ASSERT_GE(process_text.size(), 6u);
    for (const auto& [pid, text] : process_text) {
        EXPECT_THAT(keys_in(text, keys), ::testing::IsEmpty()) << "/proc/" << pid << ": " << text.substr(0, 300);
        if (pid == run->pid()) continue;
        EXPECT_THAT(keys_in(text, {kUserKey, kUserToken}), ::testing::IsEmpty()) << "/proc/" << pid;
        EXPECT_THAT(text, ::testing::HasSubstr("FAKE_LLAMA_KEYS_FILE=")) << "/proc/" << pid;
    }
    // What it printed.
    EXPECT_THAT(keys_in(read_bytes(temp / "stdout.txt"), keys), ::testing::IsEmpty()) << "stdout";
    EXPECT_THAT(keys_in(read_bytes(temp / "stderr.txt"), keys), ::testing::IsEmpty()) << "stderr";
    // Every file it wrote: results.json, the track JSON, the store (database, WAL), the logs.
    std::set<std::string> written;
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
        if (!entry.is_regular_file()) continue;
        written.insert(fs::relative(entry.path(), out).begin()->string());
        EXPECT_THAT(keys_in(read_bytes(entry.path()), keys), ::testing::IsEmpty()) << entry.path();
    }
    EXPECT_THAT(written, ::testing::IsSupersetOf({"results.json", "tracks", "tunecap.db", "logs"}));
    std::size_t server_logs = 0;
    for (const auto& entry : fs::directory_iterator(out / "logs")) server_logs += entry.is_regular_file();
    EXPECT_GE(server_logs, 5u);
    // The key files themselves are gone with their servers.
    for (const auto& entry : fs::recursive_directory_iterator(temp / "tmp")) {
        EXPECT_THAT(keys_in(read_bytes(entry.path()), keys), ::testing::IsEmpty()) << entry.path() << " left behind";
    }
}

}  // namespace
}  // namespace tunecap::testing
