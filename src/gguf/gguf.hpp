// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GGUF header reader: metadata and tensor infos of a llama.cpp model file, never its tensor data.
//
// Format (little-endian, versions 2 and 3; version 1 used 32-bit counts and is refused):
//   "GGUF" u32 version, u64 tensor_count, u64 metadata_count,
//   metadata_count × (string key, u32 value_type, value),
//   tensor_count × (string name, u32 n_dims, n_dims × u64 dim, u32 ggml_type, u64 offset),
//   padding to general.alignment (default 32), then tensor data; offsets are relative to it.
//   string = u64 length + bytes (no terminator); array = u32 element_type, u64 count, elements.
//
// The reader trusts nothing in the file: every count and length is checked against the bytes left
// before anything is allocated for it, so a corrupt file costs an Error, never a crash or a huge
// allocation.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "gguf/ggml_type.hpp"

namespace tunecap::gguf {

// The on-disk value type ids (gguf_type in ggml's gguf.h).
enum class ValueType : std::uint32_t {
    u8 = 0,
    i8 = 1,
    u16 = 2,
    i16 = 3,
    u32 = 4,
    i32 = 5,
    f32 = 6,
    boolean = 7,
    string = 8,
    array = 9,
    u64 = 10,
    i64 = 11,
    f64 = 12,
};
std::string_view to_string(ValueType type);

struct MetadataValue;

// An array value. `count` is what the file declares; `elements` holds them unless the reader was
// told to skip arrays that long (ReadOptions::max_stored_array_elements), in which case it is empty.
struct MetadataArray {
    ValueType element_type = ValueType::u8;
    std::uint64_t count = 0;
    std::vector<MetadataValue> elements;

    bool stored() const;  // defined below, where MetadataValue is complete (clang requires it)
    bool operator==(const MetadataArray&) const = default;
};

struct MetadataValue {
    // Alternative order is irrelevant to the format; type() gives the on-disk type.
    using Storage = std::variant<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t, std::int32_t,
                                 std::uint64_t, std::int64_t, float, double, bool, std::string, MetadataArray>;
    Storage value;

    ValueType type() const;
    bool operator==(const MetadataValue&) const = default;

    // Any integer type (and bool) that fits in the requested one; nullopt otherwise.
    std::optional<std::uint64_t> as_uint() const;
    std::optional<std::int64_t> as_int() const;
    // f32, f64, or any integer.
    std::optional<double> as_double() const;
    std::optional<bool> as_bool() const;
    const std::string* as_string() const;
    const MetadataArray* as_array() const;
};

inline bool MetadataArray::stored() const { return elements.size() == count; }

struct MetadataEntry {
    std::string key;
    MetadataValue value;
};

struct TensorInfo {
    std::string name;
    std::vector<std::uint64_t> dims;  // ggml order: dims[0] is the contiguous one
    GgmlType type = GgmlType::f32;
    std::uint64_t offset = 0;         // from GgufFile::data_offset

    std::uint64_t element_count() const;
    std::uint64_t byte_size() const;  // checked by read_gguf: fits the file
};

struct GgufFile {
    std::filesystem::path path;
    std::uint32_t version = 0;
    std::uint32_t alignment = 32;
    std::vector<MetadataEntry> metadata;  // file order
    std::vector<TensorInfo> tensors;      // file order
    std::uint64_t file_size = 0;
    std::uint64_t data_offset = 0;        // where tensor data starts

    const MetadataValue* find(std::string_view key) const;
    std::optional<std::uint64_t> get_uint(std::string_view key) const;
    std::optional<std::string> get_string(std::string_view key) const;
    std::optional<bool> get_bool(std::string_view key) const;
    // Sum of every tensor's byte_size(): what loading the weights costs.
    std::uint64_t tensor_bytes() const;
};

struct ReadOptions {
    // Arrays with more elements than this keep only their type and count. Tokenizer vocabularies
    // (50k-250k strings) are skipped this way when only the model's shape is wanted.
    std::optional<std::uint64_t> max_stored_array_elements;
};

// Errors name the file and the reason: "<path>: truncated: ends at byte 812 inside the value of
// key 'tokenizer.ggml.tokens'", "<path>: not a GGUF file (starts with 7f 45 4c 46)".
core::Result<GgufFile> read_gguf(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace tunecap::gguf
