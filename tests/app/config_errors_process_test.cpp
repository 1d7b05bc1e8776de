// SPDX-License-Identifier: GPL-3.0-or-later
// Config mistakes end a command before any audio is read: exit 2 and one line with file:line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

using ::testing::HasSubstr;
using tunecap::testing::TempDir;

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(ConfigErrors, ABadSentencePieceModelIsAConfigErrorBeforeAnyAudioIsRead) {
    TempDir dir;
    write(dir / "spiece.model", "not a SentencePiece model");
    write(dir / "user.yaml", "cleaning:\n  sentencepiece_model: spiece.model\n");
    write(dir / "track.flac", "not audio either");
    for (const char* command : {"run", "clean"}) {
        std::vector<std::string> args = {command, "--config", (dir / "user.yaml").string()};
        if (std::string(command) == "run") args.push_back((dir / "track.flac").string());
        const auto outcome = testing::run_tunecap(args, dir.path());
        EXPECT_EQ(outcome.exit_code, 2) << command << ": " << outcome.err;
        EXPECT_THAT(outcome.err, HasSubstr((dir / "user.yaml").string() + ":2: cleaning.sentencepiece_model: "));
        EXPECT_THAT(outcome.err, ::testing::Not(HasSubstr("track.flac"))) << "the audio was read";
        EXPECT_FALSE(std::filesystem::exists(dir / "tunecap-out"));
    }
}

TEST(ConfigErrors, APhaseWhosePromptsItsInputDoesNotRunIsAConfigError) {
    TempDir dir;
    write(dir / "user.yaml", R"(phases:
  - {id: hear, kind: audio_caption, models: [qwen_omni], prompts: [brief]}
  - {id: fix, kind: revise, models: [qwen3_14b], prompts: [brief, mood], inputs: [hear]}
)");
    write(dir / "track.flac", "not audio");
    const auto outcome =
        testing::run_tunecap({"run", "--config", (dir / "user.yaml").string(), (dir / "track.flac").string()}, dir.path());
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("user.yaml:3: phases[1].prompts: prompt 'mood' is not run by input phase 'hear'"));
    EXPECT_THAT(outcome.err, ::testing::Not(HasSubstr("track.flac")));
}

}  // namespace
}  // namespace tunecap::app
