// SPDX-License-Identifier: GPL-3.0-or-later
#include "gguf/ggml_type.hpp"

#include <array>
#include <stdexcept>

#include "core/text.hpp"

namespace tunecap::gguf {
namespace {

// QK_K: elements per super-block of the k-quants, i-quants and ternary types.
constexpr std::uint32_t kSuperBlock = 256;

// Block byte sizes are the sizes of ggml's block_* structs (ggml-common.h), spelled out as the
// sum of their fields so each line can be checked against the struct.
constexpr std::array<GgmlTypeTraits, 34> kTypes = {{
    {GgmlType::f32, "f32", 1, 4},
    {GgmlType::f16, "f16", 1, 2},
    {GgmlType::q4_0, "q4_0", 32, 2 + 32 / 2},
    {GgmlType::q4_1, "q4_1", 32, 2 * 2 + 32 / 2},
    {GgmlType::q5_0, "q5_0", 32, 2 + 4 + 32 / 2},
    {GgmlType::q5_1, "q5_1", 32, 2 * 2 + 4 + 32 / 2},
    {GgmlType::q8_0, "q8_0", 32, 2 + 32},
    {GgmlType::q8_1, "q8_1", 32, 2 * 2 + 32},
    {GgmlType::q2_k, "q2_K", kSuperBlock, 2 * 2 + kSuperBlock / 16 + kSuperBlock / 4},
    {GgmlType::q3_k, "q3_K", kSuperBlock, 2 + kSuperBlock / 4 + kSuperBlock / 8 + 12},
    {GgmlType::q4_k, "q4_K", kSuperBlock, 2 * 2 + 12 + kSuperBlock / 2},
    {GgmlType::q5_k, "q5_K", kSuperBlock, 2 * 2 + 12 + kSuperBlock / 2 + kSuperBlock / 8},
    {GgmlType::q6_k, "q6_K", kSuperBlock, 2 + kSuperBlock / 16 + 3 * kSuperBlock / 4},
    {GgmlType::q8_k, "q8_K", kSuperBlock, 4 + kSuperBlock + kSuperBlock / 16 * 2},
    {GgmlType::iq2_xxs, "iq2_xxs", kSuperBlock, 2 + kSuperBlock / 8 * 2},
    {GgmlType::iq2_xs, "iq2_xs", kSuperBlock, 2 + kSuperBlock / 8 * 2 + kSuperBlock / 32},
    {GgmlType::iq3_xxs, "iq3_xxs", kSuperBlock, 2 + 3 * (kSuperBlock / 8)},
    {GgmlType::iq1_s, "iq1_s", kSuperBlock, 2 + kSuperBlock / 8 + kSuperBlock / 16},
    {GgmlType::iq4_nl, "iq4_nl", 32, 2 + 32 / 2},
    {GgmlType::iq3_s, "iq3_s", kSuperBlock, 2 + 13 * (kSuperBlock / 32) + kSuperBlock / 64},
    {GgmlType::iq2_s, "iq2_s", kSuperBlock, 2 + kSuperBlock / 4 + kSuperBlock / 16},
    {GgmlType::iq4_xs, "iq4_xs", kSuperBlock, 2 + 2 + kSuperBlock / 64 + kSuperBlock / 2},
    {GgmlType::i8, "i8", 1, 1},
    {GgmlType::i16, "i16", 1, 2},
    {GgmlType::i32, "i32", 1, 4},
    {GgmlType::i64, "i64", 1, 8},
    {GgmlType::f64, "f64", 1, 8},
    {GgmlType::iq1_m, "iq1_m", kSuperBlock, kSuperBlock / 8 + kSuperBlock / 16 + kSuperBlock / 32},
    {GgmlType::bf16, "bf16", 1, 2},
    {GgmlType::tq1_0, "tq1_0", kSuperBlock, 2 + kSuperBlock / 64 + (kSuperBlock - 4 * kSuperBlock / 64) / 5},
    {GgmlType::tq2_0, "tq2_0", kSuperBlock, 2 + kSuperBlock / 4},
    {GgmlType::mxfp4, "mxfp4", 32, 1 + 32 / 2},
    {GgmlType::nvfp4, "nvfp4", 64, 64 / 16 + 64 / 2},
    {GgmlType::q1_0, "q1_0", 128, 2 + 128 / 8},
}};

}  // namespace

std::optional<GgmlTypeTraits> ggml_type_traits(std::uint32_t id) {
    for (const auto& entry : kTypes) {
        if (static_cast<std::uint32_t>(entry.type) == id) return entry;
    }
    return std::nullopt;
}

GgmlTypeTraits traits(GgmlType type) {
    if (auto found = ggml_type_traits(static_cast<std::uint32_t>(type))) return *found;
    // Only reachable by casting an arbitrary integer to GgmlType, which this module never does.
    throw std::logic_error("ggml type id " + std::to_string(static_cast<std::uint32_t>(type)) + " has no traits");
}

std::optional<GgmlType> parse_ggml_type(std::string_view name) {
    for (const auto& entry : kTypes) {
        if (core::iequals_ascii(entry.name, name)) return entry.type;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> ggml_bytes(GgmlType type, std::uint64_t elements) {
    const auto t = traits(type);
    if (elements % t.block_size != 0) return std::nullopt;
    const std::uint64_t blocks = elements / t.block_size;
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(blocks, std::uint64_t{t.type_size}, &bytes)) return std::nullopt;
    return bytes;
}

}  // namespace tunecap::gguf
