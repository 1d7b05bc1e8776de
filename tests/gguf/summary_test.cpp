// SPDX-License-Identifier: GPL-3.0-or-later
// summarize(): shape keys, per-layer KV heads of a hybrid, quantization names and fallbacks.

#include <gtest/gtest.h>

#include "gguf/ggml_type.hpp"
#include "gguf/memory_estimate.hpp"
#include "gguf/model_summary.hpp"
#include "gguf_writer.hpp"
#include "temp_dir.hpp"

namespace tunecap::gguf {
namespace {

using testing::array_of;
using testing::GgufWriter;
using testing::TempDir;
using V = MetadataValue;

GgufFile read_written(const TempDir& temp, const std::vector<MetadataEntry>& metadata,
                      const std::vector<TensorInfo>& tensors) {
    GgufWriter w;
    w.header(3, tensors.size(), metadata.size());
    for (const auto& entry : metadata) w.entry(entry.key, entry.value);
    std::uint64_t end = 0;
    for (const auto& t : tensors) {
        w.tensor(t.name, t.dims, t.type, t.offset);
        end = std::max(end, t.offset + t.byte_size());
    }
    w.pad_to(32).zeros(end);
    const auto path = temp / "model.gguf";
    w.save(path);
    auto file = read_gguf(path);
    if (!file) throw std::runtime_error(file.error().message);
    return std::move(file).take();
}

V per_layer_u32(std::vector<std::uint32_t> values) {
    std::vector<V> elements;
    for (auto v : values) elements.push_back(V{v});
    return array_of(ValueType::u32, elements);
}

TEST(GgufSummary, HybridWithPerLayerKvHeadsCountsOnlyAttentionLayers) {
    TempDir temp;
    const auto file = read_written(temp,
                                   {
                                       {"general.architecture", V{std::string("granitehybrid")}},
                                       {"granitehybrid.block_count", V{std::uint32_t{6}}},
                                       {"granitehybrid.context_length", V{std::uint32_t{131072}}},
                                       {"granitehybrid.embedding_length", V{std::uint32_t{512}}},
                                       {"granitehybrid.attention.head_count", V{std::uint32_t{8}}},
                                       {"granitehybrid.attention.head_count_kv", per_layer_u32({0, 0, 4, 0, 0, 4})},
                                       {"granitehybrid.ssm.conv_kernel", V{std::uint32_t{4}}},
                                       {"granitehybrid.ssm.inner_size", V{std::uint32_t{1024}}},
                                       {"granitehybrid.ssm.state_size", V{std::uint32_t{128}}},
                                       {"granitehybrid.ssm.group_count", V{std::uint32_t{1}}},
                                   },
                                   {{"blk.0.ssm_in.weight", {256, 4}, GgmlType::q4_k, 0},
                                    {"blk.0.norm.weight", {64}, GgmlType::f32, 576}});
    const auto s = summarize(file);
    EXPECT_EQ(s.architecture, "granitehybrid");
    EXPECT_EQ(s.head_count_kv, (std::vector<std::uint64_t>{0, 0, 4, 0, 0, 4}));
    EXPECT_EQ(s.attention_layers(), 2u);
    EXPECT_EQ(s.recurrent_layers(), 4u);
    EXPECT_EQ(s.max_head_count_kv(), 4u);
    // No key_length in the file: embedding_length / head_count.
    EXPECT_EQ(s.key_length, 64u);
    EXPECT_EQ(s.value_length, 64u);
    EXPECT_EQ(s.ssm.inner_size, 1024u);
    // No general.file_type: the tensor type holding the most bytes (576 q4_K vs 256 f32).
    EXPECT_EQ(s.quantization, "Q4_K");
    EXPECT_TRUE(s.quantization_from_tensors);
    EXPECT_EQ(s.parameter_count, 1024u + 64u);
    EXPECT_FALSE(s.has_chat_template);

    // KV: 2 attention layers × 4096 cells × (K + V rows of 4 heads × 64 values in q8_0: 8 blocks × 34 bytes).
    // Recurrent: 4 layers × 2 slots × ((4 - 1) × (1024 + 2 × 1 × 128) + 128 × 1024) values × 4 bytes.
    const auto estimate = estimate_memory(s, std::nullopt, {4096, 2, GgmlType::q8_0, GgmlType::q8_0});
    EXPECT_TRUE(estimate.kv_shape_known);
    EXPECT_EQ(estimate.kv_cache, 2u * 4096 * (272 + 272));
    EXPECT_EQ(estimate.recurrent_state, 4u * 2 * (3 * 1280 + 128 * 1024) * 4);
    EXPECT_EQ(estimate.weights, 576u + 256u);
}

TEST(GgufSummary, ScalarKvHeadsAndExplicitHeadSizes) {
    TempDir temp;
    const auto file = read_written(temp,
                                   {
                                       {"general.architecture", V{std::string("llama")}},
                                       {"general.file_type", V{std::uint32_t{15}}},
                                       {"llama.block_count", V{std::uint64_t{3}}},
                                       {"llama.embedding_length", V{std::uint32_t{4096}}},
                                       {"llama.attention.head_count", V{std::int32_t{32}}},
                                       {"llama.attention.head_count_kv", V{std::uint16_t{8}}},
                                       {"llama.attention.key_length", V{std::uint32_t{192}}},
                                       {"llama.attention.value_length", V{std::uint32_t{128}}},
                                       {"tokenizer.chat_template", V{std::string("{{ messages }}")}},
                                   },
                                   {});
    const auto s = summarize(file);
    EXPECT_EQ(s.quantization, "Q4_K_M");
    EXPECT_FALSE(s.quantization_from_tensors);
    EXPECT_EQ(s.head_count, 32u);
    EXPECT_EQ(s.head_count_kv, (std::vector<std::uint64_t>{8, 8, 8}));
    EXPECT_EQ(s.key_length, 192u);
    EXPECT_EQ(s.value_length, 128u);
    EXPECT_TRUE(s.has_chat_template);
    EXPECT_EQ(s.context_length, std::nullopt);
}

TEST(GgufSummary, MissingKvHeadsDefaultToHeadCountAndShortArraysPadWithZero) {
    TempDir temp;
    const auto defaulted = summarize(read_written(temp,
                                                  {{"general.architecture", V{std::string("gpt2")}},
                                                   {"gpt2.block_count", V{std::uint32_t{2}}},
                                                   {"gpt2.attention.head_count", V{std::uint32_t{12}}}},
                                                  {}));
    EXPECT_EQ(defaulted.head_count_kv, (std::vector<std::uint64_t>{12, 12}));
    EXPECT_EQ(defaulted.key_length, std::nullopt);

    const auto padded = summarize(read_written(temp,
                                               {{"general.architecture", V{std::string("x")}},
                                                {"x.block_count", V{std::uint32_t{4}}},
                                                {"x.attention.head_count", V{std::uint32_t{4}}},
                                                {"x.attention.head_count_kv", per_layer_u32({2, 0})}},
                                               {}));
    EXPECT_EQ(padded.head_count_kv, (std::vector<std::uint64_t>{2, 0, 0, 0}));
}

TEST(GgufSummary, FileTypeNamesFollowLlamaQuantize) {
    EXPECT_EQ(file_type_name(0), "F32");
    EXPECT_EQ(file_type_name(1), "F16");
    EXPECT_EQ(file_type_name(2), "Q4_0");
    EXPECT_EQ(file_type_name(7), "Q8_0");
    EXPECT_EQ(file_type_name(15), "Q4_K_M");
    EXPECT_EQ(file_type_name(18), "Q6_K");
    EXPECT_EQ(file_type_name(30), "IQ4_XS");
    EXPECT_EQ(file_type_name(32), "BF16");
    EXPECT_EQ(file_type_name(38), "MXFP4_MOE");
    EXPECT_EQ(file_type_name(1024 + 15), "Q4_K_M (guessed)");
    EXPECT_EQ(file_type_name(5), std::nullopt);
    EXPECT_EQ(file_type_name(999), std::nullopt);
}

}  // namespace
}  // namespace tunecap::gguf
