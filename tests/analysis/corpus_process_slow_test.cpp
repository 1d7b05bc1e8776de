// SPDX-License-Identifier: GPL-3.0-or-later
// The facts against ground truth, on a corpus rendered at test time (make-corpus: MIDI through
// fluidsynth, calibrated tones). The floors are the targets bench_facts checks on the full corpus,
// here on its first six tracks (one of each style), so a regression in the trackers shows in CI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/evaluation.hpp"
#include "analysis/facts.hpp"
#include "ffmpeg_loudness.hpp"
#include "temp_dir.hpp"

namespace tunecap::analysis {
namespace {

using nlohmann::json;

TEST(Corpus, TempoKeyAndLoudnessMeetTheirFloors) {
    tunecap::testing::TempDir dir;
    const std::string command = std::string("timeout 300 ") + MAKE_CORPUS + " " + dir.path().string() +
                                " --count 6 --seconds 30 --tones >" + (dir / "make.log").string() + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "make-corpus failed; see its log";
    std::size_t tracks = 0, acc1 = 0, acc2 = 0, tones = 0;
    double keys = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        if (entry.path().extension() != ".wav") continue;
        auto truth_path = entry.path();
        truth_path.replace_extension(".truth.json");
        const auto truth = json::parse(std::ifstream(truth_path));
        const auto facts = analyze_file(entry.path());
        ASSERT_TRUE(facts.ok()) << facts.error().message;
        if (truth["kind"] == "tone") {
            ++tones;
            ASSERT_TRUE(facts->loudness.has_value()) << entry.path();
            EXPECT_NEAR(facts->loudness->integrated_lufs, truth["integrated_lufs"].get<double>(), 0.1) << entry.path();
            continue;
        }
        ++tracks;
        // An independent meter on the rendered stereo tracks (16-bit WAV with no channel layout).
        ASSERT_TRUE(facts->loudness.has_value()) << entry.path();
        EXPECT_NEAR(facts->loudness->integrated_lufs, tunecap::testing::ffmpeg_integrated_lufs(entry.path()), 0.3)
            << entry.path();
        const double bpm = facts->tempo ? facts->tempo->bpm : 0;
        acc1 += tempo_agrees(bpm, truth["bpm"].get<double>(), false);
        acc2 += tempo_agrees(bpm, truth["bpm"].get<double>(), true);
        if (facts->key) keys += key_score(*facts->key, truth["tonic_pitch_class"].get<int>(), truth["mode"] == "minor");
    }
    ASSERT_EQ(tracks, 6u);
    EXPECT_EQ(tones, 6u);
    EXPECT_GE(static_cast<double>(acc2) / static_cast<double>(tracks), 0.95);
    EXPECT_GE(static_cast<double>(acc1) / static_cast<double>(tracks), 0.85);  // drum and bass among them
    EXPECT_GE(keys / static_cast<double>(tracks), 0.85);
}

}  // namespace
}  // namespace tunecap::analysis
