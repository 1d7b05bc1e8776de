// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::code_fences, Stage::noise, Stage::markdown: rules that read the output line by line, so
// they run before the normaliser joins the lines into sentences.

#include <optional>
#include <string>
#include <string_view>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

bool is_fence_char(char c) { return c == '`' || c == '~'; }

// "python", "text", "markdown": what follows an opening fence when it is a language tag.
bool is_language_tag(std::string_view text) {
    constexpr std::size_t kMaxTag = 20;
    if (text.size() > kMaxTag) return false;
    for (char c : text) {
        if (!is_alnum(c) && c != '-' && c != '_' && c != '+' && c != '#' && c != '.') return false;
    }
    return true;
}

std::string_view strip_trailing_fence(std::string_view line) {
    if (line.size() >= 3 && line.substr(line.size() - 3) == "```") {
        line.remove_suffix(3);
        while (!line.empty() && line.back() == '`') line.remove_suffix(1);
    }
    return trim_right(line);
}

// Number of '#' of an ATX heading ("## Caption"), or 0.
std::size_t heading_level(std::string_view line) {
    constexpr std::size_t kMaxLevel = 6;
    std::size_t k = 0;
    while (k < line.size() && line[k] == '#') ++k;
    if (k == 0 || k > kMaxLevel) return 0;
    return (k == line.size() || is_blank(line[k])) ? k : 0;
}

// Bold and italic markers, inline code ticks and [text](url) links, removed from one line.
std::string flatten_inline(std::string_view line, FlagSet& flags) {
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '*' || c == '`') {
            flags.add(Flag::markdown_flattened);
            continue;
        }
        if (c == '_' && i + 1 < line.size() && line[i + 1] == '_') {
            flags.add(Flag::markdown_flattened);
            ++i;
            continue;
        }
        if (c == '[') {
            // Link text and target are short; the bound keeps a line of '[' linear.
            constexpr std::size_t kMaxLink = 512;
            const std::size_t close = line.substr(0, i + kMaxLink).find(']', i + 1);
            if (close != std::string_view::npos && close + 1 < line.size() && line[close + 1] == '(') {
                const std::size_t paren = line.substr(0, close + kMaxLink).find(')', close + 2);
                if (paren != std::string_view::npos) {
                    out.append(line.substr(i + 1, close - i - 1));
                    flags.add(Flag::markdown_flattened);
                    i = paren;
                    continue;
                }
            }
        }
        out.push_back(c);
    }
    return out;
}

// A list item as a sentence: capital first letter, final period.
std::string item_sentence(std::string item) {
    const std::string_view trimmed = trim_view(item);
    std::string out(trimmed);
    if (out.empty()) return out;
    out[0] = to_upper(out[0]);
    if (out.back() == ',' || out.back() == ';') out.pop_back();
    if (!out.empty() && !is_terminal(out.back()) && out.back() != ':') out.push_back('.');
    return out;
}

}  // namespace

// The text of a "- item", "* item", "+ item", "1. item" or "2) item" line, or nullopt.
std::optional<std::string_view> list_item(std::string_view line) {
    if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') &&
        is_blank(line[1])) {
        return trim_view(line.substr(2));
    }
    std::size_t k = 0;
    constexpr std::size_t kMaxDigits = 2;
    while (k < line.size() && k < kMaxDigits + 1 && is_digit(line[k])) ++k;
    if (k == 0 || k > kMaxDigits || k + 1 >= line.size()) return std::nullopt;
    if ((line[k] == '.' || line[k] == ')') && is_blank(line[k + 1])) {
        return trim_view(line.substr(k + 2));
    }
    return std::nullopt;
}

StageOutput code_fences_stage(std::string_view text) {
    StageOutput out;
    if (text.find("```") == std::string_view::npos && text.find("~~~") == std::string_view::npos) {
        out.text = std::string(text);
        return out;
    }
    for_each_line(text, [&](std::string_view line) {
        const std::string_view trimmed = trim_view(line);
        if (trimmed.size() >= 3 && is_fence_char(trimmed[0]) && trimmed[1] == trimmed[0] &&
            trimmed[2] == trimmed[0]) {
            out.flags.add(Flag::wrapper_removed);
            std::string_view rest = trimmed;
            while (!rest.empty() && rest[0] == trimmed[0]) rest.remove_prefix(1);
            rest = strip_trailing_fence(rest);
            if (rest.empty() || is_language_tag(rest)) return;
            append_line(out.text, rest);
            return;
        }
        const std::string_view stripped = strip_trailing_fence(line);
        if (stripped.size() != trim_right(line).size()) out.flags.add(Flag::wrapper_removed);
        append_line(out.text, stripped);
    });
    return out;
}

StageOutput noise_stage(std::string_view text) {
    StageOutput out;
    out.text.reserve(text.size());
    bool first = true;
    for_each_line(text, [&](std::string_view line) {
        if (!trim_view(line).empty() && !has_content(line)) {
            out.flags.add(Flag::noise_removed);
            return;
        }
        if (!first) out.text.push_back('\n');
        out.text.append(line);
        first = false;
    });
    return out;
}

StageOutput markdown_stage(std::string_view text) {
    StageOutput out;
    std::string salvage;
    for_each_line(text, [&](std::string_view raw_line) {
        std::string_view line = trim_left(raw_line);
        while (!line.empty() && line[0] == '>') {
            line = trim_left(line.substr(1));
            out.flags.add(Flag::markdown_flattened);
        }
        if (heading_level(line) > 0) {
            out.flags.add(Flag::wrapper_removed);
            while (const std::size_t level = heading_level(line)) line = trim_view(line.substr(level));
            append_line(salvage, flatten_inline(line, out.flags));
            return;
        }
        std::string flat;
        if (auto item = list_item(line)) {
            out.flags.add(Flag::markdown_flattened);
            while (const auto nested = list_item(*item)) item = nested;  // "- 1. item"
            flat = item_sentence(flatten_inline(*item, out.flags));
        } else {
            flat = flatten_inline(line, out.flags);
        }
        append_line(out.text, flat);
        append_line(salvage, flat);
    });
    out.salvage = std::move(salvage);
    return out;
}

}  // namespace tunecap::clean
