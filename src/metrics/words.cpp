// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/words.hpp"

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

}  // namespace

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
