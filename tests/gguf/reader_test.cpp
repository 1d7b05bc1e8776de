// SPDX-License-Identifier: GPL-3.0-or-later
// Files written by the test's own GGUF writer, read back exactly: every metadata type, nested
// arrays, versions 2 and 3, custom alignment, and arrays skipped by ReadOptions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "gguf/gguf.hpp"
#include "gguf_writer.hpp"
#include "temp_dir.hpp"

namespace tunecap::gguf {
namespace {

using ::testing::HasSubstr;
using testing::array_of;
using testing::GgufWriter;
using testing::TempDir;

// One entry of every type, including arrays of each scalar type, of strings, an empty array and
// arrays of arrays (of numbers and of strings).
std::vector<MetadataEntry> every_type() {
    using V = MetadataValue;
    return {
        {"general.architecture", V{std::string("llama")}},
        {"t.u8", V{std::uint8_t{250}}},
        {"t.i8", V{std::int8_t{-120}}},
        {"t.u16", V{std::uint16_t{65000}}},
        {"t.i16", V{std::int16_t{-32000}}},
        {"t.u32", V{std::uint32_t{4'000'000'000u}}},
        {"t.i32", V{std::int32_t{-2'000'000'000}}},
        {"t.u64", V{std::numeric_limits<std::uint64_t>::max()}},
        {"t.i64", V{std::numeric_limits<std::int64_t>::min()}},
        {"t.f32", V{1.5e-7f}},
        {"t.f64", V{-2.718281828459045}},
        {"t.bool_true", V{true}},
        {"t.bool_false", V{false}},
        {"t.string_empty", V{std::string()}},
        {"t.string_utf8", V{std::string("Goa Trance \xe2\x80\x94 \xc3\xa9t\xc3\xa9\n\t\"quoted\"")}},
        {"t.array_u8", array_of(ValueType::u8, {V{std::uint8_t{0}}, V{std::uint8_t{255}}})},
        {"t.array_i8", array_of(ValueType::i8, {V{std::int8_t{-1}}})},
        {"t.array_u16", array_of(ValueType::u16, {V{std::uint16_t{1}}, V{std::uint16_t{2}}})},
        {"t.array_i16", array_of(ValueType::i16, {V{std::int16_t{-3}}})},
        {"t.array_u32", array_of(ValueType::u32, {V{std::uint32_t{7}}, V{std::uint32_t{0}}, V{std::uint32_t{9}}})},
        {"t.array_i32", array_of(ValueType::i32, {V{std::int32_t{-7}}})},
        {"t.array_u64", array_of(ValueType::u64, {V{std::uint64_t{1} << 40}})},
        {"t.array_i64", array_of(ValueType::i64, {V{std::int64_t{-1} << 40}})},
        {"t.array_f32", array_of(ValueType::f32, {V{0.25f}, V{-0.5f}})},
        {"t.array_f64", array_of(ValueType::f64, {V{1e300}})},
        {"t.array_bool", array_of(ValueType::boolean, {V{true}, V{false}, V{true}})},
        {"t.array_string", array_of(ValueType::string, {V{std::string("a")}, V{std::string()}, V{std::string("ccc")}})},
        {"t.array_empty", array_of(ValueType::f32, {})},
        {"t.array_nested",
         array_of(ValueType::array, {array_of(ValueType::i32, {V{std::int32_t{1}}, V{std::int32_t{2}}}),
                                     array_of(ValueType::i32, {}),
                                     array_of(ValueType::string, {V{std::string("x")}})})},
        {"t.array_nested_twice",
         array_of(ValueType::array, {array_of(ValueType::array, {array_of(ValueType::u8, {V{std::uint8_t{42}}})})})},
    };
}

struct TensorSpec {
    std::string name;
    std::vector<std::uint64_t> dims;
    GgmlType type;
};

// Writes metadata, tensor infos with aligned offsets, padding and zeroed tensor data.
std::string build_file(std::uint32_t version, const std::vector<MetadataEntry>& metadata,
                       const std::vector<TensorSpec>& tensors, std::size_t alignment = 32) {
    GgufWriter w;
    w.header(version, tensors.size(), metadata.size());
    for (const auto& entry : metadata) w.entry(entry.key, entry.value);
    std::uint64_t offset = 0;
    std::uint64_t data_size = 0;
    for (const auto& spec : tensors) {
        w.tensor(spec.name, spec.dims, spec.type, offset);
        TensorInfo info{spec.name, spec.dims, spec.type, offset};
        data_size = offset + info.byte_size();
        offset = (data_size + alignment - 1) / alignment * alignment;
    }
    w.pad_to(alignment);
    w.zeros(data_size);
    return w.bytes();
}

class GgufReader : public ::testing::Test {
protected:
    std::filesystem::path write(const std::string& name, const std::string& bytes) {
        const auto path = m_temp / name;
        GgufWriter::save_bytes(path, bytes);
        return path;
    }
    TempDir m_temp;
};

TEST_F(GgufReader, EveryMetadataTypeReadsBackExactlyInVersions2And3) {
    const auto metadata = every_type();
    const std::vector<TensorSpec> tensors = {
        {"token_embd.weight", {256, 10}, GgmlType::q4_k},
        {"blk.0.attn_q.weight", {64, 64}, GgmlType::q8_0},
        {"blk.0.attn_norm.weight", {64}, GgmlType::f32},
        {"blk.0.ffn_up.weight", {32, 3, 2}, GgmlType::mxfp4},
        {"output.weight", {256, 1, 1, 1}, GgmlType::iq4_xs},
        {"scale", {}, GgmlType::f16},
    };
    for (const std::uint32_t version : {2u, 3u}) {
        SCOPED_TRACE(version);
        const auto path = write("v" + std::to_string(version) + ".gguf", build_file(version, metadata, tensors));
        auto file = read_gguf(path);
        ASSERT_TRUE(file.ok()) << file.error().message;
        EXPECT_EQ(file->version, version);
        EXPECT_EQ(file->path, path);
        ASSERT_EQ(file->metadata.size(), metadata.size());
        for (std::size_t i = 0; i < metadata.size(); ++i) {
            EXPECT_EQ(file->metadata[i].key, metadata[i].key);
            EXPECT_EQ(file->metadata[i].value, metadata[i].value) << metadata[i].key;
            EXPECT_EQ(file->metadata[i].value.type(), metadata[i].value.type()) << metadata[i].key;
        }
        ASSERT_EQ(file->tensors.size(), tensors.size());
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            EXPECT_EQ(file->tensors[i].name, tensors[i].name);
            EXPECT_EQ(file->tensors[i].dims, tensors[i].dims);
            EXPECT_EQ(file->tensors[i].type, tensors[i].type);
        }
        EXPECT_EQ(file->tensors[0].byte_size(), 10u * 144);
        EXPECT_EQ(file->tensors[1].byte_size(), 64u * 64 / 32 * 34);
        EXPECT_EQ(file->tensors[2].byte_size(), 64u * 4);
        EXPECT_EQ(file->tensors[3].byte_size(), 32u * 3 * 2 / 32 * 17);
        EXPECT_EQ(file->tensors[4].byte_size(), 136u);
        EXPECT_EQ(file->tensors[5].byte_size(), 2u);
        EXPECT_EQ(file->data_offset % 32, 0u);
        EXPECT_EQ(file->file_size, std::filesystem::file_size(path));
    }
}

TEST_F(GgufReader, TypedAccessorsConvertOnlyWhatFits) {
    const auto path = write("a.gguf", build_file(3, every_type(), {}));
    auto file = read_gguf(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->get_uint("t.u8"), 250u);
    EXPECT_EQ(file->get_uint("t.u64"), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(file->get_uint("t.i8"), std::nullopt);  // negative
    EXPECT_EQ(file->find("t.i64")->as_int(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(file->find("t.u64")->as_int(), std::nullopt);  // too large
    EXPECT_EQ(file->find("t.f32")->as_double(), static_cast<double>(1.5e-7f));
    EXPECT_EQ(file->find("t.u32")->as_double(), 4e9);
    EXPECT_EQ(file->get_bool("t.bool_true"), true);
    EXPECT_EQ(file->get_bool("t.u8"), std::nullopt);
    EXPECT_EQ(file->get_string("t.u8"), std::nullopt);
    EXPECT_EQ(file->get_string("general.architecture"), "llama");
    EXPECT_EQ(file->find("no.such.key"), nullptr);
    EXPECT_EQ(file->find("t.array_nested")->as_array()->elements[2].as_array()->elements[0].as_string()[0], "x");
}

TEST_F(GgufReader, CustomAlignmentMovesTheDataOffset) {
    auto metadata = every_type();
    metadata.push_back({"general.alignment", MetadataValue{std::uint32_t{256}}});
    const std::vector<TensorSpec> tensors = {{"a", {32}, GgmlType::q4_0}, {"b", {7}, GgmlType::f32}};
    const auto path = write("aligned.gguf", build_file(3, metadata, tensors, 256));
    auto file = read_gguf(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->alignment, 256u);
    EXPECT_EQ(file->data_offset % 256, 0u);
    EXPECT_EQ(file->tensors[1].offset, 256u);
    EXPECT_EQ(file->tensor_bytes(), 18u + 28u);
}

TEST_F(GgufReader, LongArraysAreSkippedButCountedWhenAsked) {
    using V = MetadataValue;
    std::vector<V> many;
    for (int i = 0; i < 100; ++i) many.push_back(V{std::string(static_cast<std::size_t>(i % 7), 'a')});
    std::vector<V> nested;
    for (int i = 0; i < 20; ++i) nested.push_back(array_of(ValueType::string, {V{std::string("tok")}}));
    const std::vector<MetadataEntry> metadata = {
        {"long.strings", array_of(ValueType::string, many)},
        {"long.nested", array_of(ValueType::array, nested)},
        {"long.floats", array_of(ValueType::f32, std::vector<V>(50, V{1.0f}))},
        {"short.u32", array_of(ValueType::u32, {V{std::uint32_t{1}}, V{std::uint32_t{0}}})},
        {"after", V{std::string("still read")}},
    };
    const auto path = write("skip.gguf", build_file(3, metadata, {{"t", {4}, GgmlType::f32}}));
    auto file = read_gguf(path, ReadOptions{10});
    ASSERT_TRUE(file.ok()) << file.error().message;
    const auto* strings = file->find("long.strings")->as_array();
    EXPECT_EQ(strings->count, 100u);
    EXPECT_EQ(strings->element_type, ValueType::string);
    EXPECT_TRUE(strings->elements.empty());
    EXPECT_EQ(file->find("long.nested")->as_array()->count, 20u);
    EXPECT_EQ(file->find("long.nested")->as_array()->element_type, ValueType::array);
    EXPECT_EQ(file->find("long.floats")->as_array()->count, 50u);
    EXPECT_TRUE(file->find("short.u32")->as_array()->stored());
    EXPECT_EQ(file->find("short.u32")->as_array()->elements.size(), 2u);
    EXPECT_EQ(file->get_string("after"), "still read");
    EXPECT_EQ(file->tensors.at(0).name, "t");

    auto everything = read_gguf(path);
    ASSERT_TRUE(everything.ok());
    EXPECT_EQ(everything->find("long.strings")->as_array()->elements.size(), 100u);
}

TEST_F(GgufReader, AFileWithNoTensorsNeedsNoDataSection) {
    GgufWriter w;
    w.header(3, 0, 1).entry("general.architecture", MetadataValue{std::string("x")});
    auto file = read_gguf(write("empty.gguf", w.bytes()));
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_TRUE(file->tensors.empty());
    EXPECT_EQ(file->tensor_bytes(), 0u);
}

}  // namespace
}  // namespace tunecap::gguf
