// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/escape.hpp"

#include <algorithm>
#include <cstdint>

namespace tunecap::html {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 when the byte there does not start one.
std::size_t sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const auto lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return length;
}

// Calls on_ascii(byte), on_sequence(bytes) or on_invalid() for each character of text in order.
template <typename Ascii, typename Sequence, typename Invalid>
void for_each_character(std::string_view text, Ascii on_ascii, Sequence on_sequence, Invalid on_invalid) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto length = sequence_length(text, i);
        if (length == 1) {
            on_ascii(text[i]);
            ++i;
        } else if (length == 0) {
            on_invalid();
            ++i;
        } else {
            on_sequence(text.substr(i, length));
            i += length;
        }
    }
}

void append_hex_escape(std::string& out, unsigned value) {
    constexpr std::string_view kHex = "0123456789abcdef";
    out += "\\u00";
    out += kHex[(value >> 4) & 0xF];
    out += kHex[value & 0xF];
}

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
    for_each_character(
        text,
        [&](char c) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                case '\'': out += "&#39;"; break;
                case '\0': out += kReplacement; break;  // the HTML parser would drop or replace it anyway
                default: out += c;
            }
        },
        [&](std::string_view sequence) { out += sequence; }, [&] { out += kReplacement; });
}

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_escaped(out, text);
    return out;
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for_each_character(
        text,
        [&](char c) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '<':
                case '>':
                case '&': append_hex_escape(out, static_cast<unsigned char>(c)); break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                        append_hex_escape(out, static_cast<unsigned char>(c));
                    } else {
                        out += c;
                    }
            }
        },
        [&](std::string_view sequence) { out += sequence; }, [&] { out += kReplacement; });
    out += '"';
}

std::size_t utf16_offset(std::string_view text, std::size_t byte_offset) {
    const auto end = text.substr(0, std::min(byte_offset, text.size()));
    std::size_t units = 0;
    // A sequence cut by `end` counts as invalid bytes, one unit each, which is what the writers
    // would show had the text ended there; claims end on character boundaries, so it does not arise.
    for_each_character(
        end, [&](char) { ++units; }, [&](std::string_view sequence) { units += sequence.size() == 4 ? 2 : 1; },
        [&] { ++units; });
    return units;
}

std::string percent_encode_path(const std::filesystem::path& path) {
    constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    for (const char c : path.generic_string()) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') ||
                                byte == '-' || byte == '.' || byte == '_' || byte == '~' || byte == '/';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        }
    }
    return out;
}

}  // namespace tunecap::html
