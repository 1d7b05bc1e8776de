// SPDX-License-Identifier: GPL-3.0-or-later
// Where text stops being UTF-8: what config, command-line text and JSON output are checked with.
#include "core/text.hpp"

#include <gtest/gtest.h>

namespace tunecap::core {
namespace {

TEST(InvalidUtf8, WellFormedTextHasNone) {
    EXPECT_EQ(invalid_utf8_at(""), std::nullopt);
    EXPECT_EQ(invalid_utf8_at("Goa Trance"), std::nullopt);
    EXPECT_EQ(invalid_utf8_at("Motörhead, 東京, F♯ minor, \xF0\x9F\x8E\xB5"), std::nullopt);
    EXPECT_EQ(invalid_utf8_at("\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF, the last code point
}

TEST(InvalidUtf8, NamesTheFirstBadByte) {
    EXPECT_EQ(invalid_utf8_at("ab\xff"), 2u);
    EXPECT_EQ(invalid_utf8_at("\x80"), 0u);                 // a continuation byte alone
    EXPECT_EQ(invalid_utf8_at("caf\xc3"), 3u);              // cut short
    EXPECT_EQ(invalid_utf8_at("\xc3\x28"), 0u);             // a bad continuation
    EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);             // overlong '/'
    EXPECT_EQ(invalid_utf8_at("\xe0\x80\xaf"), 0u);         // overlong, three bytes
    EXPECT_EQ(invalid_utf8_at("x\xed\xa0\x80"), 1u);        // a UTF-16 surrogate
    EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u);     // above U+10FFFF
    EXPECT_EQ(invalid_utf8_at("\xf5\x80\x80\x80"), 0u);
    EXPECT_EQ(invalid_utf8_at("ok \xe2\x99\xaf \xe2\x99"), 7u);
}

TEST(ReplaceInvalidUtf8, EachBadByteBecomesOneReplacementCharacter) {
    EXPECT_EQ(replace_invalid_utf8(""), "");
    EXPECT_EQ(replace_invalid_utf8("caf\xc3\xa9 \xe2\x99\xaf"), "caf\xc3\xa9 \xe2\x99\xaf");
    EXPECT_EQ(replace_invalid_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(replace_invalid_utf8("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(replace_invalid_utf8("caf\xc3"), "caf\xEF\xBF\xBD");                // cut short
    EXPECT_EQ(replace_invalid_utf8("\xed\xa0\x80x"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "x");  // a surrogate
    EXPECT_EQ(invalid_utf8_at(replace_invalid_utf8("\x80\xc0\xaf ok \xf5")), std::nullopt);
}

}  // namespace
}  // namespace tunecap::core
