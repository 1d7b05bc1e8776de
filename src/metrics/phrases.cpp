// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/phrases.hpp"

#include <algorithm>
#include <cstdint>

#include "metrics/flat_map.hpp"

namespace tunecap::metrics {
namespace {

std::uint64_t pair_of(WordId first, WordId second) { return (std::uint64_t{first} << 32) | second; }

struct Gram {
    std::uint64_t head = 0;  // first two words
    std::uint64_t tail = 0;  // last two words
    bool operator==(const Gram&) const = default;
};

struct SpreadPair {
    std::uint64_t operator()(std::uint64_t key) const { return key * kSpread; }
};
struct SpreadGram {
    std::uint64_t operator()(const Gram& gram) const { return ((gram.head * kSpread) ^ gram.tail) * kSpread; }
};

// The tracks whose captions hold a 4-gram: how many, and the last one counted.
struct Spread {
    std::uint32_t tracks = 0;
    std::uint32_t last_track = 0;
};

struct Nothing {};

std::string text_of(const Gram& gram, const Vocabulary& vocabulary) {
    std::string text;
    for (const auto pair : {gram.head, gram.tail}) {
        for (const auto id : {static_cast<WordId>(pair >> 32), static_cast<WordId>(pair)}) {
            (text += text.empty() ? "" : " ") += vocabulary.word(id);
        }
    }
    return text;
}

double ratio(std::size_t distinct, std::size_t total) {
    return total == 0 ? 0 : static_cast<double>(distinct) / static_cast<double>(total);
}

// captions: ordered by track, so that a track's captions are next to each other. words: how many
// they hold, more than their 4-grams.
std::vector<Phrase> common_phrases(const std::vector<CaptionWords>& captions, std::size_t words,
                                   const Vocabulary& vocabulary) {
    FlatMap<Gram, Spread, SpreadGram> spread(words);
    std::uint32_t track = 0;
    for (std::size_t c = 0; c < captions.size(); ++c) {
        if (c > 0 && captions[c].track_id != captions[c - 1].track_id) ++track;
        const auto& w = *captions[c].words;
        for (std::size_t i = 0; i + 4 <= w.size(); ++i) {
            auto& seen = spread[Gram{pair_of(w[i], w[i + 1]), pair_of(w[i + 2], w[i + 3])}];
            if (seen.tracks > 0 && seen.last_track == track) continue;
            seen.last_track = track;
            ++seen.tracks;
        }
    }
    std::vector<Phrase> shared;
    spread.for_each([&](const Gram& gram, const Spread& seen) {
        if (seen.tracks >= kSharedByTracks) shared.push_back({text_of(gram, vocabulary), seen.tracks});
    });
    // Most tracks first, then in word order, so that ties come out the same on every run.
    std::sort(shared.begin(), shared.end(),
              [](const Phrase& a, const Phrase& b) { return a.tracks != b.tracks ? a.tracks > b.tracks : a.words < b.words; });
    if (shared.size() > kCommonPhrases) shared.resize(kCommonPhrases);
    return shared;
}

}  // namespace

void add_phrases(Group& group, std::vector<CaptionWords> captions, const Vocabulary& vocabulary) {
    std::stable_sort(captions.begin(), captions.end(),
                     [](const CaptionWords& a, const CaptionWords& b) { return a.track_id < b.track_id; });
    std::size_t words = 0;
    for (const auto& caption : captions) words += caption.words->size();
    // No more distinct words than the vocabulary holds: a smaller table to clear for each group.
    FlatMap<std::uint64_t, Nothing, SpreadPair> unigrams(std::min(words, vocabulary.size())), bigrams(words);
    std::size_t pairs = 0;
    for (const auto& caption : captions) {
        const auto& w = *caption.words;
        for (const auto id : w) unigrams[id];
        for (std::size_t i = 0; i + 1 < w.size(); ++i, ++pairs) bigrams[pair_of(w[i], w[i + 1])];
    }
    group.distinct_1 = ratio(unigrams.size(), words);
    group.distinct_2 = ratio(bigrams.size(), pairs);
    group.common_phrases = common_phrases(captions, words, vocabulary);
}

}  // namespace tunecap::metrics
