// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Byte-level scanning helpers for the cleaning stages. ASCII only: the stages run after fold(), so
// every byte they look at is ASCII.

#include <string>
#include <string_view>

namespace tunecap::clean {

constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_terminal(char c) { return c == '.' || c == '!' || c == '?'; }
constexpr char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

// "Content" for the never-blank rule: at least one ASCII letter or digit.
inline bool has_content(std::string_view text) {
    for (char c : text) {
        if (is_alnum(c)) return true;
    }
    return false;
}

inline bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (to_lower(text[i]) != to_lower(prefix[i])) return false;
    }
    return true;
}

// `prefix` at the start of `text`, followed by a non-letter (or the end): "okay," but not "okayish".
inline bool starts_with_word_ci(std::string_view text, std::string_view prefix) {
    return starts_with_ci(text, prefix) &&
           (text.size() == prefix.size() || !is_alpha(text[prefix.size()]) ||
            !is_alpha(prefix.back()));
}

inline std::string_view trim_view(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

inline std::string_view trim_left(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    return text;
}

inline std::string_view trim_right(std::string_view text) {
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Calls `visit(line)` for each line of `text` (without its '\n'); a final empty line after a
// trailing '\n' is not visited.
template <class Visit>
void for_each_line(std::string_view text, Visit&& visit) {
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            visit(text.substr(start));
            return;
        }
        visit(text.substr(start, end - start));
        start = end + 1;
    }
}

inline void append_line(std::string& out, std::string_view line) {
    if (!out.empty()) out.push_back('\n');
    out.append(line);
}

}  // namespace tunecap::clean
