// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::lead_in and Stage::notes: what a chat model writes around a caption. Every rule here only
// removes text at the start (lead-in) or at the end (notes) and names what it removes by its
// opening words, never by the caption's own words: a caption such as "The track is a dark,
// driving psytrance piece" must never match (the original benchmark lost every `technical` and
// `brief` caption to a rule that dropped lines starting with "the track is a").

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr auto npos = std::string_view::npos;
// As in normalise.cpp: characters a caption never starts with.
constexpr std::string_view kLeadingJunk = ".,;:!?)-/&%+#";

template <std::size_t N>
bool starts_with_any(std::string_view text, const std::array<std::string_view, N>& openers) {
    for (std::string_view opener : openers) {
        if (starts_with_word_ci(text, opener)) return true;
    }
    return false;
}

template <std::size_t N>
bool contains_any_ci(std::string_view text, const std::array<std::string_view, N>& needles) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (std::string_view needle : needles) {
            if (starts_with_ci(text.substr(i), needle)) return true;
        }
    }
    return false;
}

// Nouns that name the model's output rather than the music ("Here is the revised caption:").
constexpr std::array<std::string_view, 18> kOutputNouns{
    "caption",  "description", "version", "revision", "rewrite", "text",   "answer",
    "response", "result",      "summary", "attempt",  "output",  "draft",  "suggestion",
    "option",   "edit",        "sentence", "json"};

bool names_output(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i > 0 && is_alpha(text[i - 1])) continue;
        for (std::string_view noun : kOutputNouns) {
            if (starts_with_ci(text.substr(i), noun)) {
                const std::size_t end = i + noun.size();
                // "caption", "captions", but not "textures".
                if (end == text.size() || !is_alpha(text[end]) ||
                    (text[end] == 's' && (end + 1 == text.size() || !is_alpha(text[end + 1])))) {
                    return true;
                }
            }
        }
    }
    return false;
}

// Length of a leading acknowledgement ("Sure! ", "Certainly, ", "Got it."), or 0.
std::size_t acknowledgement(std::string_view text) {
    constexpr std::array<std::string_view, 6> kWithComma{"sure thing", "sure",       "certainly",
                                                         "of course",  "absolutely", "definitely"};
    constexpr std::array<std::string_view, 6> kWithStop{"great",      "got it",     "understood",
                                                        "no problem", "here you go", "here it is"};
    const auto after = [&](std::string_view word, std::string_view marks) -> std::size_t {
        if (!starts_with_word_ci(text, word)) return 0;
        std::size_t k = word.size();
        if (k >= text.size() || marks.find(text[k]) == npos) return 0;
        while (k < text.size() && marks.find(text[k]) != npos) ++k;
        return k;
    };
    for (std::string_view word : kWithComma) {
        if (const std::size_t n = after(word, "!.,:")) return n;
    }
    for (std::string_view word : kWithStop) {
        if (const std::size_t n = after(word, "!.:")) return n;
    }
    return 0;
}

// End of the lead-in sentence that starts `text`: just past the first ':', sentence end or line
// end; npos when the text never ends the sentence.
std::size_t lead_in_end(std::string_view text, std::size_t limit) {
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        const char c = text[i];
        if (c == ':' || c == '\n') return i + 1;
        if (is_terminal(c) && (i + 1 == text.size() || is_space(text[i + 1]) || text[i + 1] == '"')) {
            std::size_t k = i + 1;
            while (k < text.size() && is_terminal(text[k])) ++k;
            return k;
        }
    }
    return npos;
}

// "Here is the revised caption:", "Here's my rewrite.", "Below is the description:".
std::size_t here_is(std::string_view text) {
    constexpr std::array<std::string_view, 9> kOpeners{
        "here is", "here's", "heres", "here are", "below is", "below are", "the following is",
        "i've written", "i have written"};
    constexpr std::size_t kMaxLength = 120;
    if (!starts_with_any(text, kOpeners)) return 0;
    const std::size_t end = lead_in_end(text, kMaxLength);
    if (end == npos || !names_output(text.substr(0, end))) return 0;
    return end;
}

// "Caption:", "Revised caption:", "Final answer (38 words):", "Revised:", "Caption - ".
std::size_t label(std::string_view text) {
    constexpr std::array<std::string_view, 12> kSingleWords{
        "revised",   "final",  "rewritten", "refined",   "improved",   "updated",
        "corrected", "edited", "shortened", "polished", "rewrite", "revision"};
    constexpr std::size_t kMaxWords = 5;
    std::size_t k = 0;
    std::size_t words = 0;
    std::string_view last;
    while (k < text.size() && words < kMaxWords) {
        const std::size_t start = k;
        while (k < text.size() && (is_alpha(text[k]) || text[k] == '-' || text[k] == '\'')) ++k;
        if (k == start) return 0;
        last = text.substr(start, k - start);
        ++words;
        while (k < text.size() && is_blank(text[k])) ++k;
        if (k < text.size() && text[k] == '(') {
            constexpr std::size_t kMaxAside = 80;  // "(38 words)", "(under 40 words, final)"
            const std::size_t close = text.substr(0, k + kMaxAside).find(')', k);
            if (close == npos || text.substr(k, close - k).find('\n') != npos) return 0;
            k = close + 1;
            while (k < text.size() && is_blank(text[k])) ++k;
        }
        // "Caption - A warm track" (an em dash folds to " - "): only after a noun that names
        // the output, since "Deep house - warm pads" is a caption.
        if (k + 1 < text.size() && text[k] == '-' && is_blank(text[k + 1]) && k > 0 &&
            is_blank(text[k - 1]) && names_output(last)) {
            return k + 1;
        }
        if (k < text.size() && text[k] == ':') {
            bool is_label = names_output(last);
            for (std::string_view word : kSingleWords) {
                is_label = is_label || (words == 1 && last.size() == word.size() &&
                                        starts_with_ci(last, word));
            }
            return is_label ? k + 1 : 0;
        }
    }
    return 0;
}

// Openers of reasoning a model wrote before its answer.
constexpr std::array<std::string_view, 47> kPreambleOpeners{
    "we need",        "we should",       "we must",         "we have to",      "we are asked",
    "we're asked",    "we want",         "the problem is",  "the problem:",    "the issue is",
    "the task",       "the user",        "the request",     "the prompt",      "the instruction",
    "the guidelines", "the goal",        "the original caption", "the caption", "the revised caption",
    "okay",           "ok,",             "ok so",           "alright",         "all right,",
    "hmm",            "wait,",           "well,",           "so the user",     "so we",
    "let me",         "let's",           "let us",          "i need",          "i should",
    "i will",         "i'll",            "i must",          "i think",         "i'm going",
    "i am going",     "i have to",       "i'd",             "keep it",         "make sure",
    "make it",        "thinking"};

// Length of one leading preamble sentence (with its terminator), or 0; `is_wrapper` is set when
// the sentence ends with ':' and so introduces the caption ("Let's write:").
std::size_t preamble(std::string_view text, bool& is_wrapper) {
    if (!starts_with_any(text, kPreambleOpeners)) return 0;
    const std::size_t end = lead_in_end(text, text.size());
    if (end == npos) return text.size();
    is_wrapper = text[end - 1] == ':';
    return end;
}

// `text` without quotes around all of it: "\"A caption.\"" or "'A caption'." (no quote inside).
std::optional<std::string_view> unquote(std::string_view text) {
    text = trim_right(text);
    if (text.size() < 2 || (text[0] != '"' && text[0] != '\'')) return std::nullopt;
    const char quote = text[0];
    std::size_t end = text.size();
    while (end > 1 && is_terminal(text[end - 1])) --end;
    if (end < 2 || text[end - 1] != quote) return std::nullopt;
    const std::string_view inner = text.substr(1, end - 2);
    if (inner.find(quote) != npos || !has_content(inner)) return std::nullopt;
    return inner;
}

// ---- Notes ----

bool mentions_count(std::string_view lower) {
    for (std::string_view unit : {" words", " word ", " characters", " tokens", " sentences"}) {
        for (std::size_t at = lower.find(unit); at != npos; at = lower.find(unit, at + 1)) {
            if (at > 0 && is_digit(lower[at - 1])) return true;
        }
    }
    return false;
}

// The inside of a trailing parenthesis that talks to the user about the caption.
bool is_note(std::string_view inside) {
    constexpr std::array<std::string_view, 24> kOpeners{
        "note",     "notes",   "nb",          "n.b.",     "p.s.",     "ps:",
        "i ",       "i'",      "this caption", "the caption", "caption", "word count",
        "kept",     "as requested", "revised", "let me",  "if you",   "feel free",
        "hope",     "changes", "edited",      "removed",  "shortened", "trimmed"};
    constexpr std::array<std::string_view, 11> kPhrases{
        "as requested", "word count",   "let me know", "if you",     "you asked",
        "you requested", "your request", "the user",    "the prompt", "the instructions",
        "the original caption"};
    const std::string_view trimmed = trim_view(inside);
    return starts_with_any(trimmed, kOpeners) || contains_any_ci(trimmed, kPhrases) ||
           mentions_count(trimmed);
}

constexpr std::array<std::string_view, 34> kNoteLineOpeners{
    "this version",   "this revision", "this revised",   "the revised",  "changes:",
    "note:",          "notes:",      "note that",      "nb:",          "n.b.",
    "p.s.",           "ps:",         "word count",     "let me know",  "i hope",
    "hope this",      "feel free",   "if you",         "would you like", "do you want",
    "is there anything", "this caption", "the caption", "i kept",       "i've",
    "i have",         "i removed",   "i added",        "i made",       "i focused",
    "i changed",      "i replaced",  "i used",         "(note"};

constexpr std::array<std::string_view, 19> kNoteSentenceOpeners{
    "this version",  "this revision", "this revised",
    "let me know",   "i hope",        "hope this",   "feel free",     "if you'd like",
    "if you would like", "if you want", "would you like", "do you want", "is there anything",
    "note:",         "notes:",        "p.s.",        "i kept",        "i've kept",
    "this caption"};

// Start of the parenthesis or bracket group that closes `text` (ignoring final punctuation), or
// npos.
std::size_t trailing_group(std::string_view text) {
    std::size_t end = text.size();
    while (end > 0 && (is_terminal(text[end - 1]) || is_space(text[end - 1]))) --end;
    if (end == 0 || (text[end - 1] != ')' && text[end - 1] != ']')) return npos;
    const char close = text[end - 1];
    const char open = close == ')' ? '(' : '[';
    int depth = 0;
    for (std::size_t i = end; i > 0; --i) {
        if (text[i - 1] == close) ++depth;
        if (text[i - 1] == open && --depth == 0) return i - 1;
    }
    return npos;
}

// Start of the last sentence of the line that starts at `line_start` and ends `text`.
std::size_t last_sentence(std::string_view text, std::size_t line_start) {
    for (std::size_t i = text.size(); i > line_start + 1; --i) {
        if (is_terminal(text[i - 2]) && is_blank(text[i - 1]) && i < text.size()) return i;
    }
    return line_start;
}

// After a reasoning preamble, the model often thinks on for a few sentences and then introduces
// its answer ("... Let's produce: \"A track...\""): everything before the last such introduction
// at a sentence start is reasoning too. Returns the end of that introduction, or 0.
std::size_t last_introduction(std::string_view text) {
    std::size_t found = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool sentence_start =
            i == 0 || text[i - 1] == '\n' ||
            (i >= 2 && is_blank(text[i - 1]) && (is_terminal(text[i - 2]) || text[i - 2] == '"'));
        if (!sentence_start || !is_alpha(text[i])) continue;
        const std::string_view rest = text.substr(i);
        std::size_t end = here_is(rest);
        if (end == 0) end = label(rest);
        if (end == 0) {
            bool is_wrapper = false;
            end = preamble(rest, is_wrapper);
            if (!is_wrapper) end = 0;
        }
        if (end > 0) found = i + end;
    }
    return found;
}

}  // namespace

StageOutput lead_in_stage(std::string_view text) {
    StageOutput out;
    std::string_view rest = trim_view(text);
    bool changed = true;
    bool searched_introduction = false;
    while (changed && !rest.empty()) {
        changed = false;
        // What the normaliser would drop at the start anyway ("- Caption: ..."), dropped here so
        // that one pass reaches every wrapper behind it.
        while (!rest.empty() && (kLeadingJunk.find(rest[0]) != npos || is_space(rest[0]))) {
            rest.remove_prefix(1);
        }
        std::size_t consumed = acknowledgement(rest);
        if (consumed == 0) consumed = here_is(rest);
        if (consumed == 0) consumed = label(rest);
        if (consumed > 0) {
            out.flags.add(Flag::wrapper_removed);
        } else {
            bool is_wrapper = false;
            consumed = preamble(rest, is_wrapper);
            if (consumed > 0) {
                out.flags.add(is_wrapper ? Flag::wrapper_removed : Flag::preamble_removed);
            }
            if (consumed > 0 && !is_wrapper && !searched_introduction) {
                // Once: the search reads the whole text.
                searched_introduction = true;
                if (const std::size_t intro = last_introduction(rest.substr(consumed))) {
                    consumed += intro;
                    out.flags.add(Flag::wrapper_removed);
                }
            }
        }
        if (consumed > 0) {
            rest = trim_view(rest.substr(consumed));
            changed = true;
            continue;
        }
        if (const auto inner = unquote(rest)) {
            rest = trim_view(*inner);
            out.flags.add(Flag::wrapper_removed);
            changed = true;
        }
    }
    out.text = std::string(rest);
    return out;
}

StageOutput notes_stage(std::string_view text) {
    StageOutput out;
    std::string_view body = trim_right(text);
    // Cuts only shorten `body`, so the last newline is searched again only when a cut passes it:
    // the stage stays linear however many notes there are.
    std::size_t newline = body.rfind('\n');
    bool changed = true;
    while (changed && !body.empty()) {
        changed = false;
        if (newline != npos && newline >= body.size()) newline = body.rfind('\n');
        const std::size_t line_start = newline == npos ? 0 : newline + 1;
        const std::size_t group = trailing_group(body);
        if (group != npos && group > 0 && is_note(body.substr(group + 1))) {
            body = trim_right(body.substr(0, group));
            changed = true;
        } else if (newline != npos &&
                   starts_with_any(trim_left(body.substr(line_start)), kNoteLineOpeners)) {
            body = trim_right(body.substr(0, newline));
            changed = true;
        } else if (const std::size_t sentence = last_sentence(body, line_start);
                   sentence > line_start &&
                   starts_with_any(body.substr(sentence), kNoteSentenceOpeners)) {
            body = trim_right(body.substr(0, sentence));
            changed = true;
        }
        if (changed) out.flags.add(Flag::note_removed);
    }
    out.text = std::string(body);
    return out;
}

}  // namespace tunecap::clean
