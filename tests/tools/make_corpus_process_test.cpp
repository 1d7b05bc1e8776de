// SPDX-License-Identifier: GPL-3.0-or-later
// make-corpus run as CI runs it: a small corpus into a temp folder, checked with tools of its own
// (ffprobe for length, ffmpeg's EBU R128 meter for the tones) and an SMF reader written apart from
// the writer; and its failures: fluidsynth failing, missing or hung, a bad command line.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "corpus.hpp"
#include "make_corpus_smf_reader.hpp"
#include "temp_dir.hpp"
#include "tone.hpp"
#include "wav_file.hpp"

extern char** environ;

namespace tunecap::make_corpus {
namespace {

namespace fs = std::filesystem;
using tunecap::testing::TempDir;

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
    std::chrono::duration<double> took{};
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs a program with explicit arguments, its output in files under `scratch`. A run still going
// after four minutes (the slowest here, ffmpeg over a 20 s tone under load, takes seconds) is
// killed and reported as exit code -1, so a hang fails the test with what it printed.
Outcome run(std::vector<std::string> args, const fs::path& scratch) {
    constexpr auto kDeadline = std::chrono::minutes(4);
    const fs::path out = scratch / "run.out", err = scratch / "run.err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const auto started = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    Outcome result;
    if (spawned != 0) {
        result.err = "cannot start " + args[0];
        return result;
    }
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() - started > kDeadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.took = std::chrono::steady_clock::now() - started;
    result.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read_text(out);
    result.err = read_text(err);
    return result;
}

double ffprobe_seconds(const fs::path& file, const fs::path& scratch) {
    const Outcome probe = run({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file.string()}, scratch);
    if (probe.exit_code != 0) return -1;
    return std::stod(probe.out);
}

// ffmpeg's EBU R128 meter (no dual-mono weighting): the integrated loudness of the summary.
double ffmpeg_integrated_lufs(const fs::path& file, const fs::path& scratch) {
    const Outcome meter = run({"ffmpeg", "-nostats", "-hide_banner", "-i", file.string(), "-af", "ebur128", "-f", "null", "-"}, scratch);
    std::smatch match;
    static const std::regex kIntegrated(R"(I:\s+(-?[0-9.]+) LUFS)");
    std::string text = meter.err;
    double last = 0;
    bool found = false;
    for (std::sregex_iterator it(text.begin(), text.end(), kIntegrated), end; it != end; ++it) {
        last = std::stod((*it)[1]);
        found = true;
    }
    return found ? last : 99;
}

std::size_t count_lines(const std::string& text) {
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return lines;
}

class MakeCorpus : public ::testing::Test {
protected:
    TempDir m_scratch;
    fs::path m_out = m_scratch / "corpus";
};

TEST_F(MakeCorpus, MakesASmallCorpusWhoseFilesMatchTheTable) {
    constexpr double kSeconds = 10;
    const Outcome made = run({MAKE_CORPUS, m_out.string(), "--count", "3", "--seconds", "10", "--tones"}, m_scratch.path());
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_EQ(made.err, "");
    for (std::size_t i = 0; i < 3; ++i) {
        const TrackSpec& spec = corpus_table()[i];
        const std::string name = track_name(i, spec);
        SCOPED_TRACE(name);
        const fs::path base = m_out / name;

        const auto smf = testing::read_smf(read_file(base.string() + ".mid"));
        EXPECT_EQ(smf.format, 1);
        EXPECT_EQ(smf.tracks.size(), 5u);

        const fs::path wav = base.string() + ".wav";
        ASSERT_TRUE(fs::exists(wav));
        EXPECT_NEAR(ffprobe_seconds(wav, m_scratch.path()), kSeconds, 0.05);
        const Bytes bytes = read_file(wav);
        const auto layout = std::get<WavLayout>(read_wav_layout(bytes));
        EXPECT_EQ(layout.sample_rate, 44100);
        EXPECT_EQ(layout.channels, 2);
        ASSERT_EQ(layout.bits, 16);
        double sum_squares = 0;
        for (std::size_t at = layout.data_offset; at + 1 < layout.data_offset + layout.data_bytes; at += 2) {
            const auto sample = static_cast<std::int16_t>(bytes[at] | (bytes[at + 1] << 8));
            sum_squares += double(sample) * sample;
        }
        const double rms_dbfs = 10 * std::log10(sum_squares / (layout.data_bytes / 2) / (32768.0 * 32768.0));
        EXPECT_GT(rms_dbfs, -40) << "music, not silence";

        const auto truth = nlohmann::json::parse(read_text(base.string() + ".truth.json"));
        EXPECT_EQ(truth, truth_json(spec, kSeconds));
        EXPECT_EQ(truth["bpm"], spec.bpm);
        EXPECT_FALSE(fs::exists(base.string() + ".fluidsynth.log")) << "a clean render leaves no log";
    }
    EXPECT_FALSE(fs::exists(m_out / (track_name(3, corpus_table()[3]) + ".mid"))) << "--count 3 makes three";

    for (const ToneSpec& tone : tone_table()) {
        const fs::path base = m_out / tone_name(tone);
        SCOPED_TRACE(base.filename().string());
        const auto truth = nlohmann::json::parse(read_text(base.string() + ".truth.json"));
        EXPECT_EQ(truth["integrated_lufs"], tone.integrated_lufs);
        EXPECT_EQ(truth["channels"], tone.channels);
        EXPECT_NEAR(ffprobe_seconds(base.string() + ".wav", m_scratch.path()), 20.0, 0.001);
    }
    // An independent meter agrees with the derivation in tone.hpp, in stereo and mono.
    EXPECT_NEAR(ffmpeg_integrated_lufs(m_out / "tone_997hz_stereo_minus23_lufs.wav", m_scratch.path()), -23.0, 0.1);
    EXPECT_NEAR(ffmpeg_integrated_lufs(m_out / "tone_997hz_mono_minus23_lufs.wav", m_scratch.path()), -23.0, 0.1);
    EXPECT_NEAR(ffmpeg_integrated_lufs(m_out / "tone_997hz_stereo_minus30_lufs.wav", m_scratch.path()), -30.0, 0.1);
}

TEST_F(MakeCorpus, AFailingFluidsynthIsOneLineNamingTheFileAndTheRestAreStillMade) {
    const Outcome made = run({MAKE_CORPUS, m_out.string(), "--count", "2", "--seconds", "2", "--fluidsynth", "false"},
                         m_scratch.path());
    EXPECT_EQ(made.exit_code, 1);
    EXPECT_EQ(count_lines(made.err), 2u) << made.err;
    EXPECT_NE(made.err.find("01_four_on_the_floor_128bpm_A_minor.mid: fluidsynth failed (exit code 1)"), std::string::npos)
        << made.err;
    EXPECT_NE(made.err.find("02_drum_and_bass_174bpm_F_minor.mid"), std::string::npos) << made.err;
    EXPECT_FALSE(fs::exists(m_out / "01_four_on_the_floor_128bpm_A_minor.wav"));
    EXPECT_FALSE(fs::exists(m_out / "01_four_on_the_floor_128bpm_A_minor.truth.json"));
}

TEST_F(MakeCorpus, AMissingFluidsynthOrSoundfontIsNamed) {
    Outcome made = run({MAKE_CORPUS, m_out.string(), "--count", "1", "--seconds", "2", "--fluidsynth",
                    (m_scratch / "no-fluidsynth").string()},
                   m_scratch.path());
    EXPECT_EQ(made.exit_code, 1);
    EXPECT_EQ(count_lines(made.err), 1u) << made.err;
    EXPECT_NE(made.err.find("01_four_on_the_floor_128bpm_A_minor.mid: cannot start"), std::string::npos) << made.err;

    made = run({MAKE_CORPUS, m_out.string(), "--soundfont", (m_scratch / "none.sf2").string()}, m_scratch.path());
    EXPECT_EQ(made.exit_code, 1);
    EXPECT_NE(made.err.find("no soundfont at"), std::string::npos) << made.err;

    // fluidsynth exits 0 on a file that is not a soundfont; its error line is what fails the track.
    std::ofstream(m_scratch / "bad.sf2") << "not a soundfont";
    made = run({MAKE_CORPUS, m_out.string(), "--count", "1", "--seconds", "2", "--soundfont", (m_scratch / "bad.sf2").string()},
               m_scratch.path());
    EXPECT_EQ(made.exit_code, 1);
    EXPECT_NE(made.err.find("fluidsynth: error:"), std::string::npos) << made.err;
}

TEST_F(MakeCorpus, AHungFluidsynthIsKilledAtTheRenderTimeout) {
    const fs::path hang = m_scratch / "hang.sh";
    std::ofstream(hang) << "#!/bin/sh\nexec sleep 60\n";
    fs::permissions(hang, fs::perms::owner_all);
    const Outcome made = run({MAKE_CORPUS, m_out.string(), "--count", "1", "--seconds", "2", "--fluidsynth", hang.string(),
                          "--render-timeout", "1"},
                         m_scratch.path());
    EXPECT_EQ(made.exit_code, 1);
    EXPECT_NE(made.err.find("did not finish within 1 s"), std::string::npos) << made.err;
    EXPECT_LT(made.took.count(), 30) << "killed, not waited for";
}

TEST_F(MakeCorpus, ABadCommandLineExits2WithUsage) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {MAKE_CORPUS},
             {MAKE_CORPUS, m_out.string(), "--count", "25"},
             {MAKE_CORPUS, m_out.string(), "--seconds", "abc"},
             {MAKE_CORPUS, m_out.string(), "--frobnicate"}}) {
        const Outcome made = run(args, m_scratch.path());
        EXPECT_EQ(made.exit_code, 2) << args.back();
        EXPECT_NE(made.err.find("usage: make-corpus OUT_DIR"), std::string::npos) << made.err;
    }
    EXPECT_FALSE(fs::exists(m_out));
}

}  // namespace
}  // namespace tunecap::make_corpus
