// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a GGUF header says about a model, in the terms tunecap plans with: its shape (for the KV
// cache), its size (for the weights), its chat template and, for an mmproj, its encoders.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf.hpp"

namespace tunecap::gguf {

// Mamba-style recurrent layers (<arch>.ssm.*); all zero for a pure transformer.
struct SsmShape {
    std::uint64_t conv_kernel = 0;
    std::uint64_t inner_size = 0;
    std::uint64_t state_size = 0;
    std::uint64_t group_count = 0;
};

struct ModelSummary {
    std::filesystem::path path;
    std::uint64_t file_size = 0;
    std::uint32_t gguf_version = 0;
    std::string architecture;  // general.architecture; empty when the file has none
    std::string name;          // general.name
    std::string type;          // general.type ("model", "mmproj", ...); often absent in models

    std::uint64_t parameter_count = 0;  // sum of tensor element counts (all experts of a MoE)
    std::uint64_t tensor_bytes = 0;     // sum of tensor byte sizes
    // llama.cpp's name for general.file_type ("Q4_K_M", "F16", "MXFP4_MOE"); when the file has no
    // known file_type, the name of the tensor type holding the most bytes ("Q4_K") and
    // quantization_from_tensors is set.
    std::string quantization;
    bool quantization_from_tensors = false;

    std::optional<std::uint64_t> context_length;    // <arch>.context_length: the trained context
    std::optional<std::uint64_t> block_count;       // <arch>.block_count: layers
    std::optional<std::uint64_t> embedding_length;  // <arch>.embedding_length
    std::optional<std::uint64_t> head_count;        // <arch>.attention.head_count (largest, if per layer)
    // KV heads of each layer: <arch>.attention.head_count_kv, a scalar for every layer or an array
    // with one entry per layer (0 for the recurrent layers of a hybrid); defaults to head_count as
    // in llama.cpp. Empty when neither is in the file.
    std::vector<std::uint64_t> head_count_kv;
    std::optional<std::uint64_t> key_length;    // <arch>.attention.key_length, else embedding / heads
    std::optional<std::uint64_t> value_length;  // <arch>.attention.value_length, else embedding / heads
    SsmShape ssm;
    bool has_chat_template = false;  // tokenizer.chat_template

    // Projector (mmproj) facts: general.type == "mmproj" or architecture "clip".
    bool is_projector = false;
    bool has_audio_encoder = false;   // clip.has_audio_encoder
    bool has_vision_encoder = false;  // clip.has_vision_encoder
    std::string projector_type;       // clip.projector_type (or clip.audio./clip.vision.projector_type)

    // Layers with at least one KV head: the ones that hold a KV cache.
    std::uint64_t attention_layers() const;
    // Layers that hold recurrent state instead: those with 0 KV heads, or every layer of a model
    // with SSM keys and no attention heads at all.
    std::uint64_t recurrent_layers() const;
    std::uint64_t max_head_count_kv() const;
};

ModelSummary summarize(const GgufFile& file);

// llama.cpp's name for a general.file_type value (llama_ftype), e.g. 15 -> "Q4_K_M"; nullopt when
// unknown. The "guessed" flag (1024) adds " (guessed)".
std::optional<std::string> file_type_name(std::uint64_t file_type);

}  // namespace tunecap::gguf
