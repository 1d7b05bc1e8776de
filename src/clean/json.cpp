// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::json: models asked for a caption sometimes answer `{"caption": "A warm techno track."}`
// (often in a ```json fence, which code_fences has removed). The caption is the string value; the
// key, braces and quotes are not. This reads JSON-shaped model text, not a protocol message, so a
// small reader here keeps the module free of a JSON library (STYLE.md: parse at the edge).

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr auto npos = std::string_view::npos;
// Nesting a caption object never needs; deeper values are not skipped but rejected, so a run of
// '[' cannot recurse without bound.
constexpr int kMaxDepth = 32;

struct Member {
    std::string key;                   // lower case, without '_', '-' and spaces
    std::optional<std::string> value;  // a string value, decoded; nullopt for other values
};

void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
        out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
}

// Reads one JSON object. Lenient only at the end: text that stops inside the object (the token
// limit cut it) is read up to where it stops.
class ObjectReader {
public:
    explicit ObjectReader(std::string_view text) : m_text(text) {}

    // The members of the object that starts the text, or nullopt when it is not one or when
    // anything but white space follows it.
    std::optional<std::vector<Member>> read() {
        std::vector<Member> members;
        if (!take('{')) return std::nullopt;
        skip_space();
        if (take('}')) return finished(std::move(members));
        while (true) {
            skip_space();
            if (at_end()) return members;
            auto key = string();
            if (!key) return std::nullopt;
            skip_space();
            if (at_end()) return members;
            if (!take(':')) return std::nullopt;
            skip_space();
            Member member{normalise_key(*key), std::nullopt};
            if (peek() == '"') {
                member.value = string();
                if (!member.value) return std::nullopt;
            } else if (!skip_value(0)) {
                return std::nullopt;
            }
            members.push_back(std::move(member));
            skip_space();
            if (at_end()) return members;
            if (take('}')) return finished(std::move(members));
            if (!take(',')) return std::nullopt;
        }
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
    bool take(char c) {
        if (peek() != c) return false;
        ++m_pos;
        return true;
    }
    void skip_space() {
        while (!at_end() && is_space(m_text[m_pos])) ++m_pos;
    }

    std::optional<std::vector<Member>> finished(std::vector<Member> members) {
        skip_space();
        if (!at_end()) return std::nullopt;
        return members;
    }

    static std::string normalise_key(std::string_view key) {
        std::string out;
        for (char c : key) {
            if (c != '_' && c != '-' && c != ' ') out.push_back(to_lower(c));
        }
        return out;
    }

    std::optional<unsigned> hex4() {
        if (m_pos + 4 > m_text.size()) return std::nullopt;
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            value <<= 4;
            if (is_digit(c)) {
                value |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                value |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                return std::nullopt;
            }
        }
        return value;
    }

    // \uXXXX, with a surrogate pair read as one code point; a lone surrogate is dropped.
    bool unicode_escape(std::string& out) {
        const auto high = hex4();
        if (!high) return false;
        unsigned code = *high;
        if (code >= 0xD800 && code <= 0xDBFF && m_text.substr(m_pos, 2) == "\\u") {
            m_pos += 2;
            const auto low = hex4();
            if (!low) return false;
            if (*low < 0xDC00 || *low > 0xDFFF) return true;
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
        } else if (code >= 0xD800 && code <= 0xDFFF) {
            return true;
        }
        append_utf8(out, code);
        return true;
    }

    // A string at m_pos (which holds '"'), decoded; one the text ends inside is read to the end.
    std::optional<std::string> string() {
        if (!take('"')) return std::nullopt;
        std::string out;
        while (!at_end()) {
            const char c = m_text[m_pos++];
            if (c == '"') return out;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (at_end()) return out;
            const char escape = m_text[m_pos++];
            switch (escape) {
                case 'n': out.push_back('\n'); break;
                case 't': out.push_back(' '); break;
                case 'r': break;
                case 'b':
                case 'f': out.push_back(' '); break;
                case 'u':
                    if (!unicode_escape(out)) return std::nullopt;
                    break;
                default: out.push_back(escape); break;  // \" \\ \/
            }
        }
        return out;
    }

    bool skip_value(int depth) {
        if (depth > kMaxDepth) return false;
        const char c = peek();
        if (c == '"') return string().has_value();
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            ++m_pos;
            while (true) {
                skip_space();
                if (at_end()) return true;
                if (take(close)) return true;
                if (!skip_value(depth + 1)) return false;
                skip_space();
                if (take(':') || take(',')) continue;
                if (at_end()) return true;
                if (peek() != close) return false;
            }
        }
        // A number, true, false or null.
        const std::size_t start = m_pos;
        while (!at_end() && (is_alnum(m_text[m_pos]) || m_text[m_pos] == '.' || m_text[m_pos] == '-' ||
                             m_text[m_pos] == '+')) {
            ++m_pos;
        }
        return m_pos > start;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The caption among the members: a key named caption, description or text, else one that ends in
// caption or description ("revised_caption"), else the only member.
const std::string* caption_value(const std::vector<Member>& members) {
    for (std::string_view name : {"caption", "description", "text"}) {
        for (const Member& member : members) {
            if (member.key == name && member.value) return &*member.value;
        }
    }
    for (const Member& member : members) {
        if (member.value && (ends_with(member.key, "caption") || ends_with(member.key, "description"))) {
            return &*member.value;
        }
    }
    if (members.size() == 1 && members.front().value) return &*members.front().value;
    return nullptr;
}

// Start of the first line that opens with '{' (after white space), or npos. Only that line is
// tried, so the stage stays linear.
std::size_t object_start(std::string_view text) {
    std::size_t line = 0;
    while (line < text.size()) {
        std::size_t k = line;
        while (k < text.size() && is_blank(text[k])) ++k;
        if (k < text.size() && text[k] == '{') return k;
        const std::size_t newline = text.find('\n', line);
        if (newline == npos) return npos;
        line = newline + 1;
    }
    return npos;
}

}  // namespace

StageOutput json_stage(std::string_view text) {
    StageOutput out;
    out.text = std::string(text);
    // An object inside the caption string (`{"caption": "{\"caption\": ...}"}`) is unwrapped too;
    // the bound only guards against a pathological nesting, which normalise then flattens.
    constexpr int kMaxUnwraps = 8;
    for (int i = 0; i < kMaxUnwraps; ++i) {
        const std::size_t start = object_start(out.text);
        if (start == npos) break;
        const auto members = ObjectReader(trim_right(std::string_view(out.text).substr(start))).read();
        const std::string* value = members ? caption_value(*members) : nullptr;
        if (!value) break;
        // The value went through no fold: \u escapes and raw UTF-8 inside it are folded here.
        const StageOutput folded = fold_stage(*value);
        out.flags |= folded.flags;
        out.flags.add(Flag::json_unwrapped);
        out.text = out.text.substr(0, start) + folded.text;
    }
    // An object whose caption is empty holds no caption; its key and braces are not one.
    if (out.flags.has(Flag::json_unwrapped)) out.salvage = std::string();
    return out;
}

}  // namespace tunecap::clean
