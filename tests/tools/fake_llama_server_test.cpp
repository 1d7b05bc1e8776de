// SPDX-License-Identifier: GPL-3.0-or-later
// The fake llama-server behaves like the recordings in tests/data/transcripts where
// tunecap depends on it: start-up (503 then 200), /props, chat completions (plain and streamed),
// audio cost and prefix reuse, context overflow, the API key, faults, and signals.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gpu.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string wav_base64(double seconds, int rate = 16000) {
    const auto frames = static_cast<std::uint32_t>(seconds * rate);
    std::string bytes = "RIFF";
    const auto u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes += static_cast<char>((v >> (8 * i)) & 0xFF);
    };
    const auto u16 = [&](std::uint16_t v) {
        bytes += static_cast<char>(v & 0xFF);
        bytes += static_cast<char>(v >> 8);
    };
    u32(36 + frames * 2);
    bytes += "WAVEfmt ";
    u32(16);
    u16(1);  // PCM
    u16(1);  // mono
    u32(static_cast<std::uint32_t>(rate));
    u32(static_cast<std::uint32_t>(rate) * 2);
    u16(2);
    u16(16);
    bytes += "data";
    u32(frames * 2);
    bytes.append(frames * 2, '\0');
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
    while (out.size() % 4 != 0) out += '=';
    return out;
}

// A temp folder per test.
class Scratch {
public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "fake-llama-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        m_path = pattern;
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    fs::path operator/(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

// One fake-llama-server child on an OS-chosen port (--port 0, reported through FAKE_LLAMA_PORT_FILE),
// its output in a log file; killed when the test ends.
class FakeServer {
public:
    FakeServer(const Scratch& scratch, std::vector<std::string> args, const std::vector<std::string>& env = {})
        : m_log(scratch / ("server-" + std::to_string(++s_count) + ".log")), m_port_file(scratch / ("port-" + std::to_string(s_count))) {
        // The test's own values first, then the defaults, then the inherited environment: getenv
        // takes the first of duplicates, so a test's FAKE_LLAMA_LOAD_MS beats the default here.
        std::vector<std::string> environment = env;
        environment.insert(environment.end(), {"FAKE_LLAMA_PORT_FILE=" + m_port_file.string(), "FAKE_LLAMA_IDLE_EXIT_S=60",
                                               "FAKE_LLAMA_LOAD_MS=20"});
        for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
        args.insert(args.begin(), FAKE_LLAMA_SERVER);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (auto& e : environment) envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, m_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        if (posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) m_pid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~FakeServer() {
        if (m_pid > 0 && !m_exit) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    // The bound port, once the child wrote it; nullopt if it exited first.
    // Deadlines here are far above what a start or an exit takes (well under a second), so only a
    // broken fake reaches them.
    std::optional<int> port(std::chrono::milliseconds deadline = 60s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < until) {
            const auto text = read_text(m_port_file);
            if (!text.empty()) return std::stoi(text);
            if (exited()) return std::nullopt;
            std::this_thread::sleep_for(5ms);
        }
        return std::nullopt;
    }

    httplib::Client client() {
        httplib::Client cli("127.0.0.1", port().value_or(1));
        cli.set_connection_timeout(2s);
        cli.set_read_timeout(10s);
        return cli;
    }

    // Polls /health like tunecap's supervisor; false when the child exits or the deadline passes.
    bool wait_healthy(std::chrono::milliseconds deadline = 60s) {
        if (!port()) return false;
        auto cli = client();
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < until && !exited()) {
            if (auto res = cli.Get("/health"); res && res->status == 200) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    bool exited() {
        if (m_exit) return true;
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) m_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return m_exit.has_value();
    }

    std::optional<int> wait_exit(std::chrono::milliseconds deadline = 30s) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (!exited() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
        return m_exit;
    }

    void signal(int sig) const { ::kill(m_pid, sig); }
    std::string log() const { return read_text(m_log); }

private:
    static inline int s_count = 0;
    fs::path m_log;
    fs::path m_port_file;
    pid_t m_pid = -1;
    std::optional<int> m_exit;
};

class FakeLlamaServer : public ::testing::Test {
protected:
    void TearDown() override {
        if (!HasFailure()) return;
        for (const auto* server : m_servers) std::cerr << "---- fake-llama-server log ----\n" << server->log() << "\n";
    }
    FakeServer& start(std::vector<std::string> extra_args = {}, const std::vector<std::string>& env = {}) {
        std::vector<std::string> args = {"-m", m_model.string(), "--host", "127.0.0.1", "--port", "0", "--jinja"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        m_owned.push_back(std::make_unique<FakeServer>(m_scratch, args, env));
        m_servers.push_back(m_owned.back().get());
        return *m_owned.back();
    }
    fs::path file(const std::string& name, const std::string& content) {
        const auto path = m_scratch / name;
        std::ofstream(path) << content;
        return path;
    }

    Scratch m_scratch;
    fs::path m_model = file("model.gguf", "GGUF");
    fs::path m_mmproj = file("mmproj.gguf", "GGUF");
    std::vector<std::unique_ptr<FakeServer>> m_owned;
    std::vector<const FakeServer*> m_servers;
};

json chat(httplib::Client& cli, const json& body, const httplib::Headers& headers = {}) {
    auto res = cli.Post("/v1/chat/completions", headers, body.dump(), "application/json");
    if (!res) return json{{"transport_error", httplib::to_string(res.error())}};
    auto out = json::parse(res->body, nullptr, false);
    out["http_status"] = res->status;
    return out;
}

TEST_F(FakeLlamaServer, AnswersLoadingModelUntilLoadedThenHealthy) {
    // The port is written before loading starts; two seconds of loading leave ample time to ask.
    auto& server = start({}, {"FAKE_LLAMA_LOAD_MS=2000"});
    ASSERT_TRUE(server.port());
    auto cli = server.client();
    auto loading = cli.Get("/health");
    ASSERT_TRUE(loading);
    EXPECT_EQ(loading->status, 503);
    EXPECT_EQ(loading->get_header_value("Connection"), "close");
    EXPECT_EQ(loading->body, R"({"error":{"message":"Loading model","type":"unavailable_error","code":503}})");
    ASSERT_TRUE(server.wait_healthy());
    auto ready = cli.Get("/health");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->body, R"({"status":"ok"})");
    EXPECT_EQ(ready->get_header_value("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(FakeLlamaServer, PropsReportPerSlotContextAudioAndARandomMediaMarker) {
    const auto argv_file = m_scratch / "argv.txt";
    auto& server = start({"--mmproj", m_mmproj.string(), "-c", "8192", "-np", "2", "--alias", "flamingo", "-fa", "on", "--no-webui"},
                         {"FAKE_LLAMA_ARGV_FILE=" + argv_file.string()});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const auto props = json::parse(cli.Get("/props")->body);
    EXPECT_EQ(props["default_generation_settings"]["n_ctx"], 4096);
    EXPECT_EQ(props["total_slots"], 2);
    EXPECT_EQ(props["modalities"]["audio"], true);
    EXPECT_EQ(props["model_alias"], "flamingo");
    const auto marker = props["media_marker"].get<std::string>();
    ASSERT_EQ(marker.size(), 9u + 32 + 3) << marker;
    EXPECT_EQ(marker.substr(0, 9), "<__media_");
    EXPECT_EQ(marker.substr(41), "__>");
    EXPECT_TRUE(std::all_of(marker.begin() + 9, marker.begin() + 41, [](unsigned char c) { return std::isalnum(c) != 0; }));
    EXPECT_TRUE(props["chat_template"].is_string());
    EXPECT_TRUE(props["build_info"].is_string());
    EXPECT_NE(read_text(argv_file).find("-np\n2\n"), std::string::npos);
}

TEST_F(FakeLlamaServer, ChatCompletionIsDeterministicPerSeedAndPrompt) {
    auto& server = start({"-c", "4096", "-np", "1"});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const json request = {{"messages", {{{"role", "user"}, {"content", "Describe this track."}}}}, {"max_tokens", 200}, {"seed", 7}};
    const auto first = chat(cli, request);
    ASSERT_EQ(first["http_status"], 200) << first.dump();
    const auto& choice = first["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_FALSE(choice["message"]["content"].get<std::string>().empty());
    EXPECT_EQ(first["object"], "chat.completion");
    const auto& usage = first["usage"];
    EXPECT_EQ(usage["total_tokens"], usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
    EXPECT_EQ(first["timings"]["predicted_n"], usage["completion_tokens"]);
    EXPECT_EQ(chat(cli, request)["choices"][0]["message"]["content"], choice["message"]["content"]);
    auto other = request;
    other["messages"][0]["content"] = "Describe this other track.";
    EXPECT_NE(chat(cli, other)["choices"][0]["message"]["content"], choice["message"]["content"]);
    auto short_one = request;
    short_one["max_tokens"] = 3;
    const auto cut = chat(cli, short_one);
    EXPECT_EQ(cut["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(cut["usage"]["completion_tokens"], 3);
}

TEST_F(FakeLlamaServer, StreamSendsRoleDeltaContentFinishUsageAndDone) {
    auto& server = start();
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const json request = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 4}, {"stream", true},
                          {"stream_options", {{"include_usage", true}}}};
    auto res = cli.Post("/v1/chat/completions", request.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
    std::vector<std::string> events;
    for (std::size_t at = 0; at < res->body.size();) {
        const auto end = res->body.find("\n\n", at);
        if (end == std::string::npos) break;
        const auto event = res->body.substr(at, end - at);
        if (event.rfind("data: ", 0) == 0) events.push_back(event.substr(6));
        at = end + 2;
    }
    ASSERT_EQ(events.size(), 1u + 4 + 1 + 1 + 1);
    const auto role = json::parse(events.front());
    EXPECT_EQ(role["choices"][0]["delta"], (json{{"role", "assistant"}, {"content", nullptr}}));
    EXPECT_EQ(json::parse(events[5])["choices"][0]["finish_reason"], "length");
    const auto usage = json::parse(events[6]);
    EXPECT_TRUE(usage["choices"].empty());
    EXPECT_EQ(usage["usage"]["completion_tokens"], 4);
    EXPECT_EQ(events.back(), "[DONE]");
}

TEST_F(FakeLlamaServer, AudioCostsWindowsAndItsPrefixIsReusedOnTheSameSlot) {
    const auto requests = m_scratch / "requests.jsonl";
    auto& server = start({"--mmproj", m_mmproj.string(), "-c", "8192", "-np", "2"}, {"FAKE_LLAMA_REQUEST_LOG=" + requests.string()});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const auto audio = wav_base64(20);
    const auto ask = [&](const std::string& text) {
        const json part_audio = {{"type", "input_audio"}, {"input_audio", {{"data", audio}, {"format", "wav"}}}};
        const json part_text = {{"type", "text"}, {"text", text}};
        return chat(cli, {{"messages", {{{"role", "user"}, {"content", {part_audio, part_text}}}}}, {"id_slot", 0}, {"cache_prompt", true}, {"max_tokens", 16}});
    };
    const auto first = ask("Describe the mood.");
    ASSERT_EQ(first["http_status"], 200) << first.dump();
    EXPECT_GT(first["usage"]["prompt_tokens"].get<int>(), 750);
    EXPECT_EQ(first["timings"]["cache_n"], 0);
    const auto second = ask("Describe the instruments.");
    EXPECT_GT(second["timings"]["cache_n"].get<int>(), 750);  // the audio prefix
    EXPECT_LT(second["timings"]["prompt_n"].get<int>(), 10);
    // 30.0 s costs two windows (padding), 29.9 s one.
    const auto cost = [&](double seconds) {
        const json part = {{"type", "input_audio"}, {"input_audio", {{"data", wav_base64(seconds)}, {"format", "wav"}}}};
        return chat(cli, {{"messages", {{{"role", "user"}, {"content", {part}}}}}, {"max_tokens", 1}, {"cache_prompt", false}})["usage"]["prompt_tokens"].get<int>();
    };
    EXPECT_EQ(cost(30.0) - cost(29.9), 750);
    const auto log = read_text(requests);
    EXPECT_NE(log.find("\"has_audio\":true"), std::string::npos);
    EXPECT_NE(log.find("\"audio_tokens\":1500"), std::string::npos);
}

TEST_F(FakeLlamaServer, ThinkStyleSplitsReasoningUnlessThinkingIsOff) {
    auto& server = start({}, {"FAKE_LLAMA_STYLE=think"});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const json messages = {{{"role", "user"}, {"content", "Caption this track."}}};
    const auto thinking = chat(cli, {{"messages", messages}});
    EXPECT_FALSE(thinking["choices"][0]["message"]["reasoning_content"].get<std::string>().empty());
    EXPECT_EQ(thinking["choices"][0]["message"]["content"].get<std::string>().find("<think>"), std::string::npos);
    const auto raw = chat(cli, {{"messages", messages}, {"reasoning_format", "none"}});
    EXPECT_EQ(raw["choices"][0]["message"]["content"].get<std::string>().rfind("<think>\n", 0), 0u);
    const auto off = chat(cli, {{"messages", messages}, {"chat_template_kwargs", {{"enable_thinking", false}}}});
    EXPECT_FALSE(off["choices"][0]["message"].contains("reasoning_content"));
    EXPECT_EQ(off["choices"][0]["message"]["content"].get<std::string>().find("think>"), std::string::npos);
}

TEST_F(FakeLlamaServer, RequestsBeyondTheSlotsWaitForOne) {
    // 20 tokens at 100 tokens/s hold the only slot for 200 ms.
    auto& server = start({"-np", "1"}, {"FAKE_LLAMA_DECODE_TPS=100"});
    ASSERT_TRUE(server.wait_healthy());
    const json request = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 20}, {"ignore_eos", true}};
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    std::vector<json> answers(2);
    for (std::size_t i = 0; i < answers.size(); ++i) {
        clients.emplace_back([&, i] {
            auto cli = server.client();
            answers[i] = chat(cli, request);
        });
    }
    for (auto& client : clients) client.join();
    EXPECT_GE(std::chrono::steady_clock::now() - started, 390ms);
    for (const auto& answer : answers) {
        EXPECT_EQ(answer["http_status"], 200);
        EXPECT_EQ(answer["timings"]["predicted_ms"], 200.0);  // model time, whatever the wait
    }
}

// Each of `servers` answers one request of `tokens` generated tokens, all at once; the model time
// (timings.predicted_ms) each took, in the order of the servers.
std::vector<double> decode_together(const std::vector<FakeServer*>& servers, int tokens) {
    const json request = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", tokens}, {"ignore_eos", true}};
    std::vector<json> answers(servers.size());
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        clients.emplace_back([&, i] {
            auto cli = servers[i]->client();
            answers[i] = chat(cli, request);
        });
    }
    for (auto& client : clients) client.join();
    std::vector<double> out;
    for (const auto& answer : answers) out.push_back(answer.contains("timings") ? answer["timings"]["predicted_ms"].get<double>() : -1.0);
    return out;
}

TEST_F(FakeLlamaServer, ServersSharingAGpuShareItsComputeButNotTheirCpuSide) {
    // 100 tokens at 100 tokens/s: 1 s of model time alone, all of it GPU compute.
    const auto gpu = (m_scratch / "gpu").string();
    const std::vector<std::string> compute = {"FAKE_LLAMA_DECODE_TPS=100", "FAKE_LLAMA_GPU=" + gpu};
    auto& a = start({"-np", "1"}, compute);
    auto& b = start({"-np", "1"}, compute);
    auto& elsewhere = start({"-np", "1"}, {"FAKE_LLAMA_DECODE_TPS=100", "FAKE_LLAMA_GPU=" + (m_scratch / "gpu2").string()});
    ASSERT_TRUE(a.wait_healthy() && b.wait_healthy() && elsewhere.wait_healthy());
    const auto alone = decode_together({&a}, 100);
    EXPECT_NEAR(alone[0], 1000, 1);
    // Two servers on one GPU: twice as long each. One on another GPU: not slowed.
    const auto shared = decode_together({&a, &b}, 100);
    EXPECT_GT(shared[0], 1700);
    EXPECT_GT(shared[1], 1700);
    EXPECT_LT(shared[0] + shared[1], 4200);
    const auto apart = decode_together({&a, &elsewhere}, 100);
    EXPECT_NEAR(apart[0], 1000, 1);
    EXPECT_NEAR(apart[1], 1000, 1);
    // The file totals the GPU's busy time: 1 s, then 2 x 1 s, then 1 s (model time; the tiny
    // prompts' prefill is a few milliseconds).
    const auto totals = tunecap::fake_llama_server::read_gpu_totals(gpu);
    ASSERT_TRUE(totals.has_value());
    EXPECT_NEAR(totals->busy_seconds, 4.0, 0.05);
    // 400 tokens, each a step of its own server's one stream.
    EXPECT_EQ(totals->decode_tokens, 400);
    EXPECT_NEAR(totals->streams_per_step(), 1.0, 1e-9);

    // Half of each step on the CPU: two servers fill the GPU exactly, neither is slowed.
    const std::vector<std::string> half = {"FAKE_LLAMA_DECODE_TPS=100", "FAKE_LLAMA_HOST_MS=5", "FAKE_LLAMA_GPU=" + (m_scratch / "gpu3").string()};
    auto& c = start({"-np", "1"}, half);
    auto& d = start({"-np", "1"}, half);
    ASSERT_TRUE(c.wait_healthy() && d.wait_healthy());
    const auto overlapped = decode_together({&c, &d}, 100);
    EXPECT_NEAR(overlapped[0], 1000, 1);
    EXPECT_NEAR(overlapped[1], 1000, 1);
}

TEST_F(FakeLlamaServer, DecodeStepsGrowPerStream) {
    // A step of n slots: 10 ms + (n - 1) x 5 ms; 2 slots: 15 ms a token each.
    const auto gpu = (m_scratch / "gpu").string();
    auto& server = start({"-np", "2"}, {"FAKE_LLAMA_DECODE_TPS=100", "FAKE_LLAMA_DECODE_STREAM_MS=5", "FAKE_LLAMA_GPU=" + gpu});
    ASSERT_TRUE(server.wait_healthy());
    const auto both = decode_together({&server, &server}, 100);
    // The first and last tokens of one may run alone (10 ms), the rest at 15 ms.
    EXPECT_GT(both[0], 1400);
    EXPECT_LT(both[0], 1510);
    EXPECT_GT(both[1], 1400);
    EXPECT_LT(both[1], 1510);
    // The GPU file counts the steps: 200 tokens in about 100 steps of two streams.
    const auto totals = tunecap::fake_llama_server::read_gpu_totals(gpu);
    ASSERT_TRUE(totals.has_value());
    EXPECT_EQ(totals->decode_tokens, 200);
    EXPECT_GT(totals->streams_per_step(), 1.9);
    EXPECT_LE(totals->streams_per_step(), 2.0);
}

TEST_F(FakeLlamaServer, PrefillSlowsWhileAnotherSlotDecodes) {
    auto& server = start({"-np", "2"}, {"FAKE_LLAMA_DECODE_TPS=100", "FAKE_LLAMA_PREFILL_TPS=20000", "FAKE_LLAMA_PREFILL_BUSY_TPS=2000"});
    ASSERT_TRUE(server.wait_healthy());
    std::string words;
    for (int i = 0; i < 1000; ++i) words += "word ";
    const json prompt = {{"messages", {{{"role", "user"}, {"content", words}}}}, {"max_tokens", 1}};
    auto cli = server.client();
    const auto alone = chat(cli, prompt);
    const double tokens = alone["timings"]["prompt_n"].get<double>();
    ASSERT_GT(tokens, 500);
    EXPECT_NEAR(alone["timings"]["prompt_ms"].get<double>(), tokens / 20.0, 1);
    // The same prompt (uncached: another slot) while a 2 s generation decodes.
    std::thread decoding([&] { decode_together({&server}, 200); });
    std::this_thread::sleep_for(300ms);
    auto busy_prompt = prompt;
    busy_prompt["cache_prompt"] = false;
    const auto busy = chat(cli, busy_prompt);
    decoding.join();
    EXPECT_NEAR(busy["timings"]["prompt_ms"].get<double>(), tokens / 2.0, 1);
}

TEST_F(FakeLlamaServer, OverflowIsExceedContextSizeErrorWithTheCounts) {
    auto& server = start({"-c", "512", "-np", "1"});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    std::string prompt = "hello";
    for (int i = 1; i < 1000; ++i) prompt += " hello";  // 1000 tokens, as "hello" x 3000 was 3000 in s1-11
    auto res = cli.Post("/completion", json{{"prompt", prompt}}.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(res->body, R"({"error":{"code":400,"message":"request (1000 tokens) exceeds the available context size (512 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":1000,"n_ctx":512}})");
    const auto no_messages = chat(cli, {{"max_tokens", 8}});
    EXPECT_EQ(no_messages["http_status"], 400);
    EXPECT_EQ(no_messages["error"]["message"], "'messages' is required");
    auto bad_json = cli.Post("/v1/chat/completions", R"({"messages":[],,})", "application/json");
    EXPECT_EQ(bad_json->status, 500);
    EXPECT_NE(bad_json->body.find("[json.exception.parse_error.101]"), std::string::npos);
}

TEST_F(FakeLlamaServer, ApiKeyGuardsEverythingButHealthAndIsNeverLogged) {
    const std::string key = "k3y-that-must-not-leak";
    const auto key_file = file("key.txt", key + "\n");
    const auto requests = m_scratch / "requests.jsonl";
    auto& server = start({"--api-key-file", key_file.string(), "--log-file", (m_scratch / "server-file.log").string()},
                         {"FAKE_LLAMA_REQUEST_LOG=" + requests.string()});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    auto refused = cli.Get("/props");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
    EXPECT_EQ(refused->body, R"({"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}})");
    EXPECT_EQ(cli.Get("/props", {{"Authorization", "Bearer " + key}})->status, 200);
    const auto answer = chat(cli, {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 4}}, {{"Authorization", "Bearer " + key}});
    EXPECT_EQ(answer["http_status"], 200);
    EXPECT_NE(read_text(requests).find("\"authorization\":true"), std::string::npos);
    for (const auto& text : {server.log(), read_text(m_scratch / "server-file.log"), read_text(requests)}) {
        EXPECT_FALSE(text.empty()) << "nothing written, nothing checked";
        EXPECT_EQ(text.find(key), std::string::npos);
    }
}

TEST_F(FakeLlamaServer, DieAfterOneKillsTheProcessDuringTheSecondRequest) {
    auto& server = start({}, {"FAKE_LLAMA_FAULT=die_after:1"});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const json request = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 8}};
    EXPECT_EQ(chat(cli, request)["http_status"], 200);
    EXPECT_TRUE(chat(cli, request).contains("transport_error"));
    EXPECT_EQ(server.wait_exit(), 1);
}

TEST_F(FakeLlamaServer, HangAfterOneLeavesTheSecondRequestUnansweredWhileHealthStaysOk) {
    auto& server = start({}, {"FAKE_LLAMA_FAULT=hang_after:1"});
    ASSERT_TRUE(server.wait_healthy());
    auto cli = server.client();
    const json request = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 8}};
    EXPECT_EQ(chat(cli, request)["http_status"], 200);
    cli.set_read_timeout(1s);
    EXPECT_EQ(chat(cli, request).value("transport_error", ""), "Read");  // no answer in 1 s
    EXPECT_EQ(cli.Get("/health")->status, 200);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
    EXPECT_NE(server.log().find("FAKE_LLAMA_FAULT hang_after:1 - request 2 hangs"), std::string::npos) << server.log();
}

TEST_F(FakeLlamaServer, SigtermExitsZeroPromptly) {
    auto& server = start();
    ASSERT_TRUE(server.wait_healthy());
    const auto sent = std::chrono::steady_clock::now();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
    // It waits 150 ms for its workers; an idle keep-alive connection would have held one for 5 s.
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 4s);
}

TEST_F(FakeLlamaServer, IgnoreSigtermSurvivesSigtermUntilSigkill) {
    auto& server = start({}, {"FAKE_LLAMA_FAULT=ignore_sigterm"});
    ASSERT_TRUE(server.wait_healthy());
    server.signal(SIGTERM);
    EXPECT_FALSE(server.wait_exit(300ms));
    server.signal(SIGKILL);
    EXPECT_EQ(server.wait_exit(), 128 + SIGKILL);
}

TEST_F(FakeLlamaServer, BindFailurePrintsTheRealLineAndPortTakenOnceLetsTheRetryWork) {
    auto& first = start();
    ASSERT_TRUE(first.wait_healthy());
    auto& clash = start({"--port", std::to_string(*first.port())});
    EXPECT_EQ(clash.wait_exit(), 1);
    EXPECT_NE(clash.log().find("couldn't bind HTTP server socket, hostname: 127.0.0.1, port: " + std::to_string(*first.port())), std::string::npos);

    const std::vector<std::string> once = {"FAKE_LLAMA_FAULT=port_taken_once", "FAKE_LLAMA_STATE_DIR=" + (m_scratch / "").string()};
    auto& taken = start({}, once);
    EXPECT_EQ(taken.wait_exit(), 1);
    EXPECT_NE(taken.log().find("couldn't bind HTTP server socket"), std::string::npos);
    EXPECT_TRUE(start({}, once).wait_healthy());
}

// -hf and -mmu load files from llama-server's cache, laid out as the hub cache; nothing cached
// fails as a download without a network does, before the port is bound.
TEST_F(FakeLlamaServer, HfLoadsFromTheCacheAndFailsLikeAFailedDownloadWhenNotThere) {
    const auto cache = m_scratch / "cache";
    const auto snapshot = cache / "models--o--r" / "snapshots" / "abc";
    fs::create_directories(snapshot);
    fs::create_directories(cache / "models--o--r" / "refs");
    std::ofstream(cache / "models--o--r" / "refs" / "main") << "abc";
    std::ofstream(snapshot / "r-Q8_0.gguf") << "GGUF";
    std::ofstream(snapshot / "mmproj-r-f16.gguf") << "GGUF";
    std::ofstream(cache / "other-mmproj.gguf") << "GGUF";
    const std::vector<std::string> common = {"--host", "127.0.0.1", "--port", "0"};
    const std::vector<std::string> env = {"LLAMA_CACHE=" + cache.string()};
    auto props_of = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        m_owned.push_back(std::make_unique<FakeServer>(m_scratch, args, env));
        m_servers.push_back(m_owned.back().get());
        if (!m_owned.back()->wait_healthy()) return json();
        auto cli = m_owned.back()->client();
        return json::parse(cli.Get("/props")->body);
    };
    auto props = props_of({"-hf", "o/r:q8_0"});
    EXPECT_EQ(props["model_path"], (snapshot / "r-Q8_0.gguf").string());
    EXPECT_EQ(props["modalities"]["audio"], true);  // the repo's projector came with it
    EXPECT_EQ(props_of({"-hf", "o/r:Q8_0", "--no-mmproj"})["modalities"]["audio"], false);
    EXPECT_EQ(props_of({"-hf", "o/r:Q8_0", "-mmu", "https://huggingface.co/p/q/resolve/main/other-mmproj.gguf"})["modalities"]["audio"], true);

    for (const auto& args : {std::vector<std::string>{"-hf", "o/r:Q4_K_M"}, std::vector<std::string>{"-hf", "o/absent"},
                             std::vector<std::string>{"-hf", "o/r:Q8_0", "-mmu", "https://x/absent-mmproj.gguf"}}) {
        auto all = args;
        all.insert(all.end(), common.begin(), common.end());
        m_owned.push_back(std::make_unique<FakeServer>(m_scratch, all, env));
        m_servers.push_back(m_owned.back().get());
        EXPECT_EQ(m_owned.back()->wait_exit(), 1) << args[1];
        EXPECT_NE(m_owned.back()->log().find("error: failed to download"), std::string::npos) << m_owned.back()->log();
    }
}

TEST_F(FakeLlamaServer, UnknownFlagOrMissingModelExitsOne) {
    auto& unknown = start({"--frobnicate"});
    EXPECT_EQ(unknown.wait_exit(), 1);
    EXPECT_NE(unknown.log().find("error: invalid argument: --frobnicate"), std::string::npos);
    m_model = m_scratch / "missing.gguf";
    auto& missing = start();
    EXPECT_EQ(missing.wait_exit(), 1);
    EXPECT_NE(missing.log().find("exiting due to model loading error"), std::string::npos);
}

}  // namespace
