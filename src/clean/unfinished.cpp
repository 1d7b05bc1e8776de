// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::unfinished: an output the token limit cut (finish reason "length") ends inside a sentence,
// and a period after "The duration of the" would make a half sentence look like a caption. Only the
// answer's end is judged, and only when the answer runs to the end of the output: a complete
// caption followed by a run-on turn or a think block that the limit cut keeps its last sentence.

#include <algorithm>
#include <string>
#include <string_view>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr auto npos = std::string_view::npos;
// What may close a sentence after its final mark: `."`, `.)`, `.**`, `."}` (a JSON string).
constexpr std::string_view kClosers = ")]}\"'*_`";
// A line that ends with one of these goes on on the next line (as in normalise's line joiner).
constexpr std::string_view kDangling = ",;:-/&+(";
// The answer's last characters must end the output too. Enough to tell a run-on apart, short
// enough that the markup the earlier stages turned into spaces rarely falls inside.
constexpr std::size_t kTailLength = 32;

bool contains(std::string_view set, char c) { return set.find(c) != npos; }

// The answer's end is the output's end, so the limit cut the answer (not a run-on after it).
bool reaches_end(std::string_view answer, std::string_view folded_raw) {
    const std::string_view tail = answer.substr(answer.size() - std::min(answer.size(), kTailLength));
    return folded_raw.size() >= tail.size() &&
           folded_raw.substr(folded_raw.size() - tail.size()) == tail;
}

// A line break ends a sentence unless the line dangles (ends with a comma, a colon...) or the next
// line continues it in lower case: the rule by which normalise joins lines.
bool line_break_ends_sentence(std::string_view text, std::size_t newline) {
    const std::string_view before = trim_right(text.substr(0, newline));
    if (before.empty() || contains(kDangling, before.back())) return false;
    std::size_t next = newline + 1;
    bool blank_line = false;
    while (next < text.size() && is_space(text[next])) {
        blank_line = blank_line || text[next] == '\n';
        ++next;
    }
    return next == text.size() || blank_line || !is_lower(text[next]);
}

// Just past the last complete sentence of `text` (which has no trailing space), or 0. A sentence
// ends with . ! ? (and closers) before a space or the end, except a '.' before a lower-case word or
// a digit ("approx. 138 BPM", "feat. a guest"), or at a line break that ends a sentence.
std::size_t complete_end(std::string_view text) {
    std::size_t end = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            if (line_break_ends_sentence(text, i)) end = i;
            continue;
        }
        if (!is_terminal(text[i])) continue;
        std::size_t j = i;
        while (j < text.size() && is_terminal(text[j])) ++j;
        while (j < text.size() && contains(kClosers, text[j])) ++j;
        if (j == text.size()) return j;
        if (is_space(text[j])) {
            std::size_t next = j;
            while (next < text.size() && is_blank(text[next])) ++next;
            const bool abbreviation = text[i] == '.' && j == i + 1 && next < text.size() &&
                                      (is_lower(text[next]) || is_digit(text[next]));
            if (!abbreviation) end = j;
        }
        i = j - 1;
    }
    return end;
}

// A parenthesis the kept text leaves open is dropped from its opening, when text remains before it.
std::string_view drop_open_group(std::string_view text) {
    std::size_t open = npos;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(' || text[i] == '[') {
            if (depth++ == 0) open = i;
        } else if ((text[i] == ')' || text[i] == ']') && depth > 0) {
            --depth;
        }
    }
    if (depth > 0 && has_content(text.substr(0, open))) return trim_right(text.substr(0, open));
    return text;
}

}  // namespace

StageOutput unfinished_stage(std::string_view answer, std::string_view folded_raw) {
    StageOutput out;
    const std::string_view text = trim_right(answer);
    if (!has_content(text) || !reaches_end(text, trim_right(folded_raw))) {
        out.text = std::string(answer);
        return out;
    }
    const std::size_t end = complete_end(text);
    if (!has_content(text.substr(end))) {
        out.text = std::string(answer);
        return out;
    }
    out.flags.add(Flag::cut_off);
    out.text = std::string(drop_open_group(trim_right(text.substr(0, end))));
    // The unfinished sentence is not content: an answer of only that leaves nothing.
    out.salvage = std::string();
    return out;
}

}  // namespace tunecap::clean
