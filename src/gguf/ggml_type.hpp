// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The ggml tensor types a GGUF file may name, with the block layout needed to size a tensor.
//
// Ids, block sizes and block byte sizes follow ggml's `enum ggml_type` (ggml/include/ggml.h) and
// its type_traits table (ggml/src/ggml.c, block structs in ggml/src/ggml-common.h). Ids are stable:
// ggml only appends, and ids whose types were removed (4, 5, 31-33, 36-38) are never valid here.

#include <cstdint>
#include <optional>
#include <string_view>

namespace tunecap::gguf {

enum class GgmlType : std::uint32_t {
    f32 = 0,
    f16 = 1,
    q4_0 = 2,
    q4_1 = 3,
    q5_0 = 6,
    q5_1 = 7,
    q8_0 = 8,
    q8_1 = 9,
    q2_k = 10,
    q3_k = 11,
    q4_k = 12,
    q5_k = 13,
    q6_k = 14,
    q8_k = 15,
    iq2_xxs = 16,
    iq2_xs = 17,
    iq3_xxs = 18,
    iq1_s = 19,
    iq4_nl = 20,
    iq3_s = 21,
    iq2_s = 22,
    iq4_xs = 23,
    i8 = 24,
    i16 = 25,
    i32 = 26,
    i64 = 27,
    f64 = 28,
    iq1_m = 29,
    bf16 = 30,
    tq1_0 = 34,
    tq2_0 = 35,
    mxfp4 = 39,
    nvfp4 = 40,
    q1_0 = 41,
};

struct GgmlTypeTraits {
    GgmlType type;
    std::string_view name;     // ggml's spelling: "q4_0", "q4_K", "bf16"
    std::uint32_t block_size;  // elements per block
    std::uint32_t type_size;   // bytes per block
};

// The traits of a known id, or nullopt for ids this build does not know (removed or newer).
std::optional<GgmlTypeTraits> ggml_type_traits(std::uint32_t id);
GgmlTypeTraits traits(GgmlType type);

// Case-insensitive lookup by ggml name ("q4_0", "F16", "q4_k"): how llama-server's
// --cache-type-k/-v values and the config's cache_type_* map to a type.
std::optional<GgmlType> parse_ggml_type(std::string_view name);

// Bytes of `elements` elements stored as `type`; nullopt when elements is not a whole number of
// blocks or the size overflows 64 bits (a corrupt file, never a real tensor).
std::optional<std::uint64_t> ggml_bytes(GgmlType type, std::uint64_t elements);

}  // namespace tunecap::gguf
