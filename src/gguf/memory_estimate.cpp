// SPDX-License-Identifier: GPL-3.0-or-later
#include "gguf/memory_estimate.hpp"

namespace tunecap::gguf {
namespace {

// llama.cpp stores recurrent (conv and SSM) state as f32.
constexpr std::uint64_t kRecurrentStateBytesPerValue = 4;

}  // namespace

std::uint64_t row_bytes(GgmlType type, std::uint64_t elements) {
    const auto t = traits(type);
    const std::uint64_t blocks = (elements + t.block_size - 1) / t.block_size;
    return blocks * t.type_size;
}

MemoryEstimate estimate_memory(const ModelSummary& model, const std::optional<ModelSummary>& projector,
                               const EstimateParams& params) {
    MemoryEstimate estimate;
    estimate.weights = model.tensor_bytes;
    if (projector) estimate.projector = projector->tensor_bytes;

    const std::uint64_t attention_layers = model.attention_layers();
    const std::uint64_t recurrent_layers = model.recurrent_layers();
    if (attention_layers > 0 && model.key_length && model.value_length) {
        for (const auto kv_heads : model.head_count_kv) {
            if (kv_heads == 0) continue;  // a recurrent layer of a hybrid: no KV cache
            const std::uint64_t k_row = row_bytes(params.cache_type_k, kv_heads * *model.key_length);
            const std::uint64_t v_row = row_bytes(params.cache_type_v, kv_heads * *model.value_length);
            estimate.kv_cache += params.ctx * (k_row + v_row);
        }
    } else {
        // Only a projector or a purely recurrent model legitimately has no KV shape.
        const bool purely_recurrent = attention_layers == 0 && recurrent_layers > 0;
        estimate.kv_shape_known = model.is_projector || purely_recurrent;
    }

    if (recurrent_layers > 0) {
        const auto& ssm = model.ssm;
        const std::uint64_t conv = (ssm.conv_kernel > 0 ? ssm.conv_kernel - 1 : 0) *
                                   (ssm.inner_size + 2 * ssm.group_count * ssm.state_size);
        const std::uint64_t state = ssm.state_size * ssm.inner_size;
        estimate.recurrent_state = recurrent_layers * params.slots * (conv + state) * kRecurrentStateBytesPerValue;
    }
    return estimate;
}

}  // namespace tunecap::gguf
