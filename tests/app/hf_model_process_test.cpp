// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap run` with models named by Hugging Face repo (hf:): the fake llama-server loads them from
// a cache the test writes in the hub layout (LLAMA_CACHE), as the real one would find them, and
// fails like a download without a network for the one that is not there. Nothing is downloaded.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "hf_cache_layout.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

TEST(HfModel, ARunLoadsCachedHfModelsAndAnUncachedOneFailsOnlyItsSteps) {
    TempDir temp;
    const auto music = temp / "music";
    const auto out = temp / "out";
    const auto cache = temp / "llama-cache";
    fs::create_directories(music);
    run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=440:duration=3 -ac 1 -ar 22050 " +
             shell_quote((music / "one.flac").string()));
    const std::string repo = "test-org/Tiny-GGUF";
    write_tiny_gguf(hf_blob_path(cache, repo, "tiny-qwen3-F32.gguf"), tiny_qwen3());
    const auto model = link_hf_cached_file(cache, repo, "tiny-qwen3-F32.gguf");
    write_tiny_gguf(hf_blob_path(cache, repo, "mmproj-tiny-F16.gguf"), tiny_qwen2a_mmproj());
    const auto projector = link_hf_cached_file(cache, repo, "mmproj-tiny-F16.gguf");
    const auto config = temp / "config.yaml";
    std::ofstream(config) << "runtime:\n  server_env: [FAKE_LLAMA_*]\n"
                             "models:\n"
                             "  ears: {hf: 'test-org/Tiny-GGUF:F32', mmproj_hf: auto, family: qwen2.5-omni}\n"
                             "  words: {hf: 'test-org/Tiny-GGUF:F32', family: qwen3}\n"
                             "  absent: {hf: 'test-org/Absent-GGUF:Q4_K_M', family: qwen3}\n"
                             "phases:\n"
                             "  - {id: hear, kind: audio_caption, models: [ears], prompts: [brief]}\n"
                             "  - {id: fix, kind: revise, models: [words, absent], prompts: [brief], inputs: [hear]}\n";

    const auto outcome = run_tunecap({"run", music.string(), "--config", config.string(), "--out", out.string()}, temp.path(),
                                     {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "FAKE_LLAMA_IDLE_EXIT_S=60",
                                      "LLAMA_CACHE=" + cache.string()});
    ASSERT_EQ(outcome.exit_code, 1) << outcome.err;  // the absent model's step failed; the others did not

    // The servers loaded the cached files, the audio model with the repo's projector.
    const auto ears_log = read_text(out / "logs" / "ears-1.log");
    EXPECT_THAT(ears_log, HasSubstr("loading model '" + model.string() + "'"));
    EXPECT_THAT(ears_log, HasSubstr("loaded multimodal model, '" + projector.string() + "'"));
    const auto words_log = read_text(out / "logs" / "words-1.log");
    EXPECT_THAT(words_log, HasSubstr("loading model '" + model.string() + "'"));
    EXPECT_THAT(words_log, ::testing::Not(HasSubstr("multimodal")));  // --no-mmproj: a text model loads no projector
    EXPECT_THAT(read_text(out / "logs" / "absent-1.log"), HasSubstr("failed to download model from test-org/Absent-GGUF:Q4_K_M"));

    ASSERT_TRUE(fs::is_directory(out / "tracks")) << outcome.err;
    const auto track = json::parse(read_text(fs::directory_iterator(out / "tracks")->path()));
    EXPECT_EQ(track["phases"]["hear"]["models"]["ears"]["prompts"]["brief"]["status"], "done") << track.dump(1);
    EXPECT_EQ(track["phases"]["fix"]["models"]["words"]["prompts"]["brief"]["status"], "done");
    EXPECT_EQ(track["phases"]["fix"]["models"]["absent"]["prompts"]["brief"]["status"], "failed");
    EXPECT_THAT(outcome.err, HasSubstr("absent"));

    // A second run reuses every stored step, so starts neither server again (a start would write
    // its log anew): the keys do not depend on the cache.
    fs::remove(out / "logs" / "ears-1.log");
    fs::remove(out / "logs" / "words-1.log");
    const auto again = run_tunecap({"run", music.string(), "--config", config.string(), "--out", out.string()}, temp.path(),
                                   {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "FAKE_LLAMA_IDLE_EXIT_S=60",
                                    "LLAMA_CACHE=" + cache.string()});
    EXPECT_EQ(again.exit_code, 1) << again.err;  // the absent model is tried again, and fails again
    EXPECT_FALSE(fs::exists(out / "logs" / "ears-1.log")) << again.err;
    EXPECT_FALSE(fs::exists(out / "logs" / "words-1.log")) << again.err;
}

}  // namespace
}  // namespace tunecap::testing
