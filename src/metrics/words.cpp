// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/words.hpp"

#include <algorithm>

namespace tunecap::metrics {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether text[i], not itself a letter or digit, joins the word around it.
bool joins(std::string_view text, std::size_t i) {
    if (i == 0 || i + 1 >= text.size()) return false;
    const char before = text[i - 1];
    const char after = text[i + 1];
    if (text[i] == '\'' || text[i] == '-') return is_alnum(before) && is_alnum(after);
    return text[i] == '.' && is_digit(before) && is_digit(after);
}

// Calls on_word with each word of the text in turn, in one buffer reused for all of them: the
// vocabulary looks words up without allocating for the ones it has seen.
template <class OnWord>
void each_word(std::string_view text, OnWord on_word) {
    std::string word;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_alnum(text[i]) || (!word.empty() && joins(text, i))) {
            word += lower(text[i]);
        } else if (!word.empty()) {
            on_word(word);
            word.clear();
        }
    }
    if (!word.empty()) on_word(word);
}

// Appends the parts of a word (split_words') that spell a genre: split at its hyphens and
// apostrophes ("hip-hop", "drum'n'bass"), without the joining words "and" and "n" ('&' already
// separates words).
void add_genre_parts(std::string_view word, std::vector<std::string_view>& parts) {
    while (!word.empty()) {
        const std::size_t cut = std::min(word.find_first_of("-'"), word.size());
        const std::string_view part = word.substr(0, cut);
        if (!part.empty() && part != "and" && part != "n") parts.push_back(part);
        word.remove_prefix(std::min(cut + 1, word.size()));
    }
}

// Whether adjacent parts, from some position on, spell `joined` ("hip", "hop" spell "hiphop").
bool spelled_by_adjacent(const std::vector<std::string_view>& parts, std::string_view joined) {
    for (std::size_t first = 0; first < parts.size(); ++first) {
        std::string_view rest = joined;
        for (std::size_t k = first; k < parts.size() && rest.starts_with(parts[k]); ++k) {
            rest.remove_prefix(parts[k].size());
            if (rest.empty()) return true;
        }
    }
    return false;
}

}  // namespace

bool names_genre(const std::vector<std::string_view>& caption_words, std::string_view genre) {
    const std::vector<std::string> genre_words = split_words(genre);
    std::vector<std::string_view> wanted, parts;
    for (const auto& word : genre_words) add_genre_parts(word, wanted);
    if (wanted.empty()) return false;
    for (const auto word : caption_words) add_genre_parts(word, parts);
    const auto in_caption = [&](std::string_view part) { return std::find(parts.begin(), parts.end(), part) != parts.end(); };
    if (std::all_of(wanted.begin(), wanted.end(), in_caption)) return true;
    std::string joined;
    for (const auto part : wanted) joined += part;
    return spelled_by_adjacent(parts, joined);
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    each_word(text, [&](const std::string& word) { words.push_back(word); });
    return words;
}

std::vector<WordId> Vocabulary::add(std::string_view text) {
    std::vector<WordId> ids;
    each_word(text, [&](const std::string& word) {
        auto it = m_ids.find(word);
        if (it == m_ids.end()) {
            it = m_ids.emplace(word, static_cast<WordId>(m_words.size())).first;
            m_words.push_back(word);
        }
        ids.push_back(it->second);
    });
    return ids;
}

std::optional<WordId> Vocabulary::find(const std::string& word) const {
    const auto it = m_ids.find(word);
    return it == m_ids.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace tunecap::metrics
