// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Captions as words for the metrics: word counts, genre names, shared phrases and agreement all read
// a caption the same way. Words are numbered (a Vocabulary), so n-grams and bags of words are
// compared as integers rather than strings: a benchmark store holds tens of thousands of captions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tunecap::metrics {

using WordId = std::uint32_t;

// A word is a run of ASCII letters and digits, lower-cased, which may hold an apostrophe or hyphen
// between two of them ("don't", "lo-fi") and a period between two digits ("87.5"). Captions are
// ASCII (clean.hpp), so other bytes only separate words.
std::vector<std::string> split_words(std::string_view text);

// Whether a caption, as its words in order (split_words'), names a genre. Letter case and how a
// genre's words are joined do not matter: "Hip Hop", "hip-hop", "Hip/Hop", "hip_hop" and "HipHop"
// are one genre, as are "Drum & Bass", "drum and bass" and "Drum'n'Bass" (the words "and" and "n"
// only join). It is named when the caption holds each of its words, anywhere ("minimal, hypnotic
// techno" names Minimal Techno), or spells it whole in adjacent words ("hip hop" names HipHop).
bool names_genre(const std::vector<std::string_view>& caption_words, std::string_view genre);

class Vocabulary {
public:
    // The ids of the text's words, in order, numbering words not seen before.
    std::vector<WordId> add(std::string_view text);
    // The id of a word (as split_words gives it); nullopt when no text added so far holds it.
    std::optional<WordId> find(const std::string& word) const;
    const std::string& word(WordId id) const { return m_words[id]; }
    std::size_t size() const { return m_words.size(); }

private:
    std::unordered_map<std::string, WordId> m_ids;
    std::vector<std::string> m_words;
};

}  // namespace tunecap::metrics
