// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/text.hpp"

namespace tunecap::core {
namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower(c);
    return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string slug(std::string_view text, std::size_t max_length) {
    std::string out;
    for (char c : text) {
        const char l = lower(c);
        if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) {
            out.push_back(l);
        } else if (!out.empty() && out.back() != '-') {
            out.push_back('-');
        }
        if (out.size() >= max_length) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += separator;
        out += parts[i];
    }
    return out;
}

}  // namespace tunecap::core

namespace tunecap::core {

namespace {

// The length of the well-formed UTF-8 sequence at text[i] (overlong forms, surrogates and code
// points above U+10FFFF are not), or 0 when the byte there does not start one.
std::size_t utf8_length_at(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // overlong
        if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // overlong
        if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return length;
}

// The Unicode Bidi_Control characters (marks, embeddings, overrides, isolates): they reorder what
// follows them on a terminal, so that "evil\u202egnp.flac" shows as "evilcalf.png".
bool is_bidi_control(char32_t value) {
    return value == 0x061C || value == 0x200E || value == 0x200F || (value >= 0x202A && value <= 0x202E) ||
           (value >= 0x2066 && value <= 0x2069);
}

}  // namespace

std::optional<CodePoint> decode_utf8_at(std::string_view text, std::size_t i) {
    const std::size_t length = utf8_length_at(text, i);
    if (length == 0) return std::nullopt;
    constexpr unsigned char kLeadBits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    char32_t value = static_cast<unsigned char>(text[i]) & kLeadBits[length];
    for (std::size_t k = 1; k < length; ++k) value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    return CodePoint{value, length};
}

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_length_at(text, i);
        if (length == 0) return i;
        i += length;
    }
    return std::nullopt;
}

std::string escape_for_terminal(std::string_view text) {
    constexpr std::string_view kHex = "0123456789abcdef";
    const auto hex = [&](std::string& out, const char* prefix, unsigned value, int digits) {
        out += prefix;
        for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xF]);
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto code = decode_utf8_at(text, i);
        if (!code) {
            hex(out, "\\x", static_cast<unsigned char>(text[i]), 2);
            ++i;
            continue;
        }
        const char32_t value = code->value;
        if (value == '\n') {
            out += "\\n";
        } else if (value == '\r') {
            out += "\\r";
        } else if (value == '\t') {
            out += "\\t";
        } else if (value < 0x20 || value == 0x7F) {
            hex(out, "\\x", value, 2);
        } else if ((value >= 0x80 && value <= 0x9F) || value == 0x2028 || value == 0x2029 || is_bidi_control(value)) {
            // U+2028 and U+2029 end a line in some terminals and log viewers: one line stays one.
            hex(out, "\\u", value, 4);
        } else {
            out.append(text.substr(i, code->length));
        }
        i += code->length;
    }
    return out;
}

std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (const auto bad = invalid_utf8_at(text)) {
        out += text.substr(0, *bad);
        out += "\xEF\xBF\xBD";  // U+FFFD
        text.remove_prefix(*bad + 1);
    }
    out += text;
    return out;
}

}  // namespace tunecap::core
