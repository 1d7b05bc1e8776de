// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/phrases.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace tunecap::metrics {
namespace {

using Gram = std::array<WordId, 4>;

struct GramHash {
    std::size_t operator()(const Gram& gram) const {
        const std::uint64_t high = (std::uint64_t{gram[0]} << 32) | gram[1];
        const std::uint64_t low = (std::uint64_t{gram[2]} << 32) | gram[3];
        return std::hash<std::uint64_t>{}(high * 0x9e3779b97f4a7c15ULL ^ low);
    }
};

// The tracks whose captions hold a 4-gram, and the last of them seen.
struct Spread {
    std::string_view last_track;
    std::size_t tracks = 0;
};

std::string text_of(const Gram& gram, const Vocabulary& vocabulary) {
    std::string text = vocabulary.word(gram[0]);
    for (std::size_t i = 1; i < gram.size(); ++i) (text += ' ') += vocabulary.word(gram[i]);
    return text;
}

std::vector<Phrase> common_phrases(const std::vector<CaptionWords>& captions, const Vocabulary& vocabulary) {
    std::unordered_map<Gram, Spread, GramHash> spread;
    for (const auto& caption : captions) {
        const auto& words = *caption.words;
        for (std::size_t i = 0; i + 4 <= words.size(); ++i) {
            auto& seen = spread[Gram{words[i], words[i + 1], words[i + 2], words[i + 3]}];
            if (seen.tracks > 0 && seen.last_track == caption.track_id) continue;
            seen.last_track = caption.track_id;
            ++seen.tracks;
        }
    }
    std::vector<Phrase> shared;
    for (const auto& [gram, seen] : spread) {
        if (seen.tracks >= kSharedByTracks) shared.push_back({text_of(gram, vocabulary), seen.tracks});
    }
    // Most tracks first, then in word order, so that ties come out the same on every run.
    std::sort(shared.begin(), shared.end(),
              [](const Phrase& a, const Phrase& b) { return a.tracks != b.tracks ? a.tracks > b.tracks : a.words < b.words; });
    if (shared.size() > kCommonPhrases) shared.resize(kCommonPhrases);
    return shared;
}

double ratio(std::size_t distinct, std::size_t total) {
    return total == 0 ? 0 : static_cast<double>(distinct) / static_cast<double>(total);
}

}  // namespace

void add_phrases(Group& group, const std::vector<CaptionWords>& captions, const Vocabulary& vocabulary) {
    std::unordered_set<WordId> unigrams;
    std::unordered_set<std::uint64_t> bigrams;
    std::size_t words = 0, pairs = 0;
    for (const auto& caption : captions) {
        const auto& ids = *caption.words;
        words += ids.size();
        unigrams.insert(ids.begin(), ids.end());
        for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
            bigrams.insert((std::uint64_t{ids[i]} << 32) | ids[i + 1]);
            ++pairs;
        }
    }
    group.distinct_1 = ratio(unigrams.size(), words);
    group.distinct_2 = ratio(bigrams.size(), pairs);
    group.common_phrases = common_phrases(captions, vocabulary);
}

}  // namespace tunecap::metrics
