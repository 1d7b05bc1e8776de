// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap plan` shows which models load together, on which GPU and with how many slots, for
// twins of the project's tiny GGUF files (tests/support/tiny_gguf.hpp): each estimate is about
// 0.8 GiB, almost all of it the fixed compute allowance.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "run_binary.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class PlanPlacement : public ::testing::Test {
protected:
    // `hear` captions the audio, `fix` revises its captions with `slots: auto`.
    Outcome plan(const std::string& runtime) {
        const auto model = shared_tiny_models().model.string();
        const auto projector = shared_tiny_models().projector.string();
        const auto config = m_temp / "tunecap.yaml";
        std::ofstream(config) << "runtime: " << runtime << "\n"
                              << "models:\n"
                                 "  hear: {gguf: " << model << ", mmproj: " << projector << ", family: qwen2.5-omni, ctx: 4096, slots: 2}\n"
                                 "  fix: {gguf: " << model << ", family: chatml, slots: auto}\n"
                                 "prompts: {p: Describe it.}\n"
                                 "phases:\n"
                                 "  - {id: listen, kind: audio_caption, models: [hear], prompts: [p]}\n"
                                 "  - {id: revise, kind: revise, models: [fix], prompts: [p], inputs: [listen]}\n";
        return run_tunecap({"plan", "--config", config.string()}, m_temp.path());
    }
    TempDir m_temp;
};

TEST_F(PlanPlacement, ModelsThatFitTheBudgetTogetherShareAStage) {
    const auto outcome = plan("{vram_budget_gb: 4}");
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("model stages (runtime.vram_budget_gb 4 GiB a GPU; side by side on):"));
    EXPECT_THAT(outcome.out, ContainsRegex("stage 1: hear \\+ fix on GPU 0 \\(0\\.[0-9]+ \\+ 0\\.[0-9]+ = 1\\.[0-9]+ of 4 GiB\\)"));
    EXPECT_THAT(outcome.out, Not(HasSubstr("stage 2")));
    EXPECT_THAT(outcome.out, ContainsRegex("hear: 0\\.[0-9]+ GiB a server, ctx 4096, 2 slot\\(s\\)\n"));
    // The revision's slot holds its prompt, the caption it reads and its answer; 4 of them fit.
    EXPECT_THAT(outcome.out, ContainsRegex("fix: 0\\.[0-9]+ GiB a server, ctx [0-9]+, 4 slot\\(s\\) \\(slots: auto, [0-9]+ tokens a slot, at most 4\\)"));
}

TEST_F(PlanPlacement, ModelsThatDoNotFitTogetherLoadOneAfterTheOther) {
    const auto outcome = plan("{vram_budget_gb: 1}");
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, ContainsRegex("stage 1: hear on GPU 0 \\(0\\.[0-9]+ of 1 GiB\\)"));
    EXPECT_THAT(outcome.out, ContainsRegex("stage 2: fix on GPU 0 \\(0\\.[0-9]+ of 1 GiB\\)"));
}

TEST_F(PlanPlacement, SideBySideOffLoadsOneModelAtATime) {
    const auto outcome = plan("{vram_budget_gb: 4, side_by_side: false}");
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("side by side off, runtime.side_by_side"));
    EXPECT_THAT(outcome.out, ContainsRegex("stage 1: hear on GPU 0"));
    EXPECT_THAT(outcome.out, ContainsRegex("stage 2: fix on GPU 0"));
}

}  // namespace
}  // namespace tunecap::testing
