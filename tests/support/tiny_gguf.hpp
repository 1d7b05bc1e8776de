// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Two small model files written at test time, twins of the ones llama.cpp's gguf-py wrote for the
// project (tiny-qwen3.gguf and tiny-qwen2a-mmproj.gguf: random weights, loadable by a real
// llama-server; tests/data/README.md). Each twin has the original's metadata keys in the same order
// with the same scalar values, and the same tensor names, types and shapes, so the header facts of
// the originals hold for it. What differs: the tokenizer arrays hold placeholder strings (same type
// and count; the special tokens at the end are the real ones), the chat template is a short
// ChatML one, and the tensor data are zeros, left as a hole in a sparse file, so the 26 MB of
// weights cost neither disk nor time.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gguf_writer.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {

struct TinyTensor {
    std::string name;
    std::vector<std::uint64_t> dims;  // ggml order: dims[0] is the contiguous one
    gguf::GgmlType type = gguf::GgmlType::f32;
};

struct TinyGguf {
    std::vector<std::pair<std::string, gguf::MetadataValue>> metadata;
    std::vector<TinyTensor> tensors;
};

// Sized here rather than with the reader's own tables, so a test of those tables can fail.
inline std::uint64_t tiny_tensor_bytes(const TinyTensor& tensor) {
    std::uint64_t elements = 1;
    for (const auto d : tensor.dims) elements *= d;
    switch (tensor.type) {
    case gguf::GgmlType::f32: return elements * 4;
    case gguf::GgmlType::f16: return elements * 2;
    default: throw std::invalid_argument("tiny GGUF: only f32 and f16 tensors are written");
    }
}

// Header, metadata and tensor infos, padded to the default alignment of 32; each tensor's data
// starts at the next multiple of 32, as gguf-py lays them out. The file then grows to its full
// size with zeros (a hole) where the tensor data go.
inline void write_tiny_gguf(const std::filesystem::path& path, const TinyGguf& spec) {
    constexpr std::uint64_t kAlignment = 32;
    GgufWriter writer;
    writer.header(3, spec.tensors.size(), spec.metadata.size());
    for (const auto& [key, value] : spec.metadata) writer.entry(key, value);
    std::uint64_t offset = 0;
    for (const auto& tensor : spec.tensors) {
        writer.tensor(tensor.name, tensor.dims, tensor.type, offset);
        offset += tiny_tensor_bytes(tensor);
        offset = (offset + kAlignment - 1) / kAlignment * kAlignment;
    }
    writer.pad_to(kAlignment);
    writer.save(path);
    std::filesystem::resize_file(path, writer.size() + offset);
}

inline gguf::MetadataValue u32_value(std::uint32_t v) { return {v}; }
inline gguf::MetadataValue f32_value(float v) { return {v}; }
inline gguf::MetadataValue string_value(std::string v) { return {std::move(v)}; }

// tiny-qwen3.gguf: 25 F32 tensors (26,031,104 bytes of data), 23 metadata keys, Qwen3 with a
// 64-wide embedding, 2 blocks, 4 heads (2 KV heads) of 16, a 50,263-token GPT-2 style vocabulary.
inline TinyGguf tiny_qwen3() {
    constexpr std::uint32_t kVocab = 50'263;
    constexpr std::uint32_t kMerges = 50'000;
    const std::vector<std::string> specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>",
                                               "</think>",      "<tool_call>",  "</tool_call>"};
    std::vector<gguf::MetadataValue> tokens;
    std::vector<gguf::MetadataValue> token_types;
    const auto first_special = static_cast<std::uint32_t>(kVocab - specials.size());
    for (std::uint32_t i = 0; i < kVocab; ++i) {
        if (i < first_special) {
            tokens.push_back(string_value("t" + std::to_string(i)));
            token_types.push_back({std::int32_t{1}});  // normal
        } else {
            // The first three specials are control tokens (3), the rest user-defined (4), as in the original.
            tokens.push_back(string_value(specials[i - first_special]));
            token_types.push_back({std::int32_t{i - first_special < 3 ? 3 : 4}});
        }
    }
    std::vector<gguf::MetadataValue> merges;
    for (std::uint32_t i = 0; i < kMerges; ++i) merges.push_back(string_value("t" + std::to_string(i) + " t" + std::to_string(i + 1)));

    TinyGguf spec;
    spec.metadata = {
        {"general.architecture", string_value("qwen3")},
        {"general.name", string_value("tiny-random-qwen3")},
        {"general.file_type", u32_value(0)},
        {"qwen3.context_length", u32_value(4096)},
        {"qwen3.embedding_length", u32_value(64)},
        {"qwen3.block_count", u32_value(2)},
        {"qwen3.feed_forward_length", u32_value(128)},
        {"qwen3.attention.head_count", u32_value(4)},
        {"qwen3.attention.head_count_kv", u32_value(2)},
        {"qwen3.rope.freq_base", f32_value(1e6f)},
        {"qwen3.attention.layer_norm_rms_epsilon", f32_value(1e-6f)},
        {"qwen3.attention.key_length", u32_value(16)},
        {"qwen3.attention.value_length", u32_value(16)},
        {"tokenizer.ggml.model", string_value("gpt2")},
        {"tokenizer.ggml.pre", string_value("qwen2")},
        {"tokenizer.ggml.tokens", array_of(gguf::ValueType::string, std::move(tokens))},
        {"tokenizer.ggml.token_type", array_of(gguf::ValueType::i32, std::move(token_types))},
        {"tokenizer.ggml.merges", array_of(gguf::ValueType::string, std::move(merges))},
        {"tokenizer.ggml.bos_token_id", u32_value(50256)},
        {"tokenizer.ggml.eos_token_id", u32_value(50258)},
        {"tokenizer.ggml.padding_token_id", u32_value(50256)},
        {"tokenizer.ggml.add_bos_token", {false}},
        {"tokenizer.chat_template",
         string_value("{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + "
                      "'<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
                      "{%- endif %}")},
    };
    spec.tensors = {{"token_embd.weight", {64, kVocab}}, {"output_norm.weight", {64}}, {"output.weight", {64, kVocab}}};
    for (int block = 0; block < 2; ++block) {
        const std::string b = "blk." + std::to_string(block) + ".";
        const std::vector<TinyTensor> layer = {
            {b + "attn_norm.weight", {64}},        {b + "attn_q.weight", {64, 64}},  {b + "attn_k.weight", {64, 32}},
            {b + "attn_v.weight", {64, 32}},       {b + "attn_q_norm.weight", {16}}, {b + "attn_k_norm.weight", {16}},
            {b + "attn_output.weight", {64, 64}},  {b + "ffn_norm.weight", {64}},    {b + "ffn_gate.weight", {64, 128}},
            {b + "ffn_up.weight", {64, 128}},      {b + "ffn_down.weight", {128, 64}}};
        spec.tensors.insert(spec.tensors.end(), layer.begin(), layer.end());
    }
    return spec;
}

// tiny-qwen2a-mmproj.gguf: a Qwen2-Audio projector, 24 tensors (2 F16, 22 F32; 609,024 bytes of
// data), 13 metadata keys.
inline TinyGguf tiny_qwen2a_mmproj() {
    using gguf::GgmlType;
    TinyGguf spec;
    spec.metadata = {
        {"general.architecture", string_value("clip")},
        {"general.type", string_value("mmproj")},
        {"general.name", string_value("tiny-random-qwen2a-mmproj")},
        {"general.file_type", u32_value(0)},
        {"clip.has_audio_encoder", {true}},
        {"clip.projector_type", string_value("qwen2a")},
        {"clip.audio.projection_dim", u32_value(64)},
        {"clip.audio.embedding_length", u32_value(64)},
        {"clip.audio.feed_forward_length", u32_value(128)},
        {"clip.audio.block_count", u32_value(1)},
        {"clip.audio.attention.head_count", u32_value(4)},
        {"clip.audio.attention.layer_norm_epsilon", f32_value(1e-5f)},
        {"clip.audio.num_mel_bins", u32_value(128)},
    };
    spec.tensors = {
        {"a.conv1d.1.weight", {3, 128, 64}, GgmlType::f16},
        {"a.conv1d.1.bias", {1, 64}},
        {"a.conv1d.2.weight", {3, 64, 64}, GgmlType::f16},
        {"a.conv1d.2.bias", {1, 64}},
        {"a.position_embd.weight", {64, 1500}},
        {"a.blk.0.ln1.weight", {64}},
        {"a.blk.0.ln1.bias", {64}},
        {"a.blk.0.attn_q.weight", {64, 64}},
        {"a.blk.0.attn_q.bias", {64}},
        {"a.blk.0.attn_k.weight", {64, 64}},
        {"a.blk.0.attn_v.weight", {64, 64}},
        {"a.blk.0.attn_v.bias", {64}},
        {"a.blk.0.attn_out.weight", {64, 64}},
        {"a.blk.0.attn_out.bias", {64}},
        {"a.blk.0.ln2.weight", {64}},
        {"a.blk.0.ln2.bias", {64}},
        {"a.blk.0.ffn_up.weight", {64, 128}},
        {"a.blk.0.ffn_up.bias", {128}},
        {"a.blk.0.ffn_down.weight", {128, 64}},
        {"a.blk.0.ffn_down.bias", {64}},
        {"a.post_ln.weight", {64}},
        {"a.post_ln.bias", {64}},
        {"mm.a.fc.weight", {64, 64}},
        {"mm.a.fc.bias", {64}},
    };
    return spec;
}

// The two twins under `dir`, named as the originals; returns {model, projector}.
struct TinyModelFiles {
    std::filesystem::path model;
    std::filesystem::path projector;
};
inline TinyModelFiles write_tiny_models(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    TinyModelFiles files{dir / "tiny-qwen3.gguf", dir / "tiny-qwen2a-mmproj.gguf"};
    write_tiny_gguf(files.model, tiny_qwen3());
    write_tiny_gguf(files.projector, tiny_qwen2a_mmproj());
    return files;
}

// One pair for the whole test program, written on first use (ctest runs each test in its own
// process, so tests that do not ask pay nothing) and removed at exit.
inline const TinyModelFiles& shared_tiny_models() {
    static const TempDir dir;
    static const TinyModelFiles files = write_tiny_models(dir.path());
    return files;
}

}  // namespace tunecap::testing
