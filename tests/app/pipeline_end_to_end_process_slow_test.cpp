// SPDX-License-Identifier: GPL-3.0-or-later
// The whole default graph through the built tunecap and the fake llama-server: step counts, model
// loads, resume after SIGKILL, re-running only what a changed prompt touches, a server crash, a full
// disk and two runs on one output folder.

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "run_binary.hpp"
#include "server/child_process.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"
#include "wait_for.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::size_t kTracks = 5;
constexpr std::size_t kStepsPerTrack = 55 + 2;  // sent to a model: the benchmark's and the wrong-hint probes
constexpr std::size_t kFactsSteps = 1;      // the facts phase: computed by tunecap, no request
constexpr std::size_t kAllSteps = kStepsPerTrack + kFactsSteps;

std::size_t count_lines(const fs::path& file) {
    std::ifstream in(file);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) lines += !line.empty();
    return lines;
}

class PipelineEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(m_music);
        for (std::size_t i = 1; i <= kTracks; ++i) {
            run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=" + std::to_string(200 * i) +
                     ":duration=" + std::to_string(2 + i) + " -ac 1 -ar 22050 " +
                     shell_quote((m_music / ("t" + std::to_string(i) + ".flac")).string()));
        }
        write_config("");
        m_env = {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "TUNECAP_MODELS=" + (m_temp / "no-models").string(),
                 "FAKE_LLAMA_COUNTER_FILE=" + (m_temp / "starts.txt").string(),
                 "FAKE_LLAMA_REQUEST_LOG=" + (m_temp / "requests.jsonl").string(),
                 "FAKE_LLAMA_STATE_DIR=" + m_temp.path().string(), "FAKE_LLAMA_IDLE_EXIT_S=60"};
    }

    // Every model of the default graph served by the tiny GGUF files (the fake only checks that
    // they are readable); `extra` is appended, `runtime` goes under runtime:.
    void write_config(const std::string& extra, const std::string& runtime = "") {
        const std::string text = m_models.model.string();
        const std::string audio = "{gguf: " + text + ", mmproj: " + m_models.projector.string() + "}";
        std::ofstream out(m_config);
        // The fake reads its settings and faults from FAKE_LLAMA_* variables, which a managed server
        // gets only when the config names them.
        // One model at a time unless a test says otherwise: these tests count slots, loads and
        // requests in flight as model-major runs have them (tiny models would otherwise all load
        // side by side, placement.hpp).
        out << "runtime:\n  server_env: [FAKE_LLAMA_*]\n" << (runtime.find("side_by_side") == std::string::npos ? "  side_by_side: false\n" : "") << runtime
            << "models:\n"
            << "  music_flamingo: " << audio << "\n"
            << "  qwen_omni: " << audio << "\n"
            << "  qwen3_14b: {gguf: " << text << "}\n"
            << "  gpt_oss_20b: {gguf: " << text << "}\n"
            << "  granite_tiny: {gguf: " << text << "}\n"
            << extra;
    }

    Outcome run(const std::vector<std::string>& extra_env = {}, const std::vector<std::string>& extra_args = {}) {
        auto env = m_env;
        env.insert(env.end(), extra_env.begin(), extra_env.end());
        std::vector<std::string> args = {"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string()};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return run_tunecap(args, m_temp.path(), env);
    }

    // tunecap run in the background, as its own process (a shell execs into it), with a fault.
    core::Result<server::ChildProcess> spawn_run(const std::string& fault, const fs::path& output) {
        std::string command = "exec env";
        for (const auto& e : m_env) command += " " + shell_quote(e);
        command += " FAKE_LLAMA_FAULT=" + fault + " " + shell_quote(TUNECAP_BINARY) + " run " + shell_quote(m_music.string()) +
                   " --config " + shell_quote(m_config.string()) + " --out " + shell_quote(m_out.string());
        return server::ChildProcess::spawn({"/bin/sh", {"-c", command}, output, std::nullopt});
    }

    // caption of every step, by "track/phase/model/prompt"
    std::map<std::string, std::string> captions() const {
        std::map<std::string, std::string> out;
        for (const auto& entry : fs::directory_iterator(m_out / "tracks")) {
            const auto track = json::parse(read_text(entry.path()));
            for (const auto& [phase, p] : track["phases"].items()) {
                for (const auto& [model, m] : p["models"].items()) {
                    for (const auto& [prompt, s] : m["prompts"].items()) {
                        out[track["id"].get<std::string>() + "/" + phase + "/" + model + "/" + prompt] =
                            s.value("status", "") + ": " + s.value("caption", "");
                    }
                }
            }
        }
        return out;
    }

    json results() const { return json::parse(read_text(m_out / "results.json")); }

    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
    fs::path m_config = m_temp / "config.yaml";
    TinyModelFiles m_models = write_tiny_models(m_temp / "models");
    std::vector<std::string> m_env;
};

TEST_F(PipelineEndToEnd, DefaultGraphRunsEveryStepWithFiveModelLoads) {
    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 5u);
    EXPECT_EQ(count_lines(m_temp / "requests.jsonl"), kTracks * kStepsPerTrack);
    const auto all = captions();
    EXPECT_EQ(all.size(), kTracks * kAllSteps);
    for (const auto& [step, caption] : all) {
        EXPECT_THAT(caption, ::testing::StartsWith("done: ")) << step;
        EXPECT_GT(caption.size(), 20u) << step;
    }
    const auto r = results();
    EXPECT_EQ(r["steps"]["executed"], kTracks * kAllSteps);
    ASSERT_EQ(r["model_loads"].size(), 5u);
    std::vector<std::string> order;
    for (const auto& load : r["model_loads"]) order.push_back(load["model"]);
    EXPECT_EQ(order, (std::vector<std::string>{"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"}));

    // One track's audio steps share a slot, audio first, so the server reuses the audio prefix.
    // The tracks last 3, 4, 5, 6 and 7 s, so a clip's length names its track.
    std::map<long, std::set<int>> slots_per_audio;  // by length in ms
    std::size_t cached_audio = 0;
    std::ifstream log(m_temp / "requests.jsonl");
    for (std::string line; std::getline(log, line);) {
        const auto request = json::parse(line);
        if (!request["has_audio"].get<bool>()) continue;
        const auto seconds = request["audio_seconds"][0].get<double>();
        slots_per_audio[std::lround(seconds * 1000)].insert(request["id_slot"].get<int>());
        EXPECT_EQ(request["audio_formats"][0], "mp3");  // the default; gapless: the exact lengths below
    }
    // Every track's whole clip was sent, uncut.
    std::vector<long> lengths;
    for (const auto& [ms, slots] : slots_per_audio) lengths.push_back(ms);
    EXPECT_EQ(lengths, (std::vector<long>{3000, 4000, 5000, 6000, 7000}));
    for (const auto& [ms, slots] : slots_per_audio) EXPECT_LE(slots.size(), 2u) << ms;  // one per model load
    for (const auto& entry : fs::directory_iterator(m_out / "tracks")) {
        const auto track = json::parse(read_text(entry.path()));
        const auto& flamingo = track["phases"]["flamingo_genre"]["models"]["music_flamingo"]["prompts"];
        for (const auto& [prompt, step] : flamingo.items()) cached_audio += step["tokens"]["cached"].get<int>() >= 750;
    }
    EXPECT_EQ(cached_audio, kTracks * 5);  // every genre-hint prompt found its track's audio in the slot cache

    // A second run finds everything in the store and starts no server.
    const auto again = run();
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 5u);
    EXPECT_EQ(results()["steps"]["reused"], kTracks * kAllSteps);
    EXPECT_EQ(captions(), all);
}

TEST_F(PipelineEndToEnd, ModelsSideBySideRunTheGraphAsAPipelineAndSendEachStepOnce) {
    // The default: all five tiny models fit 16 GiB together, so they load side by side and the
    // text models start on a track's captions while other tracks are still being heard.
    write_config("", "  side_by_side: true\n");
    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("stage 1: music_flamingo + qwen_omni + qwen3_14b + gpt_oss_20b + granite_tiny on GPU 0"));
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 5u);  // each model loaded once
    EXPECT_EQ(count_lines(m_temp / "requests.jsonl"), kTracks * kStepsPerTrack);  // each step sent once
    for (const auto& [step, caption] : captions()) EXPECT_THAT(caption, ::testing::StartsWith("done: ")) << step;

    // The first text request (a revision or an ensemble) went out before the last audio request.
    double first_text = 1e300;
    double last_audio = 0;
    std::ifstream log(m_temp / "requests.jsonl");
    for (std::string line; std::getline(log, line);) {
        const auto request = json::parse(line);
        const auto time = request["time"].get<double>();
        if (!request["has_audio"].get<bool>()) {
            first_text = std::min(first_text, time);
            continue;
        }
        last_audio = std::max(last_audio, time);
    }
    EXPECT_LT(first_text, last_audio);
}

TEST_F(PipelineEndToEnd, OneTrackSpreadsOverTheSlotsButEachAudioPhaseKeepsOne) {
    const auto outcome = run_tunecap({"run", (m_music / "t1.flac").string(), "--config", m_config.string(), "--out",
                                      m_out.string()},
                                     m_temp.path(), m_env);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    std::set<int> slots;
    std::map<std::string, std::set<int>> audio_phase_slots;
    std::ifstream log(m_temp / "requests.jsonl");
    for (std::string line; std::getline(log, line);) {
        const auto request = json::parse(line);
        slots.insert(request["id_slot"].get<int>());
        if (!request["has_audio"].get<bool>()) continue;
        const auto prompt = request["prompt"].get<std::string>();
        const std::string phase = std::string(prompt.find("You are Qwen") != std::string::npos ? "omni" : "flamingo") +
                                  // The tracks are untagged: the probe names the list's first genre instead.
                                  (prompt.find("tagged with these genres: Techno") != std::string::npos ? "_wrong_hint"
                                   : prompt.find("tagged with these genres") != std::string::npos    ? "_genre"
                                                                                                     : "") +
                                  (prompt.find("check this caption") != std::string::npos ? "_revision" : "");
        audio_phase_slots[phase].insert(request["id_slot"].get<int>());
    }
    EXPECT_GE(slots.size(), 2u);  // one track no longer leaves the other slots idle
    EXPECT_EQ(audio_phase_slots.size(), 7u);
    for (const auto& [phase, used] : audio_phase_slots) EXPECT_EQ(used.size(), 1u) << phase;
}

TEST_F(PipelineEndToEnd, KilledRunsResumeToTheSameResultsWithoutRepeatingFinishedSteps) {
    ASSERT_EQ(run().exit_code, 0);
    const auto reference = captions();
    fs::remove_all(m_out);
    fs::remove(m_temp / "requests.jsonl");

    // Slow replies so the kills land mid-phase; each kill is a SIGKILL of tunecap alone.
    const std::size_t kill_points[] = {30, 110, 190, 250};
    std::size_t kills = 0;
    for (const auto point : kill_points) {
        auto child = spawn_run("slow_reply:15", m_temp / "killed.log");
        ASSERT_TRUE(child.ok());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (count_lines(m_temp / "requests.jsonl") < point && child->running() &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (!child->running()) break;
        ::kill(child->pid(), SIGKILL);
        child->poll();
        ++kills;
    }
    EXPECT_GE(kills, 3u);
    const auto finish = run();
    ASSERT_EQ(finish.exit_code, 0) << finish.err;
    EXPECT_EQ(captions(), reference);
    // Only the steps in flight at a kill (at most 4 slots) can have been sent twice.
    const auto requests = count_lines(m_temp / "requests.jsonl");
    EXPECT_GE(requests, kTracks * kStepsPerTrack);
    EXPECT_LE(requests, kTracks * kStepsPerTrack + kills * 4);
}

// A small tmpfs mounted for the test: a disk that fills up for real. Needs the right to mount
// (root, as in CI); elsewhere the drill is skipped, saying why.
class SmallDisk {
public:
    SmallDisk(const fs::path& at, const std::string& size) : m_at(at) {
        fs::create_directories(at);
        m_mounted = ::mount("tunecap-drill", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    }
    ~SmallDisk() {
        if (m_mounted) ::umount2(m_at.c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return m_mounted; }
    bool grow(const std::string& size) {
        return ::mount("tunecap-drill", m_at.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
    }

private:
    fs::path m_at;
    bool m_mounted = false;
};

std::size_t stored_steps(const fs::path& db) {
    auto store = store::Store::open(db);
    if (!store) throw std::runtime_error(store.error().message);
    return (*store)->all_steps().size();
}

TEST_F(PipelineEndToEnd, AFullDiskStopsTheRunWithFinishedStepsKeptAndTheNextRunResumes) {
    SmallDisk disk(m_temp / "disk", "320k");
    if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
    m_out = m_temp / "disk" / "out";

    const auto full = run();
    EXPECT_EQ(full.exit_code, 1) << full.err;
    EXPECT_THAT(full.err, HasSubstr("tunecap.db"));
    EXPECT_THAT(full.out, HasSubstr("stopped: a result could not be stored"));
    // Failed writes leave no temporary files behind.
    for (const auto& entry : fs::recursive_directory_iterator(m_out)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
    }

    ASSERT_TRUE(disk.grow("64m"));
    const auto stored = stored_steps(m_out / "tunecap.db");
    EXPECT_GT(stored, 0u);
    EXPECT_LT(stored, kTracks * kAllSteps);
    const auto resumed = run();
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    const auto r = results();
    EXPECT_EQ(r["steps"]["reused"].get<std::size_t>(), stored);
    EXPECT_EQ(r["steps"]["reused"].get<std::size_t>() + r["steps"]["executed"].get<std::size_t>(), kTracks * kAllSteps);
    EXPECT_EQ(captions().size(), kTracks * kAllSteps);
}

TEST_F(PipelineEndToEnd, ASecondRunOnTheSameOutputFolderIsRefusedAndTheFirstDoesEveryStepOnce) {
    auto first = spawn_run("slow_reply:20", m_temp / "first.log");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(wait_for([&] { return count_lines(m_temp / "requests.jsonl") >= 5; }, std::chrono::seconds(60)));
    const auto second = run();
    EXPECT_EQ(second.exit_code, 1);
    const auto errors = error_lines(second.err);
    ASSERT_EQ(errors.size(), 1u) << second.err;
    EXPECT_THAT(errors[0], HasSubstr("another tunecap run (pid " + std::to_string(first->pid()) + ")"));
    EXPECT_THAT(errors[0], HasSubstr(m_out.string()));

    std::optional<int> status;
    wait_for([&] { return (status = first->poll()).has_value(); }, std::chrono::seconds(240));
    ASSERT_EQ(status, 0) << read_text(m_temp / "first.log");
    EXPECT_EQ(count_lines(m_temp / "requests.jsonl"), kTracks * kStepsPerTrack);
    EXPECT_EQ(results()["steps"]["executed"].get<std::size_t>(), kTracks * kAllSteps);
}

TEST_F(PipelineEndToEnd, CtrlCStopsServersKeepsTheStoreAndPrintsTheSummary) {
    auto child = spawn_run("slow_reply:20", m_temp / "interrupted.log");
    ASSERT_TRUE(child.ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (count_lines(m_temp / "requests.jsonl") < 20 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(child->pid(), SIGINT);
    int status = -1;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto done = child->poll()) {
            status = *done;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(status, 130);
    const auto printed = read_text(m_temp / "interrupted.log");
    EXPECT_THAT(printed, HasSubstr("interrupted: the steps in flight finished and were stored"));
    const auto r = results();
    EXPECT_TRUE(r["interrupted"].get<bool>());
    const auto executed = r["steps"]["executed"].get<std::size_t>();
    EXPECT_GE(executed, 20u);
    EXPECT_LT(executed, kTracks * kStepsPerTrack);
    // Every server it started has stopped.
    EXPECT_GE(count_lines(m_temp / "starts.txt"), 1u);
    std::ifstream starts(m_temp / "starts.txt");
    for (std::string line; std::getline(starts, line);) {
        const auto pid = json::parse(line)["pid"].get<pid_t>();
        EXPECT_NE(::kill(pid, 0), 0) << "server " << pid << " still runs";
    }
    // The next run resumes with what is stored.
    ASSERT_EQ(run().exit_code, 0);
    EXPECT_EQ(results()["steps"]["reused"].get<std::size_t>(), executed);
    EXPECT_EQ(captions().size(), kTracks * kAllSteps);
}

TEST_F(PipelineEndToEnd, ChangingOnePromptRerunsOnlyWhatDependsOnIt) {
    ASSERT_EQ(run().exit_code, 0);
    write_config("prompts:\n  brief: Write one short sentence about this track's genre and main instrument.\n");
    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto r = results();
    // brief: flamingo, flamingo_genre, its probe, 3 revisions, omni, omni_genre, its probe,
    // omni_revision, 3 ensembles.
    EXPECT_EQ(r["steps"]["executed"], kTracks * 13);
    EXPECT_EQ(r["steps"]["reused"], kTracks * (kAllSteps - 13));
}

// The lengths (in ms) and formats of the audio the fake received, request by request.
std::vector<std::pair<long, std::string>> audio_sent(const fs::path& log_file) {
    std::vector<std::pair<long, std::string>> sent;
    std::ifstream log(log_file);
    for (std::string line; std::getline(log, line);) {
        const auto request = json::parse(line);
        if (!request["has_audio"].get<bool>()) continue;
        sent.emplace_back(std::lround(request["audio_seconds"][0].get<double>() * 1000), request["audio_formats"][0]);
    }
    return sent;
}

TEST_F(PipelineEndToEnd, FlacKeepsTheStepsOfWavAndMp3RunsThemAgainWithTheSameLengths) {
    const std::vector<std::string> flamingo = {"--only", "flamingo"};
    write_config("", "  audio_format: wav\n");
    ASSERT_EQ(run({}, flamingo).exit_code, 0);
    EXPECT_EQ(results()["steps"]["executed"], kTracks * 5);

    // FLAC carries the same samples: every step is found in the store, no server starts.
    write_config("", "  audio_format: flac\n");
    auto outcome = run({}, flamingo);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(results()["steps"]["reused"], kTracks * 5);
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 1u);

    // MP3 is heard differently: every step runs again, and the server gets MP3 of each track's
    // exact length (its decoder drops the encoder's delay and padding, as miniaudio does).
    fs::remove(m_temp / "requests.jsonl");
    write_config("", "  audio_format: mp3\n");
    outcome = run({}, flamingo);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(results()["steps"]["executed"], kTracks * 5);
    std::set<std::pair<long, std::string>> sent;
    for (const auto& clip : audio_sent(m_temp / "requests.jsonl")) sent.insert(clip);
    EXPECT_EQ(sent, (std::set<std::pair<long, std::string>>{{3000, "mp3"}, {4000, "mp3"}, {5000, "mp3"}, {6000, "mp3"}, {7000, "mp3"}}));
}

TEST_F(PipelineEndToEnd, ForceRecomputesAPhaseAndItsDependents) {
    ASSERT_EQ(run().exit_code, 0);
    const auto outcome = run({}, {"--force", "omni"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    // omni (5) and ensemble (15), which reads it, per track.
    EXPECT_EQ(results()["steps"]["executed"], kTracks * 20);
}

TEST_F(PipelineEndToEnd, AServerCrashMidPhaseStillRecordsEveryStep) {
    // Each server dies on its 31st request: every model's server crashes at least once mid-phase
    // (flamingo runs 55 steps, the text models 50, omni 80), and the steps in flight are retried.
    const auto outcome = run({"FAKE_LLAMA_FAULT=die_after:30"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto all = captions();
    EXPECT_EQ(all.size(), kTracks * kAllSteps);
    for (const auto& [step, caption] : all) EXPECT_THAT(caption, ::testing::StartsWith("done: ")) << step;
    const auto r = results();
    int restarts = 0;
    for (const auto& load : r["model_loads"]) restarts += load["restarts"].get<int>();
    EXPECT_GE(restarts, 5);
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 5u + static_cast<std::size_t>(restarts));
    EXPECT_THAT(outcome.err, HasSubstr("restarting the server"));
}

TEST_F(PipelineEndToEnd, AModelThatCannotStartFailsOnlyItsStepsAndTheirDependents) {
    const auto outcome = run({"FAKE_LLAMA_FAULT=crash_on_start"}, {"--only", "omni", "--only", "omni_genre"});
    EXPECT_EQ(outcome.exit_code, 1);
    const auto all = captions();
    std::size_t failed = 0;
    for (const auto& [step, caption] : all) {
        if (step.find("/omni/") != std::string::npos || step.find("/omni_genre/") != std::string::npos) {
            EXPECT_THAT(caption, ::testing::StartsWith("failed")) << step;
            ++failed;
        } else {
            EXPECT_THAT(caption, ::testing::StartsWith("skipped")) << step;
        }
    }
    EXPECT_EQ(failed, kTracks * 10);
    EXPECT_THAT(results()["model_loads"][0]["error"].get<std::string>(), HasSubstr("exited with status"));
}

TEST_F(PipelineEndToEnd, CleanResultsRederivesStoredCaptionsFromRawOutputs) {
    ASSERT_EQ(run({"FAKE_LLAMA_STYLE=wrapper"}).exit_code, 0);
    const auto reference = captions();
    {
        // Stand-in for captions made by older rules: overwrite every stored caption.
        auto store = store::Store::open(m_out / "tunecap.db");
        ASSERT_TRUE(store.ok());
        for (auto row : (*store)->all_steps()) {
            row.caption = "stale.";
            row.flags.clear();
            ASSERT_TRUE((*store)->update_derived(row).ok());
        }
    }
    const auto outcome =
        run_tunecap({"clean", "--results", m_out.string(), "--config", m_config.string()}, m_temp.path(), m_env);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("290 stored caption(s) re-derived, 290 changed"));
    auto store = store::Store::open(m_out / "tunecap.db");
    for (const auto& row : (*store)->all_steps()) {
        EXPECT_NE(row.caption, "stale.");
        if (row.phase == "facts") continue;  // written by tunecap, not the fake: no wrapper to remove
        EXPECT_THAT(row.raw_output, HasSubstr("Here is"));  // the wrapper the fake added
        EXPECT_THAT(row.caption, ::testing::Not(HasSubstr("Here is")));
        EXPECT_THAT(row.flags, ::testing::Contains("wrapper_removed"));
    }
    // The JSON files were never made stale, so re-deriving leaves them as the run wrote them.
    EXPECT_EQ(captions(), reference);

    const auto missing = run_tunecap({"clean", "--results", (m_temp / "nowhere").string()}, m_temp.path());
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_THAT(missing.err, HasSubstr("no tunecap.db here"));
}

TEST_F(PipelineEndToEnd, PlanPrintsTheLoadOrderWithCounts) {
    const auto outcome = run_tunecap({"plan", m_music.string(), "--config", m_config.string()}, m_temp.path(), m_env);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("1. music_flamingo: 55 step(s) = 11 per track x 5 track(s) [flamingo x5, flamingo_genre x5, flamingo_wrong_hint x1]"));
    EXPECT_THAT(outcome.out, HasSubstr("2. qwen_omni: 80 step(s)"));
    EXPECT_THAT(outcome.out, HasSubstr("5. granite_tiny: 50 step(s)"));
    EXPECT_THAT(outcome.out, HasSubstr("5 model load(s) in all"));
    EXPECT_EQ(count_lines(m_temp / "starts.txt"), 0u);
}

}  // namespace
}  // namespace tunecap::testing
