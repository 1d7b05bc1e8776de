// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap analyze`: facts of good files, one line naming each bad one, the others go on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audio/audio.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;
using tunecap::testing::TempDir;

TEST(AnalyzeCommand, PrintsOneJsonObjectPerFileAndOneLineForEachBadFile) {
    TempDir dir;
    std::vector<float> tone(static_cast<std::size_t>(10 * 16000));
    for (std::size_t i = 0; i < tone.size(); ++i) {
        tone[i] = static_cast<float>(0.1 * std::sin(2 * std::numbers::pi * 997 * static_cast<double>(i) / 16000));
    }
    ASSERT_TRUE(audio::write_wav_pcm16(dir / "tone.wav", tone, 16000).ok());
    std::ofstream(dir / "broken.flac") << "not audio";
    const auto outcome = testing::run_tunecap({"analyze", "--json", (dir / "tone.wav").string(), (dir / "broken.flac").string()},
                                              dir.path());
    EXPECT_EQ(outcome.exit_code, 1);
    std::istringstream lines(outcome.out);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    const auto facts = json::parse(line);
    EXPECT_THAT(facts["file"].get<std::string>(), HasSubstr("tone.wav"));
    // A mono 997 Hz sine at -20 dBFS peak reads -23.01 LUFS.
    EXPECT_NEAR(facts["loudness"]["integrated_lufs"].get<double>(), -23.0, 0.1);
    EXPECT_TRUE(facts["tempo"].is_null());
    EXPECT_FALSE(std::getline(lines, line)) << "one line per good file";
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_EQ(errors.size(), 1u) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("broken.flac"));
}

TEST(AnalyzeCommand, ATableForPeople) {
    TempDir dir;
    std::vector<float> tone(static_cast<std::size_t>(5 * 16000), 0.0f);
    for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<float>(0.2 * std::sin(static_cast<double>(i) * 0.3));
    ASSERT_TRUE(audio::write_wav_pcm16(dir / "a.wav", tone, 16000).ok());
    const auto outcome = testing::run_tunecap({"analyze", dir.path().string()}, dir.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("LUFS"));
    EXPECT_THAT(outcome.out, HasSubstr("a.wav"));
}

}  // namespace
}  // namespace tunecap::app
