// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Phrases every track gets: the shared 4-grams and distinct-n of a group's captions.

#include <string_view>
#include <vector>

#include "metrics/metrics.hpp"
#include "metrics/words.hpp"

namespace tunecap::metrics {

struct CaptionWords {
    std::string_view track_id;
    const std::vector<WordId>* words = nullptr;  // in caption order
};

// The most shared 4-grams are those in the captions of at least this many tracks.
inline constexpr std::size_t kSharedByTracks = 2;
inline constexpr std::size_t kCommonPhrases = 10;

// Sets the group's common_phrases, distinct_1 and distinct_2 from its done captions, in any order
// (a 4-gram in several captions of one track counts that track once).
void add_phrases(Group& group, std::vector<CaptionWords> captions, const Vocabulary& vocabulary);

}  // namespace tunecap::metrics
