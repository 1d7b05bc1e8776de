// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/flags_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "step_rows.hpp"
#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using ::testing::ElementsAre;
using tunecap::testing::TempDir;
using Flags = std::vector<std::string>;
using namespace std::string_literals;

TEST(FlagsText, EncodesAJsonArrayOfStrings) {
    EXPECT_EQ(encode_flags({}), "[]");
    EXPECT_EQ(encode_flags({"fallback_used", "truncated"}), R"(["fallback_used","truncated"])");
    EXPECT_EQ(encode_flags({"a\"b\\c\nd\x01"}), R"(["a\"b\\c\nd\u0001"])");
}

TEST(FlagsText, RoundTripsAnyBytes) {
    const std::vector<Flags> cases = {
        {},
        {""},
        {"", ""},
        {"a,b", "c d", "[x]"},
        {"nul\0byte"s, "\0"s, "\x7f\x1f\x1b"},
        {"\xff\xfe", "\xc3", "caf\xc3\xa9", "\xf0\x9f\x8e\xb5"},
        {"\\u0041", "\"", "\\", "/"},
    };
    for (const auto& flags : cases) EXPECT_EQ(decode_flags(encode_flags(flags)), flags) << encode_flags(flags);
}

TEST(FlagsText, DecodesJsonWrittenByOthers) {
    EXPECT_THAT(*decode_flags(" [ \"a\" ,\n\t\"b\" ] "), ElementsAre("a", "b"));
    EXPECT_THAT(*decode_flags(R"(["caf\u00e9","\ud83c\udfb5","\/","\b\f\r"])"),
                ElementsAre("caf\xc3\xa9", "\xf0\x9f\x8e\xb5", "/", "\b\f\r"));
    EXPECT_THAT(*decode_flags(R"(["\u20AC"])"), ElementsAre("\xe2\x82\xac"));
}

TEST(FlagsText, RejectsWhatIsNotAnArrayOfStrings) {
    for (const char* text : {"", "fallback_used,truncated", "[", "]", "[\"a\"", "[\"a\",]", "[,\"a\"]", "[1]",
                             "[\"a\"] x", "{\"a\":1}", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\udc00\"]", "[\"\\ud800\"]",
                             "[\"\\ud800\\u0041\"]", "[\"raw\nnewline\"]", "[\"unterminated]", "[null]"}) {
        EXPECT_EQ(decode_flags(text), std::nullopt) << text;
    }
}

TEST(FlagsText, SqliteReadsTheColumnAsJson) {
    TempDir dir;
    RawDatabase raw(dir / "json.db");
    const auto text = encode_flags({"fallback_used", "quote\"", "tab\t", "nul\0"s, "caf\xc3\xa9"});
    EXPECT_EQ(raw.text("SELECT json_valid(?1)", &text), "1");
    EXPECT_EQ(raw.text("SELECT json_array_length(?1)", &text), "5");
    EXPECT_EQ(raw.text("SELECT json_extract(?1, '$[4]')", &text), "caf\xc3\xa9");
}

}  // namespace
}  // namespace tunecap::store
