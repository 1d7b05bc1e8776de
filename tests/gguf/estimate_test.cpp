// SPDX-License-Identifier: GPL-3.0-or-later
// The ggml type table and the memory estimate's arithmetic, including its error against the real
// llama-server measurements in docs/perf/H100-FIGURES.md.

#include <gtest/gtest.h>

#include <cmath>

#include "gguf/ggml_type.hpp"
#include "gguf/memory_estimate.hpp"
#include "gguf/model_summary.hpp"

namespace tunecap::gguf {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

TEST(GgmlTypes, BlockSizesMatchGgml) {
    struct Expected {
        GgmlType type;
        std::uint32_t block, bytes;
    };
    const Expected expected[] = {
        {GgmlType::f32, 1, 4},         {GgmlType::f16, 1, 2},        {GgmlType::bf16, 1, 2},
        {GgmlType::q4_0, 32, 18},      {GgmlType::q4_1, 32, 20},     {GgmlType::q5_0, 32, 22},
        {GgmlType::q5_1, 32, 24},      {GgmlType::q8_0, 32, 34},     {GgmlType::q8_1, 32, 36},
        {GgmlType::q2_k, 256, 84},     {GgmlType::q3_k, 256, 110},   {GgmlType::q4_k, 256, 144},
        {GgmlType::q5_k, 256, 176},    {GgmlType::q6_k, 256, 210},   {GgmlType::q8_k, 256, 292},
        {GgmlType::iq2_xxs, 256, 66},  {GgmlType::iq2_xs, 256, 74},  {GgmlType::iq3_xxs, 256, 98},
        {GgmlType::iq1_s, 256, 50},    {GgmlType::iq4_nl, 32, 18},   {GgmlType::iq3_s, 256, 110},
        {GgmlType::iq2_s, 256, 82},    {GgmlType::iq4_xs, 256, 136}, {GgmlType::iq1_m, 256, 56},
        {GgmlType::tq1_0, 256, 54},    {GgmlType::tq2_0, 256, 66},   {GgmlType::mxfp4, 32, 17},
        {GgmlType::nvfp4, 64, 36},     {GgmlType::q1_0, 128, 18},    {GgmlType::i8, 1, 1},
        {GgmlType::i16, 1, 2},         {GgmlType::i32, 1, 4},        {GgmlType::i64, 1, 8},
        {GgmlType::f64, 1, 8},
    };
    for (const auto& e : expected) {
        const auto t = traits(e.type);
        EXPECT_EQ(t.block_size, e.block) << t.name;
        EXPECT_EQ(t.type_size, e.bytes) << t.name;
        EXPECT_EQ(parse_ggml_type(t.name), e.type) << t.name;
    }
}

TEST(GgmlTypes, RemovedAndUnknownIdsHaveNoTraits) {
    for (const std::uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 42u, 1000u}) {
        EXPECT_FALSE(ggml_type_traits(id).has_value()) << id;
    }
    EXPECT_EQ(parse_ggml_type("Q4_0"), GgmlType::q4_0);
    EXPECT_EQ(parse_ggml_type("q4_k"), GgmlType::q4_k);
    EXPECT_EQ(parse_ggml_type("q4"), std::nullopt);
    EXPECT_EQ(ggml_bytes(GgmlType::q4_0, 64), 36u);
    EXPECT_EQ(ggml_bytes(GgmlType::q4_0, 48), std::nullopt);
    EXPECT_EQ(ggml_bytes(GgmlType::f64, ~0ull / 4), std::nullopt);
}

TEST(GgufEstimate, RowBytesRoundUpPartialBlocks) {
    EXPECT_EQ(row_bytes(GgmlType::f16, 256), 512u);
    EXPECT_EQ(row_bytes(GgmlType::q8_0, 256), 8u * 34);
    EXPECT_EQ(row_bytes(GgmlType::q4_0, 256), 8u * 18);
    EXPECT_EQ(row_bytes(GgmlType::q4_0, 48), 2u * 18);
}

ModelSummary transformer(std::uint64_t tensor_bytes, std::uint64_t layers, std::uint64_t kv_heads, std::uint64_t head) {
    ModelSummary s;
    s.tensor_bytes = tensor_bytes;
    s.block_count = layers;
    s.head_count_kv.assign(layers, kv_heads);
    s.key_length = head;
    s.value_length = head;
    return s;
}

TEST(GgufEstimate, KvCacheArithmeticForEachCacheType) {
    const auto model = transformer(1000, 2, 2, 16);
    // 2 layers × ctx 4096 × 2 heads × 16 values, K and V.
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 1, GgmlType::f16, GgmlType::f16}).kv_cache, 2u * 4096 * 2 * (32 + 32));
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 1, GgmlType::f32, GgmlType::f32}).kv_cache, 2u * 4096 * 4 * (32 + 32));
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 1, GgmlType::q8_0, GgmlType::q8_0}).kv_cache, 2u * 4096 * (34 + 34));
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 1, GgmlType::q4_0, GgmlType::q4_0}).kv_cache, 2u * 4096 * (18 + 18));
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 1, GgmlType::q8_0, GgmlType::f16}).kv_cache, 2u * 4096 * (34 + 64));
    // Slots share ctx (llama-server's -c): they do not multiply the KV cache.
    EXPECT_EQ(estimate_memory(model, std::nullopt, {4096, 4, GgmlType::f16, GgmlType::f16}).kv_cache, 2u * 4096 * 2 * (32 + 32));

    ModelSummary projector;
    projector.is_projector = true;
    projector.tensor_bytes = 500;
    const auto estimate = estimate_memory(model, projector, {4096, 1, GgmlType::f16, GgmlType::f16});
    EXPECT_EQ(estimate.weights, 1000u);
    EXPECT_EQ(estimate.projector, 500u);
    EXPECT_EQ(estimate.compute_allowance, kComputeAllowanceBytes);
    EXPECT_EQ(estimate.total(), 1000u + 500u + 2u * 4096 * 2 * 64 + kComputeAllowanceBytes);
}

TEST(GgufEstimate, PerLayerKvHeadsSkipRecurrentLayers) {
    auto model = transformer(0, 4, 0, 128);
    model.head_count_kv = {8, 0, 0, 2};
    const auto estimate = estimate_memory(model, std::nullopt, {1024, 1, GgmlType::f16, GgmlType::f16});
    EXPECT_EQ(estimate.kv_cache, 1024u * (8 + 2) * 128 * 2 * 2);
    EXPECT_TRUE(estimate.kv_shape_known);
    EXPECT_EQ(estimate.recurrent_state, 0u);  // no ssm keys: nothing to size the state with
}

TEST(GgufEstimate, UnknownShapeIsFlagged) {
    ModelSummary model;
    model.tensor_bytes = 10;
    const auto estimate = estimate_memory(model, std::nullopt, {4096, 1, GgmlType::f16, GgmlType::f16});
    EXPECT_FALSE(estimate.kv_shape_known);
    EXPECT_EQ(estimate.kv_cache, 0u);

    ModelSummary mamba;
    mamba.block_count = 2;
    mamba.ssm = {4, 64, 16, 1};
    const auto recurrent = estimate_memory(mamba, std::nullopt, {4096, 3, GgmlType::f16, GgmlType::f16});
    EXPECT_TRUE(recurrent.kv_shape_known);
    EXPECT_EQ(recurrent.recurrent_state, 2u * 3 * (3 * (64 + 2 * 16) + 16 * 64) * 4);
}

// docs/perf/H100-FIGURES.md: real llama-server, one H100, -fa on, -c 32768, Q4_K_M weights
// in the real shapes. The estimate must not be below any measurement (a "fits" verdict has to be
// trustworthy) and stays within 0.15 GiB above it.
struct Measured {
    const char* what;
    double file_gib, projector_gib;
    std::uint64_t layers, kv_heads, head;
    GgmlType cache;
    double measured_gib;
};

TEST(GgufEstimate, WithinAFewPercentOfTheH100Measurements) {
    const Measured figures[] = {
        {"14B (Qwen3-14B shape), KV f16", 8.38, 0, 40, 8, 128, GgmlType::f16, 14.0},
        {"14B (Qwen3-14B shape), KV q4_0", 8.38, 0, 40, 8, 128, GgmlType::q4_0, 10.4},
        {"7B + audio (Qwen2.5-7B shape + Whisper-large-v3 projector), KV f16", 4.36, 1.20, 28, 4, 128, GgmlType::f16, 8.0},
        {"7B + audio (Qwen2.5-7B shape + Whisper-large-v3 projector), KV q4_0", 4.36, 1.20, 28, 4, 128, GgmlType::q4_0, 6.7},
    };
    for (const auto& f : figures) {
        const auto model = transformer(static_cast<std::uint64_t>(f.file_gib * kGiB), f.layers, f.kv_heads, f.head);
        std::optional<ModelSummary> projector;
        if (f.projector_gib > 0) {
            projector.emplace();
            projector->is_projector = true;
            projector->tensor_bytes = static_cast<std::uint64_t>(f.projector_gib * kGiB);
        }
        const auto estimate = estimate_memory(model, projector, {32768, 4, f.cache, f.cache});
        const double total = static_cast<double>(estimate.total()) / kGiB;
        const double error = total - f.measured_gib;
        EXPECT_GE(error, 0.0) << f.what << ": estimate " << total << " GiB";
        EXPECT_LE(error, 0.15) << f.what << ": estimate " << total << " GiB";
        EXPECT_LE(std::abs(error) / f.measured_gib, 0.02) << f.what;
    }
}

}  // namespace
}  // namespace tunecap::gguf
