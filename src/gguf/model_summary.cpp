// SPDX-License-Identifier: GPL-3.0-or-later
#include "gguf/model_summary.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "core/text.hpp"

namespace tunecap::gguf {
namespace {

// llama_ftype (llama.h) as llama-quantize spells it. Ids 4-6 and 33-35 were removed upstream;
// 4 is kept because old files still carry it.
constexpr std::array<std::pair<std::uint64_t, std::string_view>, 36> kFileTypes = {{
    {0, "F32"},        {1, "F16"},        {2, "Q4_0"},      {3, "Q4_1"},     {4, "Q4_1_SOME_F16"},
    {7, "Q8_0"},       {8, "Q5_0"},       {9, "Q5_1"},      {10, "Q2_K"},    {11, "Q3_K_S"},
    {12, "Q3_K_M"},    {13, "Q3_K_L"},    {14, "Q4_K_S"},   {15, "Q4_K_M"},  {16, "Q5_K_S"},
    {17, "Q5_K_M"},    {18, "Q6_K"},      {19, "IQ2_XXS"},  {20, "IQ2_XS"},  {21, "Q2_K_S"},
    {22, "IQ3_XS"},    {23, "IQ3_XXS"},   {24, "IQ1_S"},    {25, "IQ4_NL"},  {26, "IQ3_S"},
    {27, "IQ3_M"},     {28, "IQ2_S"},     {29, "IQ2_M"},    {30, "IQ4_XS"},  {31, "IQ1_M"},
    {32, "BF16"},      {36, "TQ1_0"},     {37, "TQ2_0"},    {38, "MXFP4_MOE"}, {39, "NVFP4"},
    {40, "Q1_0"},
}};
// LLAMA_FTYPE_GUESSED: set when llama.cpp inferred the type instead of reading it.
constexpr std::uint64_t kGuessedFlag = 1024;

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

// A scalar for every layer, or an array with one integer per layer. Layers missing from a short
// array count as 0; non-integer entries make the whole key unusable.
std::optional<std::vector<std::uint64_t>> per_layer(const GgufFile& file, const std::string& key, std::uint64_t layers) {
    const auto* value = file.find(key);
    if (!value) return std::nullopt;
    if (auto scalar = value->as_uint()) return std::vector<std::uint64_t>(static_cast<std::size_t>(layers), *scalar);
    const auto* array = value->as_array();
    if (!array || !array->stored()) return std::nullopt;
    std::vector<std::uint64_t> out;
    for (const auto& element : array->elements) {
        auto number = element.as_uint();
        if (!number) return std::nullopt;
        out.push_back(*number);
    }
    if (out.size() < layers) out.resize(static_cast<std::size_t>(layers), 0);
    return out;
}

std::string dominant_tensor_type(const GgufFile& file) {
    std::map<GgmlType, std::uint64_t> bytes;
    for (const auto& tensor : file.tensors) bytes[tensor.type] += tensor.byte_size();
    if (bytes.empty()) return "";
    const auto top = std::max_element(bytes.begin(), bytes.end(),
                                      [](const auto& a, const auto& b) { return a.second < b.second; });
    return upper(traits(top->first).name);
}

}  // namespace

std::optional<std::string> file_type_name(std::uint64_t file_type) {
    const bool guessed = (file_type & kGuessedFlag) != 0;
    const std::uint64_t base = file_type & ~kGuessedFlag;
    for (const auto& [id, name] : kFileTypes) {
        if (id == base) return std::string(name) + (guessed ? " (guessed)" : "");
    }
    return std::nullopt;
}

std::uint64_t ModelSummary::attention_layers() const {
    return static_cast<std::uint64_t>(std::count_if(head_count_kv.begin(), head_count_kv.end(), [](auto n) { return n > 0; }));
}

std::uint64_t ModelSummary::recurrent_layers() const {
    if (ssm.inner_size == 0) return 0;
    if (head_count_kv.empty()) return block_count.value_or(0);
    return static_cast<std::uint64_t>(std::count(head_count_kv.begin(), head_count_kv.end(), 0u));
}

std::uint64_t ModelSummary::max_head_count_kv() const {
    return head_count_kv.empty() ? 0 : *std::max_element(head_count_kv.begin(), head_count_kv.end());
}

ModelSummary summarize(const GgufFile& file) {
    ModelSummary s;
    s.path = file.path;
    s.file_size = file.file_size;
    s.gguf_version = file.version;
    s.architecture = file.get_string("general.architecture").value_or("");
    s.name = file.get_string("general.name").value_or("");
    s.type = file.get_string("general.type").value_or("");
    for (const auto& tensor : file.tensors) {
        s.parameter_count += tensor.element_count();
        s.tensor_bytes += tensor.byte_size();
    }

    std::optional<std::string> quantization;
    if (auto file_type = file.get_uint("general.file_type")) quantization = file_type_name(*file_type);
    if (quantization) {
        s.quantization = *quantization;
    } else {
        s.quantization = dominant_tensor_type(file);
        s.quantization_from_tensors = true;
    }

    const std::string arch = s.architecture + ".";
    s.context_length = file.get_uint(arch + "context_length");
    s.block_count = file.get_uint(arch + "block_count");
    s.embedding_length = file.get_uint(arch + "embedding_length");
    const std::uint64_t layers = s.block_count.value_or(0);
    if (auto heads = per_layer(file, arch + "attention.head_count", layers); heads && !heads->empty()) {
        s.head_count = *std::max_element(heads->begin(), heads->end());
        if (auto kv = per_layer(file, arch + "attention.head_count_kv", layers)) {
            s.head_count_kv = std::move(*kv);
        } else {
            s.head_count_kv = std::move(*heads);
        }
    } else if (auto kv = per_layer(file, arch + "attention.head_count_kv", layers)) {
        s.head_count_kv = std::move(*kv);
    }
    s.key_length = file.get_uint(arch + "attention.key_length");
    s.value_length = file.get_uint(arch + "attention.value_length");
    if (s.embedding_length && s.head_count && *s.head_count > 0) {
        const auto per_head = *s.embedding_length / *s.head_count;
        if (!s.key_length) s.key_length = per_head;
        if (!s.value_length) s.value_length = per_head;
    }
    s.ssm.conv_kernel = file.get_uint(arch + "ssm.conv_kernel").value_or(0);
    s.ssm.inner_size = file.get_uint(arch + "ssm.inner_size").value_or(0);
    s.ssm.state_size = file.get_uint(arch + "ssm.state_size").value_or(0);
    s.ssm.group_count = file.get_uint(arch + "ssm.group_count").value_or(0);
    const auto chat_template = file.get_string("tokenizer.chat_template");
    s.has_chat_template = chat_template && !chat_template->empty();

    s.is_projector = s.type == "mmproj" || s.architecture == "clip";
    s.has_audio_encoder = file.get_bool("clip.has_audio_encoder").value_or(false);
    s.has_vision_encoder = file.get_bool("clip.has_vision_encoder").value_or(false);
    for (const char* key : {"clip.projector_type", "clip.audio.projector_type", "clip.vision.projector_type"}) {
        if (auto type = file.get_string(key)) {
            s.projector_type = *type;
            break;
        }
    }
    return s;
}

}  // namespace tunecap::gguf
