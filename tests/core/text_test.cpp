// SPDX-License-Identifier: GPL-3.0-or-later
// Where text stops being UTF-8: what config, command-line text and JSON output are checked with.
#include "core/text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

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

TEST(DecodeUtf8At, ReadsOneCodePointAndItsLength) {
    const auto at = [](std::string_view text, std::size_t i) {
        const auto code = decode_utf8_at(text, i);
        return code ? std::pair(static_cast<std::uint32_t>(code->value), code->length) : std::pair(0xFFFFFFFFu, std::size_t{0});
    };
    EXPECT_EQ(at("a", 0), std::pair(0x61u, std::size_t{1}));
    EXPECT_EQ(at("x\xC3\x97", 1), std::pair(0xD7u, std::size_t{2}));
    EXPECT_EQ(at("\xE2\x80\x94", 0), std::pair(0x2014u, std::size_t{3}));
    EXPECT_EQ(at("\xF0\x9F\x8E\xB5", 0), std::pair(0x1F3B5u, std::size_t{4}));
    EXPECT_EQ(at("\xF4\x8F\xBF\xBF", 0), std::pair(0x10FFFFu, std::size_t{4}));
    for (const std::string_view bad : {"\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                       "\xF5\x80\x80\x80", "\xF8\x88\x80\x80", "\xFF"}) {
        EXPECT_EQ(decode_utf8_at(bad, 0), std::nullopt) << bad.size();
    }
}

TEST(EscapeForTerminal, KeepsPrintableTextAndUtf8AsIs) {
    EXPECT_EQ(escape_for_terminal(""), "");
    EXPECT_EQ(escape_for_terminal("/music/Motörhead/東京 (live).flac: 3.0 s"), "/music/Motörhead/東京 (live).flac: 3.0 s");
    EXPECT_EQ(escape_for_terminal("F\xe2\x99\xaf minor \xF0\x9F\x8E\xB5 \xc2\xa0nbsp"), "F\xe2\x99\xaf minor \xF0\x9F\x8E\xB5 \xc2\xa0nbsp");
    EXPECT_EQ(escape_for_terminal("C:\\music\\x"), "C:\\music\\x");  // a backslash stays one
}

TEST(EscapeForTerminal, MakesControlCharactersVisible) {
    EXPECT_EQ(escape_for_terminal("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
    EXPECT_EQ(escape_for_terminal("one\ntwo\r\tthree"), "one\\ntwo\\r\\tthree");
    EXPECT_EQ(escape_for_terminal(std::string_view("nul\0bel\x07" "del\x7f", 12)), "nul\\x00bel\\x07del\\x7f");
    EXPECT_EQ(escape_for_terminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
}

TEST(EscapeForTerminal, MakesC1ControlsVisible) {
    EXPECT_EQ(escape_for_terminal("\xc2\x9b" "31m"), "\\u009b31m");  // CSI, U+009B
    EXPECT_EQ(escape_for_terminal("\xc2\x80|\xc2\x85|\xc2\x9f|\xc2\xa0"), "\\u0080|\\u0085|\\u009f|\xc2\xa0");
}

// A file named "evil\u202Egnp.flac" would show as "evilcalf.png": bidi controls reorder what follows
// them on the terminal, so they are shown as escapes; other non-ASCII text stays as it is.
TEST(EscapeForTerminal, MakesBidiControlsVisible) {
    EXPECT_EQ(escape_for_terminal("evil\xe2\x80\xae" "gnp.flac"), "evil\\u202egnp.flac");  // RLO, U+202E
    EXPECT_EQ(escape_for_terminal("\xe2\x80\xaa|\xe2\x80\xab|\xe2\x80\xac|\xe2\x80\xad"), "\\u202a|\\u202b|\\u202c|\\u202d");
    EXPECT_EQ(escape_for_terminal("\xe2\x81\xa6|\xe2\x81\xa7|\xe2\x81\xa8|\xe2\x81\xa9"), "\\u2066|\\u2067|\\u2068|\\u2069");
    EXPECT_EQ(escape_for_terminal("\xe2\x80\x8e|\xe2\x80\x8f|\xd8\x9c"), "\\u200e|\\u200f|\\u061c");  // LRM, RLM, ALM
    // Their neighbours are kept: U+2022, U+202F (narrow no-break space), U+2065, U+206A, U+200D.
    const std::string_view neighbours = "\xe2\x80\xa2|\xe2\x80\xaf|\xe2\x81\xa5|\xe2\x81\xaa|\xe2\x80\x8d";
    EXPECT_EQ(escape_for_terminal(neighbours), neighbours);
}

// The line and paragraph separators break a line in some terminals and log viewers, so a name
// holding one could forge a line of tunecap's output.
TEST(EscapeForTerminal, MakesLineAndParagraphSeparatorsVisible) {
    EXPECT_EQ(escape_for_terminal("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c"), "a\\u2028b\\u2029c");
    const std::string_view neighbours = "\xe2\x80\xa7|\xe2\x80\xaf";  // U+2027, U+202F
    EXPECT_EQ(escape_for_terminal(neighbours), neighbours);
}

TEST(EscapeForTerminal, EscapesEachByteOfIllFormedUtf8) {
    EXPECT_EQ(escape_for_terminal("ab\xff"), "ab\\xff");
    EXPECT_EQ(escape_for_terminal("caf\xc3"), "caf\\xc3");                    // cut short
    EXPECT_EQ(escape_for_terminal("\xc3\x28"), "\\xc3(");                    // a bad continuation
    EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf");               // overlong '/'
    EXPECT_EQ(escape_for_terminal("x\xed\xa0\x80"), "x\\xed\\xa0\\x80");   // a UTF-16 surrogate
    EXPECT_EQ(escape_for_terminal("\xe2\x99\xaf\xe2\x99"), "\xe2\x99\xaf\\xe2\\x99");
}

TEST(EscapeForTerminal, TheResultIsOneLineOfPrintableUtf8) {
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
    const std::string escaped = escape_for_terminal(every_byte + every_byte);
    EXPECT_EQ(invalid_utf8_at(escaped), std::nullopt);
    for (const char c : escaped) {
        const auto byte = static_cast<unsigned char>(c);
        EXPECT_TRUE(byte >= 0x20 && byte != 0x7F) << static_cast<int>(byte);
    }
    EXPECT_EQ(escaped.find("\xc2\x9b"), std::string::npos);
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
