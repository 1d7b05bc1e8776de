// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small string helpers shared by several modules.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tunecap::core {

std::string_view trim(std::string_view text);
std::string to_lower_ascii(std::string_view text);
bool iequals_ascii(std::string_view a, std::string_view b);
// Lower-case ASCII letters and digits, other runs become one '-', at most max_length characters.
std::string slug(std::string_view text, std::size_t max_length = 48);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// A code point read from UTF-8, and how many bytes it took.
struct CodePoint {
    char32_t value = 0;
    std::size_t length = 0;
};
// The code point of the well-formed UTF-8 sequence at text[i] (overlong forms, surrogates and code
// points above U+10FFFF are not), or nullopt when the byte there does not start one. i < text.size().
std::optional<CodePoint> decode_utf8_at(std::string_view text, std::size_t i);

// The offset of the first byte that does not belong to well-formed UTF-8 (overlong forms, surrogates
// and code points above U+10FFFF are not), or nullopt when the text is UTF-8 throughout. Text that
// reaches a prompt or a JSON file must be; file names need not be.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);
// `text` with each byte that does not belong to well-formed UTF-8 replaced by U+FFFD (one per
// byte, as report.html shows them): a readable stand-in for a file name, never the name itself.
std::string replace_invalid_utf8(std::string_view text);

// Text made safe for a terminal and kept on one line: C0 controls (newlines included), DEL, C1
// controls (U+0080..U+009F), the line and paragraph separators (U+2028, U+2029) and the bidi
// controls that reorder what follows them (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
// become visible escapes (\n, \r, \t, \x1b, \x7f, \u009b, \u2028, \u202e), and each byte of ill-formed UTF-8 becomes \xHH; everything else, non-ASCII UTF-8
// included, is kept. A backslash is kept as is: the result is for people to read, not to be parsed
// back. Every message tunecap writes to a terminal goes through this (core::Log does it for its lines).
std::string escape_for_terminal(std::string_view text);

}  // namespace tunecap::core
