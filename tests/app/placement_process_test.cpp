// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap plan` shows which models load together, on which GPU and with how many slots, for
// twins of the project's tiny GGUF files (tests/support/tiny_gguf.hpp): each estimate is about
// 0.8 GiB, almost all of it the fixed compute allowance.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hf_cache_layout.hpp"
#include "run_binary.hpp"
#include "store/store.hpp"
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
    fs::path write_config(const std::string& runtime) {
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
        return config;
    }
    Outcome plan(const std::string& runtime) {
        return run_tunecap({"plan", "--config", write_config(runtime).string()}, m_temp.path());
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
    // The revision's slot holds its prompt, the caption it reads and its answer. fix shares GPU 0
    // with hear, so it may take up to 8 such slots, and 8 fit.
    EXPECT_THAT(outcome.out, ContainsRegex("fix: 0\\.[0-9]+ GiB a server, ctx [0-9]+, 8 slot\\(s\\) \\(slots: auto, [0-9]+ tokens a slot, at most 8\\)"));
}

TEST_F(PlanPlacement, PlanRaisesTheEstimatesToThePeaksTheOutputFolderMeasured) {
    // A run measured `fix` at 3,500 MiB: plan, like the next run, no longer fits it beside `hear`.
    const auto out = m_temp / "out";
    fs::create_directories(out);
    {
        auto store = store::Store::open(out / "tunecap.db");
        ASSERT_TRUE(store.ok()) << store.error().message;
        ASSERT_TRUE((*store)->put_load({"2026-12-01T00:00:00Z", "fix", 2.0, 3500.0, 0, "b1"}).ok());
    }
    const auto outcome = run_tunecap({"plan", "--config", write_config("{vram_budget_gb: 4}").string(), "--out", out.string()}, m_temp.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, ContainsRegex("stage 1: hear on GPU 0 \\(0\\.[0-9]+ of 4 GiB\\)"));
    EXPECT_THAT(outcome.out, HasSubstr("stage 2: fix on GPU 0 (3.42 of 4 GiB)"));
    // Without a store in the output folder, the estimates alone, and none is created.
    const auto fresh = m_temp / "fresh";
    const auto estimated = run_tunecap({"plan", "--config", write_config("{vram_budget_gb: 4}").string(), "--out", fresh.string()}, m_temp.path());
    EXPECT_THAT(estimated.out, ContainsRegex("stage 1: hear \\+ fix on GPU 0"));
    EXPECT_FALSE(fs::exists(fresh / "tunecap.db"));
}

TEST_F(PlanPlacement, AnHfModelIsSizedFromLlamaServersCacheAndUnknownUntilItIsThere) {
    const auto write = [&](const std::string& fix) {
        const auto config = m_temp / "hf.yaml";
        std::ofstream(config) << "runtime: {vram_budget_gb: 4}\n"
                                 "models:\n"
                                 "  hear: {gguf: " << shared_tiny_models().model.string() << ", mmproj: "
                              << shared_tiny_models().projector.string() << ", family: qwen2.5-omni, ctx: 4096, slots: 2}\n"
                                 "  fix: " << fix << "\n"
                                 "prompts: {p: Describe it.}\n"
                                 "phases:\n"
                                 "  - {id: listen, kind: audio_caption, models: [hear], prompts: [p]}\n"
                                 "  - {id: revise, kind: revise, models: [fix], prompts: [p], inputs: [listen]}\n";
        return config.string();
    };
    const auto hub = m_temp / "llama-cache";
    write_tiny_gguf(hf_blob_path(hub, "test-org/Tiny-GGUF", "tiny-qwen3-F32.gguf"), tiny_qwen3());
    link_hf_cached_file(hub, "test-org/Tiny-GGUF", "tiny-qwen3-F32.gguf");
    const std::vector<std::string> env = {"LLAMA_CACHE=" + hub.string()};
    const auto cached = run_tunecap({"plan", "--config", write("{hf: 'test-org/Tiny-GGUF:F32', family: chatml, ctx: 4096, slots: 2}")},
                                    m_temp.path(), env);
    ASSERT_EQ(cached.exit_code, 0) << cached.out << cached.err;
    EXPECT_THAT(cached.out, ContainsRegex("stage 1: hear \\+ fix on GPU 0"));
    EXPECT_THAT(cached.out, ContainsRegex("fix: 0\\.[0-9]+ GiB a server, ctx 4096, 2 slot\\(s\\)"));
    const auto absent = run_tunecap({"plan", "--config", write("{hf: 'test-org/Absent-GGUF:Q4_K_M', family: chatml, ctx: 4096, slots: 2}")},
                                    m_temp.path(), env);
    ASSERT_EQ(absent.exit_code, 0) << absent.out << absent.err;
    EXPECT_THAT(absent.out, HasSubstr("stage 2: fix on GPU 0 (size unknown)"));
    EXPECT_THAT(absent.out, HasSubstr("fix: size unknown (hf test-org/Absent-GGUF:Q4_K_M: not in llama-server's cache yet (a run downloads it))"));
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

TEST_F(PlanPlacement, ARunLoadsTheStageTogetherAndStartsAutoSlotsAsPlaced) {
    const auto track = m_temp / "tone.flac";
    run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=330:duration=2 -ac 1 " + shell_quote(track.string()));
    const auto config = write_config("{vram_budget_gb: 4, server_env: [FAKE_LLAMA_*]}");
    const auto out = m_temp / "out";
    const auto outcome = run_tunecap({"run", track.string(), "--config", config.string(), "--out", out.string()}, m_temp.path(),
                                     {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "FAKE_LLAMA_IDLE_EXIT_S=60"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.err, ContainsRegex("\\[placement\\] +stage 1: hear \\+ fix on GPU 0"));
    // fix loads while hear is still loaded: the stage runs as a pipeline.
    const auto fix_loads = outcome.err.find("fix: loading");
    ASSERT_NE(fix_loads, std::string::npos) << outcome.err;
    EXPECT_NE(outcome.err.find("hear: 1 step(s) in", fix_loads), std::string::npos) << outcome.err;
    // The server got the slots placement gave `fix` (-np 8, -c 8 x 1024), and hear its configured 2.
    EXPECT_THAT(read_text(out / "logs" / "fix-1.log"), HasSubstr("n_slots = 8, n_ctx_slot = 1024"));
    EXPECT_THAT(read_text(out / "logs" / "hear-1.log"), HasSubstr("n_slots = 2, n_ctx_slot = 2048"));
}

}  // namespace
}  // namespace tunecap::testing
