// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::normalise and the token budget. The output alphabet is what T5's SentencePiece vocabulary
// represents without <unk> and what captions need: letters, digits, space and
// . , ; : ! ? ' " ( ) - / & % + #.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr std::string_view kAllowedPunctuation = ".,;:!?'\"()-/&%+#";
// Left dangling at the end of a caption (or of a cut), these are dropped before the final period.
constexpr std::string_view kDangling = ",;:-/&+(";
// Dropped at the start of a caption: what a removed wrapper, bullet or heading leaves behind. With
// '#' and '-' here, a caption never starts like a markdown heading or bullet, so the markdown stage
// leaves a clean caption alone.
constexpr std::string_view kLeadingJunk = ".,;:!?)-/&%+#";

bool is_allowed(char c) {
    return is_alnum(c) || c == ' ' || kAllowedPunctuation.find(c) != std::string_view::npos;
}

bool contains(std::string_view set, char c) { return set.find(c) != std::string_view::npos; }

// Characters outside the alphabet: brackets become parentheses, the rest a space (so "a<b" stays
// two words). Newlines are kept for the line joiner.
std::string map_characters(std::string_view text, FlagSet& flags) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (is_allowed(c) || c == '\n') {
            out.push_back(c);
        } else if (c == '[') {
            out.push_back('(');
        } else if (c == ']') {
            out.push_back(')');
        } else if (c == '\t') {
            out.push_back(' ');
        } else {
            out.push_back(' ');
            flags.add(Flag::characters_removed);
        }
    }
    return out;
}

// One sentence stream from the lines: a line that ends a sentence or a clause, or a line followed
// by one starting in lower case (a wrapped sentence), joins with a space; any other line break
// ends a sentence.
std::string join_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    bool blank_before = false;
    for_each_line(text, [&](std::string_view raw_line) {
        const std::string_view line = trim_view(raw_line);
        if (line.empty()) {
            blank_before = !out.empty();
            return;
        }
        if (!out.empty()) {
            const char last = out.back();
            const bool closed_sentence = (last == ')' || last == '"' || last == '\'') &&
                                         out.size() >= 2 && is_terminal(out[out.size() - 2]);
            const bool ends_clause =
                is_terminal(last) || contains(kDangling, last) || closed_sentence;
            if (ends_clause || (!blank_before && is_lower(line[0]))) {
                out.push_back(' ');
                out.append(line);
            } else {
                out.append(". ");
                out.push_back(to_upper(line[0]));
                out.append(line.substr(1));
            }
        } else {
            out.append(line);
        }
        blank_before = false;
    });
    return out;
}

// The collapsed form of a run of sentence marks: "....." -> "...", "?!?" -> "?", ". ." -> ".".
std::string_view collapse_marks(std::string_view run) {
    int dots = 0;
    int questions = 0;
    int exclamations = 0;
    for (char c : run) {
        dots += c == '.';
        questions += c == '?';
        exclamations += c == '!';
    }
    if (questions > 0) return "?";
    if (exclamations > 0) return "!";
    return dots >= 3 ? "..." : ".";
}

void pop_trailing_space(std::string& out) {
    while (!out.empty() && out.back() == ' ') out.pop_back();
}

// Whitespace collapsed, no space before closing punctuation or after '(', runs of marks and of
// ",;:-" collapsed, empty "()" and "\"\"" dropped.
std::string tidy(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == ' ') {
            pending_space = true;
            ++i;
            continue;
        }
        if (is_terminal(c)) {
            std::size_t j = i;
            while (j < text.size() &&
                   (is_terminal(text[j]) ||
                    (text[j] == ' ' && j + 1 < text.size() && is_terminal(text[j + 1])))) {
                ++j;
            }
            pop_trailing_space(out);
            while (!out.empty() && contains(",;:", out.back())) out.pop_back();
            out.append(collapse_marks(text.substr(i, j - i)));
            pending_space = false;
            i = j;
            continue;
        }
        if (c == ',' || c == ';' || c == ':' || c == ')') {
            pop_trailing_space(out);
            if (c == ')' && !out.empty() && out.back() == '(') {
                out.pop_back();
                pending_space = !out.empty() && out.back() != ' ';
                pop_trailing_space(out);
                ++i;
                continue;
            }
            if (c != ')' && !out.empty() && contains(",;:", out.back())) {
                ++i;
                continue;
            }
            out.push_back(c);
            pending_space = false;
            ++i;
            continue;
        }
        if (c == '"' && !out.empty() && out.back() == '"') {
            out.pop_back();
            pending_space = pending_space || (!out.empty() && out.back() == ' ');
            pop_trailing_space(out);
            ++i;
            continue;
        }
        if (c == '-' && !out.empty() && out.back() == '-' && !pending_space) {
            ++i;
            continue;
        }
        if (pending_space && !out.empty() && out.back() != '(') out.push_back(' ');
        pending_space = false;
        out.push_back(c);
        ++i;
    }
    return out;
}

// The end of a caption: dangling connectors dropped, then exactly one final period. A final "!"
// or "?" becomes "."; a mark inside closing quotes or parentheses moves out ("wild!)" ->
// "wild)."); an ellipsis stays.
void finish(std::string& text) {
    while (!text.empty() && (text.back() == ' ' || contains(kDangling, text.back()))) {
        text.pop_back();
    }
    if (text.empty()) return;
    std::size_t closers = text.size();
    while (closers > 0 && (text[closers - 1] == ')' || text[closers - 1] == '"' ||
                           text[closers - 1] == '\'')) {
        --closers;
    }
    if (closers == text.size()) {
        if (text.back() == '!' || text.back() == '?') text.back() = '.';
        if (text.back() != '.') text.push_back('.');
        return;
    }
    if (closers > 0 && is_terminal(text[closers - 1]) &&
        !(closers >= 3 && text.compare(closers - 3, 3, "...") == 0)) {
        text.erase(closers - 1, 1);
    }
    text.push_back('.');
}

std::string finish_sentence_text(std::string_view text) {
    std::string out(text);
    finish(out);
    return out;
}

}  // namespace

StageOutput normalise_stage(std::string_view text) {
    StageOutput out;
    const std::string joined = join_lines(map_characters(text, out.flags));
    std::string tidied = tidy(joined);
    auto skip_junk = [&](std::size_t start) {
        while (start < tidied.size() && (tidied[start] == ' ' || contains(kLeadingJunk, tidied[start]))) ++start;
        return start;
    };
    std::size_t start = skip_junk(0);
    // Nor does it start like a numbered list item ("1. r."), which a second pass would flatten.
    while (const auto item = list_item(std::string_view(tidied).substr(start))) {
        if (!has_content(*item)) break;
        start = skip_junk(static_cast<std::size_t>(item->data() - tidied.data()));
    }
    tidied.erase(0, start);
    if (!has_content(tidied)) return out;
    finish(tidied);
    tidied[0] = to_upper(tidied[0]);
    out.text = std::move(tidied);
    return out;
}

namespace {

// `prefix` of a normalised caption, made a caption: a parenthesis or quote left open by the cut
// is dropped from its opening, then the end is finished.
std::string finish_cut(std::string_view prefix) {
    int depth = 0;
    std::size_t open = std::string_view::npos;
    std::size_t quotes = 0;
    std::size_t last_quote = std::string_view::npos;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (prefix[i] == '(') {
            if (depth++ == 0) open = i;
        } else if (prefix[i] == ')' && depth > 0) {
            --depth;
        } else if (prefix[i] == '"') {
            ++quotes;
            last_quote = i;
        }
    }
    if (depth > 0 && has_content(prefix.substr(0, open))) prefix = prefix.substr(0, open);
    if (quotes % 2 == 1 && last_quote < prefix.size() &&
        has_content(prefix.substr(0, last_quote))) {
        prefix = prefix.substr(0, last_quote);
    }
    return finish_sentence_text(trim_view(prefix));
}

// The largest index in `ends` whose cut fits, assuming counts grow with the prefix (true of both
// counters up to rare SentencePiece re-segmentations, which the final check catches).
std::optional<std::string> best_cut(std::string_view caption, const std::vector<std::size_t>& ends,
                                    int budget, const TokenCounter& counter) {
    std::size_t lo = 0;
    std::size_t hi = ends.size();
    std::optional<std::string> best;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        std::string cut = finish_cut(caption.substr(0, ends[mid]));
        if (has_content(cut) && counter.count(cut) <= budget) {
            best = std::move(cut);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return best;
}

// Not even the first word fits: a run of brackets or a "word" of megabytes. Its letters and
// digits are cut to the longest prefix that fits (brackets and other marks go, since they only add
// tokens); empty when not one character fits (a budget below any caption's size).
std::string cut_inside_word(std::string_view caption, int budget, const TokenCounter& counter) {
    // A SentencePiece piece is at most 16 characters (the trainer's default, which T5 kept), so no
    // prefix longer than 16 characters per token can fit; the bound keeps counting cheap.
    constexpr std::size_t kMaxPieceLength = 16;
    const std::size_t limit = kMaxPieceLength * static_cast<std::size_t>(budget);
    std::string letters;
    for (char c : caption) {
        if (c == ' ' && !letters.empty()) break;
        if (is_alnum(c)) letters.push_back(c);
        if (letters.size() >= limit) break;
    }
    std::string best;
    std::size_t lo = 1;
    std::size_t hi = letters.size() + 1;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        std::string cut = finish_sentence_text(std::string_view(letters).substr(0, mid));
        if (counter.count(cut) <= budget) {
            best = std::move(cut);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return best;
}

}  // namespace

std::string truncate_to_budget(std::string_view caption, int budget, const TokenCounter& counter) {
    if (counter.count(caption) <= budget) return std::string(caption);
    std::vector<std::size_t> sentence_ends;
    std::vector<std::size_t> word_ends;
    for (std::size_t i = 0; i + 1 < caption.size(); ++i) {
        if (caption[i + 1] != ' ') continue;
        word_ends.push_back(i + 1);
        if (is_terminal(caption[i])) sentence_ends.push_back(i + 1);
    }
    if (auto cut = best_cut(caption, sentence_ends, budget, counter)) return std::move(*cut);
    if (auto cut = best_cut(caption, word_ends, budget, counter)) return std::move(*cut);
    return cut_inside_word(caption, budget, counter);
}

}  // namespace tunecap::clean
