// SPDX-License-Identifier: GPL-3.0-or-later
// The facts of the project's two tiny real GGUF files (written by llama.cpp's gguf-py, loadable by
// llama-server; their README lists them) read from twins written at test time with the same keys,
// values, tensor names, types and shapes (tests/support/tiny_gguf.hpp).

#include <gtest/gtest.h>

#include <map>

#include "gguf/gguf.hpp"
#include "gguf/memory_estimate.hpp"
#include "gguf/model_summary.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::gguf {
namespace {

namespace fs = std::filesystem;

const fs::path& model_file() { return testing::shared_tiny_models().model; }
const fs::path& projector_file() { return testing::shared_tiny_models().projector; }

GgufFile read_or_fail(const fs::path& path, const ReadOptions& options = {}) {
    auto file = read_gguf(path, options);
    if (!file) throw std::runtime_error(file.error().message);
    return std::move(file).take();
}

std::map<GgmlType, int> type_counts(const GgufFile& file) {
    std::map<GgmlType, int> counts;
    for (const auto& tensor : file.tensors) ++counts[tensor.type];
    return counts;
}

TEST(GgufFixtures, TinyQwen3HeaderMatchesTheReadme) {
    const auto file = read_or_fail(model_file());
    EXPECT_EQ(file.version, 3u);
    EXPECT_EQ(file.tensors.size(), 25u);
    EXPECT_EQ(file.metadata.size(), 23u);
    EXPECT_EQ(file.alignment, 32u);
    EXPECT_EQ(file.tensor_bytes(), 26'031'104u);
    EXPECT_EQ(type_counts(file), (std::map<GgmlType, int>{{GgmlType::f32, 25}}));
    // The data section starts aligned and ends exactly where the file does (the original is
    // 27,803,936 bytes; the twin's placeholder vocabulary makes its header a different length).
    EXPECT_EQ(file.data_offset % 32, 0u);
    EXPECT_EQ(file.data_offset + file.tensor_bytes(), file.file_size);
    EXPECT_EQ(file.tensors[1].name, "output_norm.weight");
    EXPECT_EQ(file.tensors[1].offset, 64u * 50'263 * 4);
    EXPECT_EQ(file.tensors.back().name, "blk.1.ffn_down.weight");
    EXPECT_EQ(file.tensors.back().dims, (std::vector<std::uint64_t>{128, 64}));

    EXPECT_EQ(file.get_string("general.architecture"), "qwen3");
    EXPECT_EQ(file.get_string("general.name"), "tiny-random-qwen3");
    EXPECT_EQ(file.get_uint("general.file_type"), 0u);
    EXPECT_EQ(file.get_uint("qwen3.context_length"), 4096u);
    EXPECT_EQ(file.get_uint("qwen3.embedding_length"), 64u);
    EXPECT_EQ(file.get_uint("qwen3.block_count"), 2u);
    EXPECT_EQ(file.get_uint("qwen3.feed_forward_length"), 128u);
    EXPECT_EQ(file.get_uint("qwen3.attention.head_count"), 4u);
    EXPECT_EQ(file.get_uint("qwen3.attention.head_count_kv"), 2u);
    EXPECT_EQ(file.get_uint("qwen3.attention.key_length"), 16u);
    EXPECT_EQ(file.get_uint("qwen3.attention.value_length"), 16u);
    ASSERT_NE(file.find("qwen3.rope.freq_base"), nullptr);
    EXPECT_EQ(file.find("qwen3.rope.freq_base")->as_double(), 1e6);

    EXPECT_EQ(file.get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(file.get_string("tokenizer.ggml.pre"), "qwen2");
    EXPECT_EQ(file.get_uint("tokenizer.ggml.bos_token_id"), 50256u);
    EXPECT_EQ(file.get_uint("tokenizer.ggml.eos_token_id"), 50258u);
    EXPECT_EQ(file.get_bool("tokenizer.ggml.add_bos_token"), false);
    const auto* tokens = file.find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    ASSERT_NE(tokens->as_array(), nullptr);
    EXPECT_EQ(tokens->as_array()->element_type, ValueType::string);
    EXPECT_EQ(tokens->as_array()->count, 50'263u);
    EXPECT_TRUE(tokens->as_array()->stored());
    const auto* merges = file.find("tokenizer.ggml.merges");
    ASSERT_NE(merges, nullptr);
    EXPECT_EQ(merges->as_array()->count, 50'000u);
    const auto chat_template = file.get_string("tokenizer.chat_template");
    ASSERT_TRUE(chat_template.has_value());
    EXPECT_NE(chat_template->find("<|im_start|>"), std::string::npos);
}

TEST(GgufFixtures, TinyQwen3WithTokenizerArraysSkipped) {
    const auto file = read_or_fail(model_file(), ReadOptions{1000});
    const auto* tokens = file.find("tokenizer.ggml.tokens")->as_array();
    EXPECT_EQ(tokens->count, 50'263u);
    EXPECT_EQ(tokens->element_type, ValueType::string);
    EXPECT_TRUE(tokens->elements.empty());
    EXPECT_FALSE(tokens->stored());
    // Keys after the skipped arrays are still read correctly.
    EXPECT_EQ(file.get_uint("tokenizer.ggml.bos_token_id"), 50256u);
    EXPECT_EQ(file.metadata.size(), 23u);
    EXPECT_EQ(file.tensors.size(), 25u);
    const auto* merges = file.find("tokenizer.ggml.merges")->as_array();
    EXPECT_EQ(merges->count, 50'000u);
    EXPECT_FALSE(merges->stored());
}

TEST(GgufFixtures, TinyQwen2aProjectorHeaderMatchesTheReadme) {
    const auto file = read_or_fail(projector_file());
    EXPECT_EQ(file.version, 3u);
    EXPECT_EQ(file.file_size, 610'944u);  // the same header length as the original, so the same size
    EXPECT_EQ(file.tensors.size(), 24u);
    EXPECT_EQ(file.metadata.size(), 13u);
    EXPECT_EQ(file.tensor_bytes(), 609'024u);
    EXPECT_EQ(type_counts(file), (std::map<GgmlType, int>{{GgmlType::f32, 22}, {GgmlType::f16, 2}}));
    EXPECT_EQ(file.get_string("general.architecture"), "clip");
    EXPECT_EQ(file.get_string("general.type"), "mmproj");
    EXPECT_EQ(file.get_bool("clip.has_audio_encoder"), true);
    EXPECT_EQ(file.get_string("clip.projector_type"), "qwen2a");
    EXPECT_EQ(file.get_uint("clip.audio.embedding_length"), 64u);
    EXPECT_EQ(file.get_uint("clip.audio.projection_dim"), 64u);
    EXPECT_EQ(file.get_uint("clip.audio.block_count"), 1u);
    EXPECT_EQ(file.get_uint("clip.audio.attention.head_count"), 4u);
    EXPECT_EQ(file.get_uint("clip.audio.feed_forward_length"), 128u);
    EXPECT_EQ(file.get_uint("clip.audio.num_mel_bins"), 128u);
}

TEST(GgufFixtures, SummariesOfTheModelAndItsProjector) {
    const auto model = summarize(read_or_fail(model_file()));
    EXPECT_EQ(model.architecture, "qwen3");
    EXPECT_EQ(model.name, "tiny-random-qwen3");
    EXPECT_EQ(model.parameter_count, 26'031'104u / 4);
    EXPECT_EQ(model.tensor_bytes, 26'031'104u);
    EXPECT_EQ(model.quantization, "F32");
    EXPECT_FALSE(model.quantization_from_tensors);
    EXPECT_EQ(model.context_length, 4096u);
    EXPECT_EQ(model.block_count, 2u);
    EXPECT_EQ(model.head_count, 4u);
    EXPECT_EQ(model.head_count_kv, (std::vector<std::uint64_t>{2, 2}));
    EXPECT_EQ(model.key_length, 16u);
    EXPECT_EQ(model.value_length, 16u);
    EXPECT_TRUE(model.has_chat_template);
    EXPECT_FALSE(model.is_projector);

    const auto projector = summarize(read_or_fail(projector_file()));
    EXPECT_TRUE(projector.is_projector);
    EXPECT_TRUE(projector.has_audio_encoder);
    EXPECT_FALSE(projector.has_vision_encoder);
    EXPECT_EQ(projector.projector_type, "qwen2a");
    EXPECT_EQ(projector.tensor_bytes, 609'024u);
    EXPECT_FALSE(projector.has_chat_template);

    // ctx 4096, f16: 2 layers × 4096 cells × 2 KV heads × (16 + 16) values × 2 bytes.
    const auto estimate = estimate_memory(model, projector, {4096, 1, GgmlType::f16, GgmlType::f16});
    EXPECT_TRUE(estimate.kv_shape_known);
    EXPECT_EQ(estimate.kv_cache, 2u * 4096 * 2 * 32 * 2);
    EXPECT_EQ(estimate.weights, 26'031'104u);
    EXPECT_EQ(estimate.projector, 609'024u);
    EXPECT_EQ(estimate.recurrent_state, 0u);
    EXPECT_EQ(estimate.total(), 26'031'104u + 609'024u + 2u * 4096 * 2 * 32 * 2 + kComputeAllowanceBytes);
}

}  // namespace
}  // namespace tunecap::gguf
