// SPDX-License-Identifier: GPL-3.0-or-later
// bench_facts CORPUS_DIR: the measured facts against the ground truth of a corpus made by
// make-corpus (tests/tools/make_corpus: MIDI rendered with fluidsynth, calibrated tones, a
// .truth.json beside each file), and the speed of the analysis. Prints tempo Accuracy1 and
// Accuracy2 (4%), the MIREX key score, the loudness error on the tones, the largest difference from
// ffmpeg's ebur128 filter on every file, and how many times faster than real time the analysis runs
// on one core (decoding included). Issue 9's targets: Accuracy1 >= 85%, Accuracy2 >= 95%, key >= 85%,
// tones within 0.1 LU, ffmpeg within 0.3 LU, >= 50x real time. Build in Release.
//
//   build/release/tests/tools/make-corpus /tmp/corpus --tones && build/release/bench/bench_facts /tmp/corpus

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/evaluation.hpp"
#include "analysis/facts.hpp"
#include "ffmpeg_loudness.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_facts CORPUS_DIR (made by make-corpus DIR --tones)\n");
        return 2;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(argv[1])) {
        if (entry.path().extension() == ".wav") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::size_t tracks = 0, acc1 = 0, acc2 = 0;
    double key_points = 0, tone_error = 0, ffmpeg_difference = 0, audio_seconds = 0, analysis_seconds = 0;
    for (const auto& file : files) {
        auto truth_path = file;
        truth_path.replace_extension(".truth.json");
        const auto truth = json::parse(std::ifstream(truth_path));
        const auto started = std::chrono::steady_clock::now();
        const auto facts = tunecap::analysis::analyze_file(file);
        analysis_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (!facts) {
            std::fprintf(stderr, "%s\n", facts.error().message.c_str());
            return 1;
        }
        audio_seconds += facts->duration_seconds;
        const double lufs = facts->loudness ? facts->loudness->integrated_lufs : NAN;
        ffmpeg_difference = std::max(ffmpeg_difference, std::abs(lufs - tunecap::testing::ffmpeg_integrated_lufs(file)));
        if (truth["kind"] == "tone") {
            tone_error = std::max(tone_error, std::abs(lufs - truth["integrated_lufs"].get<double>()));
            continue;
        }
        ++tracks;
        const double bpm = facts->tempo ? facts->tempo->bpm : 0;
        acc1 += tunecap::analysis::tempo_agrees(bpm, truth["bpm"].get<double>(), false);
        acc2 += tunecap::analysis::tempo_agrees(bpm, truth["bpm"].get<double>(), true);
        if (facts->key) {
            key_points += tunecap::analysis::key_score(*facts->key, truth["tonic_pitch_class"].get<int>(), truth["mode"] == "minor");
        }
        fmt::print("{:<48} truth {:5.1f} {:>2} {:<5}  measured {:6.1f} {}\n", file.filename().string(),
                   truth["bpm"].get<double>(), truth["key"].get<std::string>(), truth["mode"].get<std::string>(), bpm,
                   facts->key ? tunecap::analysis::key_name(*facts->key) : std::string("-"));
    }
    if (tracks == 0) {
        std::fprintf(stderr, "%s: no tracks with truth files\n", argv[1]);
        return 1;
    }
    const auto share = [&](double n) { return 100.0 * n / static_cast<double>(tracks); };
    fmt::print("\n{} tracks, {} files, {:.0f} s of audio\n", tracks, files.size(), audio_seconds);
    fmt::print("tempo Accuracy1 {:.0f}%  Accuracy2 {:.0f}%  (targets 85%, 95%)\n", share(static_cast<double>(acc1)),
               share(static_cast<double>(acc2)));
    fmt::print("key score (MIREX) {:.1f}%  (target 85%)\n", share(key_points));
    fmt::print("loudness: tones within {:.2f} LU of truth (target 0.1), all files within {:.2f} LU of ffmpeg ebur128 (target 0.3)\n",
               tone_error, ffmpeg_difference);
    fmt::print("speed: {:.0f}x real time on one core, decoding included (target 50x)\n", audio_seconds / analysis_seconds);
    return 0;
}
