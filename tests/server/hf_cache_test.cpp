// SPDX-License-Identifier: GPL-3.0-or-later
// Finding what llama-server's -hf and -mmu left on disk: the folders the environment names, and
// which cached file a quant picks, in a temp folder laid out as the hub cache.

#include "server/hf_cache.hpp"

#include <gtest/gtest.h>

#include <map>

#include "hf_cache_layout.hpp"
#include "temp_dir.hpp"

namespace tunecap::server {
namespace {

namespace fs = std::filesystem;
using testing::write_hf_cached_file;

config::Environment env(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional(it->second);
    };
}

TEST(HfCacheDirs, FollowLlamaServersOrderOfVariables) {
    auto dirs = hf_cache_dirs(env({{"HOME", "/h"}}));
    EXPECT_EQ(dirs.hub, "/h/.cache/huggingface/hub");
    EXPECT_EQ(dirs.files, "/h/.cache/llama.cpp");
    dirs = hf_cache_dirs(env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/x"}}));
    EXPECT_EQ(dirs.hub, "/x/huggingface/hub");
    EXPECT_EQ(dirs.files, "/x/llama.cpp");
    dirs = hf_cache_dirs(env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/x"}, {"HF_HOME", "/hf"}}));
    EXPECT_EQ(dirs.hub, "/hf/hub");
    dirs = hf_cache_dirs(env({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/old"}}));
    EXPECT_EQ(dirs.hub, "/old");
    dirs = hf_cache_dirs(env({{"HUGGINGFACE_HUB_CACHE", "/old"}, {"HF_HUB_CACHE", "/new"}}));
    EXPECT_EQ(dirs.hub, "/new");
    // LLAMA_CACHE is the one cache for both (llama.cpp PR #21009); an empty variable counts as unset.
    dirs = hf_cache_dirs(env({{"HF_HUB_CACHE", "/new"}, {"LLAMA_CACHE", "/l"}, {"XDG_CACHE_HOME", ""}, {"HOME", "/h"}}));
    EXPECT_EQ(dirs.hub, "/l");
    EXPECT_EQ(dirs.files, "/l");
    dirs = hf_cache_dirs(env({}));
    EXPECT_TRUE(dirs.hub.empty());
    EXPECT_TRUE(dirs.files.empty());
}

class HfCache : public ::testing::Test {
protected:
    testing::TempDir m_temp;
    HfCacheDirs m_dirs{m_temp / "hub", m_temp / "files"};
    const std::string m_repo = "ggml-org/Qwen2.5-Omni-7B-GGUF";

    fs::path add(const std::string& path, const std::string& bytes = "GGUF") {
        return write_hf_cached_file(m_dirs.hub, m_repo, path, bytes);
    }
    std::optional<fs::path> model(const std::string& quant) {
        auto found = cached_hf_model(m_dirs, {m_repo, quant});
        return found ? std::optional(found->path) : std::nullopt;
    }
};

TEST_F(HfCache, AQuantPicksItsFileInAnyLetterCaseAndNeverAProjector) {
    const auto q4 = add("Qwen2.5-Omni-7B-Q4_K_M.gguf", "12345");
    const auto q8 = add("Qwen2.5-Omni-7B-Q8_0.gguf");
    add("mmproj-Qwen2.5-Omni-7B-Q8_0.gguf");
    add("README.md");
    EXPECT_EQ(model("Q8_0"), q8);
    EXPECT_EQ(model("q4_k_m"), q4);
    EXPECT_EQ(cached_hf_model(m_dirs, {m_repo, "Q4_K_M"})->bytes, 5u);
    EXPECT_EQ(model("Q5_K_M"), std::nullopt);  // a run would download it
    EXPECT_EQ(model("Q4_K"), std::nullopt);    // the tag must end at '.' or '-'
    EXPECT_EQ(cached_hf_model(m_dirs, {"other/repo", "Q8_0"}), std::nullopt);
}

TEST_F(HfCache, WithoutAQuantQ4KMThenQ8ThenTheFirstModel) {
    const auto f16 = add("a-F16.gguf");
    EXPECT_EQ(model(""), f16);
    const auto q8 = add("b-Q8_0.gguf");
    EXPECT_EQ(model(""), q8);
    const auto q4 = add("c-Q4_K_M.gguf");
    EXPECT_EQ(model(""), q4);
}

TEST_F(HfCache, ASplitModelIsItsFirstPartAndCachedOnlyWhenEveryPartIs) {
    const auto first = add("Q4_K_M/m-Q4_K_M-00001-of-00002.gguf", "abc");
    EXPECT_EQ(model("Q4_K_M"), std::nullopt);
    add("Q4_K_M/m-Q4_K_M-00002-of-00002.gguf", "de");
    EXPECT_EQ(model("Q4_K_M"), first);
    EXPECT_EQ(cached_hf_model(m_dirs, {m_repo, "Q4_K_M"})->bytes, 5u);
}

TEST_F(HfCache, ALinkWhoseBlobIsGoneIsNotCached) {
    add("m-Q4_K_M.gguf");
    fs::remove(testing::hf_blob_path(m_dirs.hub, m_repo, "m-Q4_K_M.gguf"));
    EXPECT_EQ(model("Q4_K_M"), std::nullopt);
}

TEST_F(HfCache, OnlyTheSnapshotRefsMainNamesCounts) {
    add("m-Q4_K_M.gguf");
    testing::write_bytes(testing::hf_repo_folder(m_dirs.hub, m_repo) / "refs" / "main", std::string(40, 'f'));
    EXPECT_EQ(model("Q4_K_M"), std::nullopt);
}

TEST_F(HfCache, TheAutoProjectorIsTheDeepestThenClosestInBitsBesideTheModel) {
    add("Q4_K_M/m-Q4_K_M.gguf");
    const config::HfProjector automatic;
    const config::HfModel hf{m_repo, "Q4_K_M"};
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, automatic), std::nullopt);
    const auto f16 = add("mmproj-m-F16.gguf");
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, automatic)->path, f16);
    const auto q8 = add("mmproj-m-Q8_0.gguf");
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, automatic)->path, q8);  // 8 bits is closer to 4 than 16
    add("other/mmproj-m-Q4_0.gguf");                                   // not above the model's folder
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, automatic)->path, q8);
    const auto beside = add("Q4_K_M/mmproj-m-F32.gguf");
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, automatic)->path, beside);
}

TEST_F(HfCache, AProjectorFromAUrlIsAFlatFileByItsName) {
    const config::HfProjector file{"other/proj", "f16/mmproj-x-f16.gguf", "https://huggingface.co/other/proj/resolve/main/f16/mmproj-x-f16.gguf"};
    const config::HfModel hf{m_repo, ""};
    EXPECT_EQ(cached_hf_projector(m_dirs, hf, file), std::nullopt);
    testing::write_bytes(m_dirs.files / "mmproj-x-f16.gguf", "123");
    const auto found = cached_hf_projector(m_dirs, hf, file);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->path, m_dirs.files / "mmproj-x-f16.gguf");
    EXPECT_EQ(found->bytes, 3u);
}

TEST_F(HfCache, ADownloadIsPendingUntilTheModelAndItsProjectorAreCached) {
    config::Model m;
    m.gguf = "/local.gguf";
    EXPECT_FALSE(hf_download_pending(m_dirs, m));
    m.hf = config::HfModel{m_repo, "Q4_K_M"};
    m.mmproj_hf = config::HfProjector{};
    EXPECT_TRUE(hf_download_pending(m_dirs, m));
    add("m-Q4_K_M.gguf");
    EXPECT_TRUE(hf_download_pending(m_dirs, m));
    add("mmproj-m-F16.gguf");
    EXPECT_FALSE(hf_download_pending(m_dirs, m));
}

}  // namespace
}  // namespace tunecap::server
