// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::repetition: small models fall into loops ("Andrea Andrea Andrea ...", the same sentence
// over and over) until the token limit. The loop is collapsed to one copy, so the caption is not
// thousands of tokens of it, and flagged, so it stays out of training: a model that looped did not
// describe the music.
//
// Thresholds: a phrase of n words (n up to 16) repeated in a row until the copies hold 12 words, at
// least 3 copies and at most 8: a word 8 times, two words 6 times, three 4 times, longer phrases 3
// times. Chants and patterns in real captions stay ("ba ba ba ba", "tick tock tick tock tick tock",
// "kick, hat, kick, hat, kick, hat"), a loop of a model does not (it runs until the token limit).
// Words compare by their letters and digits, case-insensitively, so "Andrea, Andrea." repeats too.
// A long text (40 words or more) with fewer than 30% distinct words loops without repeating in a
// row; it is flagged, not changed (ordinary prose has well over half).

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr std::size_t kMaxPhraseWords = 16;
constexpr std::size_t kLoopWords = 12;
constexpr std::size_t kMinCopies = 3;
constexpr std::size_t kMaxCopies = 8;
constexpr std::size_t kMinWordsForRatio = 40;
constexpr double kMinDistinctRatio = 0.3;

// The words of a text (runs of non-space holding a letter or digit) with their keys: the letters
// and digits in lower case, kept back to back in one buffer so that reading them allocates once.
class Words {
public:
    explicit Words(std::string_view text) : m_keys(text.size(), '\0') {
        std::size_t used = 0;
        std::size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && is_space(text[i])) ++i;
            const std::size_t start = i;
            const std::size_t key_start = used;
            while (i < text.size() && !is_space(text[i])) {
                if (is_alnum(text[i])) m_keys[used++] = to_lower(text[i]);
                ++i;
            }
            if (used > key_start) m_words.push_back({start, key_start, used - key_start});
        }
    }

    std::size_t size() const { return m_words.size(); }
    std::size_t start(std::size_t i) const { return m_words[i].start; }
    std::string_view key(std::size_t i) const {
        return std::string_view(m_keys).substr(m_words[i].key_start, m_words[i].key_size);
    }

private:
    struct Word {
        std::size_t start;
        std::size_t key_start;
        std::size_t key_size;
    };
    std::string m_keys;
    std::vector<Word> m_words;
};

// Copies of an n-word phrase in a row that make a loop.
std::size_t loop_copies(std::size_t n) {
    return std::min(kMaxCopies, std::max(kMinCopies, (kLoopWords + n - 1) / n));
}

bool same_phrase(const Words& words, std::size_t a, std::size_t b, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        if (words.key(a + k) != words.key(b + k)) return false;
    }
    return true;
}

// Copies of the n-word phrase at `at` in a row, counting itself.
std::size_t copies(const Words& words, std::size_t at, std::size_t n) {
    std::size_t count = 1;
    while (at + (count + 1) * n <= words.size() && same_phrase(words, at, at + count * n, n)) ++count;
    return count;
}

// One sweep: every loop found from left to right collapsed to one copy; nullopt when there is none.
std::optional<std::string> collapse_once(std::string_view text, const Words& words) {
    std::string out;
    std::size_t copied = 0;  // text before this offset is in `out`
    bool changed = false;
    std::size_t i = 0;
    while (i < words.size()) {
        std::size_t found = 0;
        std::size_t count = 0;
        for (std::size_t n = 1; n <= kMaxPhraseWords && i + 2 * n <= words.size(); ++n) {
            count = copies(words, i, n);
            if (count >= loop_copies(n)) {
                found = n;
                break;
            }
        }
        if (found == 0) {
            ++i;
            continue;
        }
        // Keep the last copy: the words before the loop and after it join as they did around it
        // ("dark, dark, dark, dark techno" -> "dark techno", not "dark, techno").
        out.append(text.substr(copied, words.start(i) - copied));
        copied = words.start(i + (count - 1) * found);
        changed = true;
        i += count * found;
    }
    if (!changed) return std::nullopt;
    out.append(text.substr(copied));
    return out;
}

bool few_distinct_words(const Words& words) {
    if (words.size() < kMinWordsForRatio) return false;
    std::unordered_set<std::string_view> distinct;
    for (std::size_t i = 0; i < words.size(); ++i) distinct.insert(words.key(i));
    return static_cast<double>(distinct.size()) < kMinDistinctRatio * static_cast<double>(words.size());
}

}  // namespace

StageOutput repetition_stage(std::string_view text) {
    StageOutput out;
    out.text = std::string(text);
    // A loop of loops ("a a a a b a a a a b a a a a b") collapses one level per sweep; each sweep
    // shortens the text, so this ends, and the stage is idempotent.
    while (true) {
        const Words words(out.text);
        if (auto collapsed = collapse_once(out.text, words)) {
            out.flags.add(Flag::repetition);
            out.text = std::move(*collapsed);
            continue;
        }
        if (few_distinct_words(words)) out.flags.add(Flag::repetition);
        return out;
    }
}

}  // namespace tunecap::clean
