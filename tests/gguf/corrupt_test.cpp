// SPDX-License-Identifier: GPL-3.0-or-later
// Corrupt, truncated and hostile files: each is an Error naming the file and the reason, never a
// crash or a huge allocation (this suite also runs under ASan/UBSan with TUNECAP_SANITIZE=ON).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "gguf/gguf.hpp"
#include "gguf_writer.hpp"
#include "temp_dir.hpp"

namespace tunecap::gguf {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::array_of;
using testing::GgufWriter;
using testing::TempDir;
using V = MetadataValue;

// A small valid file with strings, arrays, a nested array and three tensors with data.
std::string small_file() {
    GgufWriter w;
    w.header(3, 3, 5);
    w.entry("general.architecture", V{std::string("qwen3")});
    w.entry("qwen3.block_count", V{std::uint32_t{2}});
    w.entry("tokenizer.ggml.tokens", array_of(ValueType::string, {V{std::string("a")}, V{std::string("bc")}}));
    w.entry("nested", array_of(ValueType::array, {array_of(ValueType::u16, {V{std::uint16_t{1}}})}));
    w.entry("general.alignment", V{std::uint32_t{32}});
    w.tensor("a", {32, 2}, GgmlType::q8_0, 0);
    w.tensor("b", {8}, GgmlType::f32, 96);
    w.tensor("c", {4}, GgmlType::f16, 128);
    w.pad_to(32).zeros(136);
    return w.bytes();
}

class GgufCorrupt : public ::testing::Test {
protected:
    // The error message for these bytes; fails the test if they were read successfully.
    std::string error_for(const std::string& bytes, const std::string& name = "bad.gguf") {
        const auto path = m_temp / name;
        GgufWriter::save_bytes(path, bytes);
        auto file = read_gguf(path);
        if (file.ok()) {
            ADD_FAILURE() << "read " << bytes.size() << " bytes without an error";
            return "";
        }
        EXPECT_THAT(file.error().message, StartsWith(path.string() + ": "));
        return file.error().message;
    }
    TempDir m_temp;
};

TEST_F(GgufCorrupt, TheSmallFileIsValid) {
    const auto path = m_temp / "ok.gguf";
    GgufWriter::save_bytes(path, small_file());
    auto file = read_gguf(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->tensor_bytes(), 68u + 32u + 8u);
}

TEST_F(GgufCorrupt, EveryTruncationIsAnErrorNamingTheFile) {
    const auto bytes = small_file();
    for (std::size_t length = 0; length < bytes.size(); ++length) {
        SCOPED_TRACE(length);
        // A new file per prefix: rewriting one file with O_TRUNC makes ext4 flush it each time.
        error_for(bytes.substr(0, length), "prefix-" + std::to_string(length) + ".gguf");
    }
}

TEST_F(GgufCorrupt, TruncationsSayWhereTheFileEnds) {
    const auto bytes = small_file();
    // Short enough for the entry counts to be refused outright ...
    EXPECT_THAT(error_for(bytes.substr(0, 60)), HasSubstr("claims 5 metadata entries but only 36 bytes remain"));
    // ... long enough to pass that check and end inside the value of the second key.
    EXPECT_THAT(error_for(bytes.substr(0, 100)),
                AllOf(HasSubstr("metadata key 'qwen3.block_count'"), HasSubstr("truncated"), HasSubstr("ends at byte 100")));
    EXPECT_THAT(error_for(bytes.substr(0, bytes.size() - 1)),
                AllOf(HasSubstr("tensor 'c'"), HasSubstr("extends past the end of the file")));
}

TEST_F(GgufCorrupt, EveryOverwrittenByteIsReadOrRefusedWithoutCrashing) {
    const auto bytes = small_file();
    const auto path = m_temp / "flip.gguf";
    GgufWriter::save_bytes(path, bytes);
    // Patched in place, one byte at a time, and restored after each read.
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (const char garbage : {'\xff', '\x7f', '\x00', '\x09'}) {
            file.seekp(static_cast<std::streamoff>(i)).put(garbage).flush();
            auto read = read_gguf(path);
            if (!read.ok()) {
                EXPECT_THAT(read.error().message, StartsWith(path.string() + ": ")) << i;
            }
        }
        file.seekp(static_cast<std::streamoff>(i)).put(bytes[i]).flush();
    }
    ASSERT_TRUE(file.good());
}

TEST_F(GgufCorrupt, NotAGgufFile) {
    EXPECT_THAT(error_for(""), HasSubstr("not a GGUF file (only 0 bytes)"));
    EXPECT_THAT(error_for("\x7f" "ELF\x02\x01\x01\x00 and more bytes of an executable"),
                HasSubstr("not a GGUF file (starts with 7f 45 4c 46"));
    EXPECT_THAT(error_for("ggufggufggufggufggufgguf"), HasSubstr("not a GGUF file"));
}

TEST_F(GgufCorrupt, UnsupportedVersions) {
    EXPECT_THAT(error_for(GgufWriter().header(1, 0, 0).bytes()), HasSubstr("version 1 is not supported"));
    EXPECT_THAT(error_for(GgufWriter().header(3u << 24, 0, 0).bytes()), HasSubstr("big-endian"));
    EXPECT_THAT(error_for(GgufWriter().header(99, 0, 0).bytes()), HasSubstr("unknown GGUF version 99"));
}

TEST_F(GgufCorrupt, AbsurdCountsAreRefusedBeforeAnyAllocation) {
    EXPECT_THAT(error_for(GgufWriter().header(3, 1ull << 62, 0).bytes()),
                HasSubstr("claims 4611686018427387904 tensor infos"));
    EXPECT_THAT(error_for(GgufWriter().header(3, 0, 1ull << 62).bytes()), HasSubstr("metadata entries"));
    EXPECT_THAT(error_for(GgufWriter().header(3, ~0ull, ~0ull).bytes()), HasSubstr("claims"));

    GgufWriter huge_array;
    huge_array.header(3, 0, 1).string("tokens").u32(9).u32(0).u64(1ull << 60).zeros(64);
    EXPECT_THAT(error_for(huge_array.bytes()),
                AllOf(HasSubstr("metadata key 'tokens'"), HasSubstr("array of 1152921504606846976 u8 elements")));

    GgufWriter huge_string_array;
    huge_string_array.header(3, 0, 1).string("tokens").u32(9).u32(8).u64(~0ull >> 1).zeros(64);
    EXPECT_THAT(error_for(huge_string_array.bytes()), HasSubstr("string elements cannot fit"));

    GgufWriter huge_string;
    huge_string.header(3, 0, 1).string("name").u32(8).u64(~0ull).raw("abc");
    EXPECT_THAT(error_for(huge_string.bytes()), AllOf(HasSubstr("metadata key 'name'"), HasSubstr("string claims")));

    GgufWriter huge_key;
    huge_key.header(3, 0, 1).u64(1ull << 40).raw("key").zeros(64);
    EXPECT_THAT(error_for(huge_key.bytes()), HasSubstr("key claims 1099511627776 bytes (limit 65535)"));

    // A skipped array must be bounded too: the skip walks each string's length.
    GgufWriter skipped;
    skipped.header(3, 0, 1).string("tokens").u32(9).u32(8).u64(3).string("a").u64(1ull << 50).zeros(64);
    const auto path = m_temp / "skipped.gguf";
    GgufWriter::save_bytes(path, skipped.bytes());
    auto file = read_gguf(path, ReadOptions{1});
    ASSERT_FALSE(file.ok());
    EXPECT_THAT(file.error().message, HasSubstr("string claims 1125899906842624 bytes"));
}

TEST_F(GgufCorrupt, BadValuesAndTypes) {
    GgufWriter unknown_type;
    unknown_type.header(3, 0, 1).string("k").u32(13).u64(0);
    EXPECT_THAT(error_for(unknown_type.bytes()), HasSubstr("unknown value type 13"));

    GgufWriter unknown_element;
    unknown_element.header(3, 0, 1).string("k").u32(9).u32(77).u64(0);
    EXPECT_THAT(error_for(unknown_element.bytes()), HasSubstr("unknown array element type 77"));

    GgufWriter deep;
    deep.header(3, 0, 1).string("deep").u32(9);
    for (int i = 0; i < 100; ++i) deep.u32(9).u64(1);
    deep.zeros(64);
    EXPECT_THAT(error_for(deep.bytes()), HasSubstr("nested deeper than"));

    GgufWriter empty_key;
    empty_key.header(3, 0, 1).string("").u32(4).u32(1);
    EXPECT_THAT(error_for(empty_key.bytes()), HasSubstr("empty key"));

    GgufWriter duplicate;
    duplicate.header(3, 0, 2).entry("k", V{std::uint8_t{1}}).entry("k", V{std::uint8_t{2}});
    EXPECT_THAT(error_for(duplicate.bytes()), AllOf(HasSubstr("metadata key 'k'"), HasSubstr("duplicate key")));
}

TEST_F(GgufCorrupt, BadAlignment) {
    EXPECT_THAT(error_for(GgufWriter().header(3, 0, 1).entry("general.alignment", V{std::uint32_t{0}}).bytes()),
                HasSubstr("0 is not a power of two"));
    EXPECT_THAT(error_for(GgufWriter().header(3, 0, 1).entry("general.alignment", V{std::uint32_t{48}}).bytes()),
                HasSubstr("48 is not a power of two"));
    EXPECT_THAT(error_for(GgufWriter().header(3, 0, 1).entry("general.alignment", V{std::uint64_t{32}}).bytes()),
                HasSubstr("must be a u32, not u64"));
}

TEST_F(GgufCorrupt, BadTensorInfos) {
    auto one_tensor = [](const std::vector<std::uint64_t>& dims, std::uint32_t type, std::uint64_t offset) {
        GgufWriter w;
        w.header(3, 1, 0).string("blk.0.w").u32(static_cast<std::uint32_t>(dims.size()));
        for (auto d : dims) w.u64(d);
        w.u32(type).u64(offset).pad_to(32).zeros(4096);
        return w.bytes();
    };
    EXPECT_THAT(error_for(one_tensor({1, 1, 1, 1, 1}, 0, 0)),
                AllOf(HasSubstr("tensor 'blk.0.w'"), HasSubstr("5 dimensions")));
    EXPECT_THAT(error_for(one_tensor({1ull << 32, 1ull << 32}, 0, 0)), HasSubstr("element count overflows"));
    EXPECT_THAT(error_for(one_tensor({~0ull}, 0, 0)), HasSubstr("element count overflows"));
    EXPECT_THAT(error_for(one_tensor({16}, 4, 0)), HasSubstr("unknown ggml type 4"));
    EXPECT_THAT(error_for(one_tensor({16}, 31, 0)), HasSubstr("unknown ggml type 31"));
    EXPECT_THAT(error_for(one_tensor({16}, 1000, 0)), HasSubstr("unknown ggml type 1000"));
    EXPECT_THAT(error_for(one_tensor({16}, 2, 0)), HasSubstr("not a whole number of q4_0 blocks"));
    EXPECT_THAT(error_for(one_tensor({16}, 0, 8)), HasSubstr("not a multiple of the alignment 32"));
    EXPECT_THAT(error_for(one_tensor({2048}, 0, 0)), HasSubstr("extends past the end of the file"));
    EXPECT_THAT(error_for(one_tensor({16}, 0, ~0ull - 31)), HasSubstr("extends past the end of the file"));

    GgufWriter duplicate;
    duplicate.header(3, 2, 0).tensor("t", {4}, GgmlType::f32, 0).tensor("t", {4}, GgmlType::f32, 32).pad_to(32).zeros(64);
    EXPECT_THAT(error_for(duplicate.bytes()), AllOf(HasSubstr("tensor 't'"), HasSubstr("duplicate tensor name")));
}

TEST_F(GgufCorrupt, MissingFilesAndFolders) {
    const auto missing = m_temp / "models" / "nope.gguf";
    auto file = read_gguf(missing);
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().message, missing.string() + ": no such file");

    auto folder = read_gguf(m_temp.path());
    ASSERT_FALSE(folder.ok());
    EXPECT_EQ(folder.error().message, m_temp.path().string() + ": not a regular file");
}

}  // namespace
}  // namespace tunecap::gguf
