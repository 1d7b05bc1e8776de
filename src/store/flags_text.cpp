// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/flags_text.hpp"

#include <cstdint>

namespace tunecap::store {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

// A cursor over the column text; every read fails (returns false / nullopt) rather than run past
// the end.
class Reader {
public:
    explicit Reader(std::string_view text) : m_text(text) {}

    bool at_end() const { return m_pos == m_text.size(); }

    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++m_pos;
    }

    bool take(char expected) {
        if (at_end() || peek() != expected) return false;
        ++m_pos;
        return true;
    }

    std::optional<std::string> string() {
        if (!take('"')) return std::nullopt;
        std::string out;
        while (!at_end()) {
            const char c = m_text[m_pos++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (!escape(out)) return std::nullopt;
        }
        return std::nullopt;
    }

private:
    char peek() const { return m_text[m_pos]; }

    bool escape(std::string& out) {
        if (at_end()) return false;
        switch (m_text[m_pos++]) {
            case '"': out += '"'; return true;
            case '\\': out += '\\'; return true;
            case '/': out += '/'; return true;
            case 'b': out += '\b'; return true;
            case 'f': out += '\f'; return true;
            case 'n': out += '\n'; return true;
            case 'r': out += '\r'; return true;
            case 't': out += '\t'; return true;
            case 'u': return unicode_escape(out);
            default: return false;
        }
    }

    bool unicode_escape(std::string& out) {
        const auto unit = hex4();
        if (!unit) return false;
        if (*unit >= 0xDC00 && *unit <= 0xDFFF) return false;
        if (*unit < 0xD800 || *unit > 0xDBFF) {
            append_utf8(out, *unit);
            return true;
        }
        if (!take('\\') || !take('u')) return false;
        const auto low = hex4();
        if (!low || *low < 0xDC00 || *low > 0xDFFF) return false;
        append_utf8(out, 0x10000 + ((*unit - 0xD800) << 10) + (*low - 0xDC00));
        return true;
    }

    std::optional<std::uint32_t> hex4() {
        if (m_text.size() - m_pos < 4) return std::nullopt;
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            value <<= 4;
            if (c >= '0' && c <= '9') {
                value |= static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value |= static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                value |= static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return std::nullopt;
            }
        }
        return value;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace

std::string encode_flags(const std::vector<std::string>& flags) {
    std::string out = "[";
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (const char c : flags[i]) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\t') {
                out += "\\t";
            } else if (byte < 0x20) {
                out += "\\u00";
                out += kHexDigits[byte >> 4];
                out += kHexDigits[byte & 0x0F];
            } else {
                out += c;
            }
        }
        out += '"';
    }
    out += ']';
    return out;
}

std::optional<std::vector<std::string>> decode_flags(std::string_view text) {
    Reader reader(text);
    std::vector<std::string> flags;
    reader.skip_space();
    if (!reader.take('[')) return std::nullopt;
    reader.skip_space();
    if (!reader.take(']')) {
        do {
            reader.skip_space();
            auto flag = reader.string();
            if (!flag) return std::nullopt;
            flags.push_back(std::move(*flag));
            reader.skip_space();
        } while (reader.take(','));
        if (!reader.take(']')) return std::nullopt;
    }
    reader.skip_space();
    if (!reader.at_end()) return std::nullopt;
    return flags;
}

}  // namespace tunecap::store
