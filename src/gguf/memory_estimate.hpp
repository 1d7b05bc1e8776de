// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GPU memory a llama-server needs for a model, estimated from GGUF headers before anything loads.
//
//   weights          = the model's tensor bytes (every layer offloaded: -ngl 999)
//   KV cache         = Σ over attention layers of ctx × kv_heads × (key_len × bytes/elem(K)
//                      + value_len × bytes/elem(V)), bytes/elem from the ggml block sizes
//                      (f16 2, q8_0 34/32, q4_0 18/32 ...)
//   recurrent state  = recurrent layers × slots × ((conv_kernel − 1) × (inner + 2 × groups × state)
//                      + state × inner) × 4 bytes (llama.cpp keeps Mamba state in f32, per sequence)
//   projector        = the mmproj's tensor bytes
//   compute          = kComputeAllowanceBytes, fixed (see below)
//
// `ctx` is llama-server's -c: the KV cells of all slots together (with -np N and no -kvu each slot
// gets ctx / N), so slots do not multiply the KV cache.
//
// Known over-estimates, all on the safe side of a budget check: the token-embedding matrix is
// counted in the weights though llama.cpp keeps it in host memory (~0.3-0.4 GiB for 7B-14B
// models at Q4_K_M); sliding-window layers (gpt-oss, Gemma 3) are counted at the full ctx.

#include <cstdint>
#include <optional>

#include "gguf/ggml_type.hpp"
#include "gguf/model_summary.hpp"

namespace tunecap::gguf {

// Compute buffers, CUDA context and everything else that is not weights or cache, as one fixed
// allowance. Fitted to the four measurements in docs/perf/H100-FIGURES.md (one H100, CUDA
// build, -fa on, ubatch 512, ctx 32768, Q4_K_M weights), where it leaves:
//   14B (Qwen3-14B shape, 8.38 GiB file, 40 layers × 8 KV heads × 128):
//     q4_0 KV 1.41 GiB -> 8.38 + 1.41 + 0.75 = 10.54 GiB vs 10.4 measured (+0.14, +1.3%)
//     f16  KV 5.00 GiB -> 8.38 + 5.00 + 0.75 = 14.13 GiB vs 14.0 measured (+0.13, +0.9%)
//   7B + audio (Qwen2.5-7B shape, 4.36 GiB + 1.20 GiB projector, 28 layers × 4 KV heads × 128):
//     q4_0 KV 0.49 GiB -> 6.80 GiB vs 6.7 measured (+0.10, +1.5%)
//     f16  KV 1.75 GiB -> 8.06 GiB vs 8.0 measured (+0.06, +0.8%)
// The measured remainder was 0.61-0.69 GiB; 0.75 keeps every estimate slightly above the truth.
// Not derived from first principles, so expect larger errors elsewhere: the CUDA context is
// smaller on consumer cards and varies by driver, compute buffers grow with ubatch and vocabulary
// size, and without flash attention they also grow with ctx.
inline constexpr std::uint64_t kComputeAllowanceBytes = 768ull << 20;

struct EstimateParams {
    std::uint64_t ctx = 0;    // llama-server -c
    std::uint32_t slots = 1;  // llama-server -np
    GgmlType cache_type_k = GgmlType::f16;
    GgmlType cache_type_v = GgmlType::f16;
};

struct MemoryEstimate {
    std::uint64_t weights = 0;
    std::uint64_t kv_cache = 0;
    std::uint64_t recurrent_state = 0;
    std::uint64_t projector = 0;
    std::uint64_t compute_allowance = kComputeAllowanceBytes;
    // False when the header lacks the layer count, KV heads or head size of a model that is not
    // purely recurrent: kv_cache is then 0 and the total too low.
    bool kv_shape_known = true;

    std::uint64_t total() const { return weights + kv_cache + recurrent_state + projector + compute_allowance; }
};

// Bytes of one row of `elements` values stored as `type`, as ggml_row_size() computes it; a row
// that is not a whole number of blocks is rounded up to one.
std::uint64_t row_bytes(GgmlType type, std::uint64_t elements);

MemoryEstimate estimate_memory(const ModelSummary& model, const std::optional<ModelSummary>& projector,
                               const EstimateParams& params);

}  // namespace tunecap::gguf
