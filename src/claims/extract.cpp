// SPDX-License-Identifier: GPL-3.0-or-later
// Claim extraction with a few regular expressions over the UTF-8 bytes; context that std::regex
// cannot look behind for (the "in" before a key) is checked by hand.

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <string>
#include <string_view>

#include "claims/claims.hpp"
#include "core/notes.hpp"

namespace tunecap::claims {
namespace {

// A tempo number: two or three digits, optionally decimal, standing alone.
constexpr std::string_view kNumber = R"(\b(\d{2,3}(?:\.\d+)?)(?![\d.]\d))";
// An optional range end: "120-125", "120–125", "120 to 125".
constexpr std::string_view kRangeEnd = R"((?:\s*(?:-|–|—|to)\s*(\d{2,3}(?:\.\d+)?)\b)?)";

std::regex tempo_pattern(std::string_view before, std::string_view after) {
    return std::regex(std::string(before) + std::string(kNumber) + std::string(kRangeEnd) + std::string(after));
}

// "128 BPM", "128bpm", "72 beats per minute", "120-125 BPM". Groups 1 and 2: the ends.
const std::regex kTempoWithUnit =
    tempo_pattern("", R"(\s*(?:BPM|bpm|Bpm|b\.p\.m\.?|beats per minute|beats a minute)(?![A-Za-z]))");
// "tempo of roughly 90", "Tempo: 140", "BPM: 110": the number within a short gap of the word, in the
// same sentence, and not followed by another unit ("a 70s feel", "16 bars", "24-bit").
const std::regex kTempoAfterWord = tempo_pattern(
    R"(\b(?:[Tt]empo|TEMPO|BPM|bpm)\b[^.!?\d\n]{0,30}?)",
    R"((?![\w/%'’-]|\s*(?:x|×|(?:seconds?|secs?|minutes?|mins?|bars?|years?|dB|Hz|kHz|percent|bit)\b)))");

// A note, an optional accidental and an optional mode. Group 1: letter, 2: accidental, 3: full
// mode word, 4: "maj"/"min", 5: an attached "m" ("F#m"). Not followed by a letter, digit, '&' or
// '-' ("A&R", "A-side", "Dm7"), so chords and names are not keys.
const std::regex kKey(
    R"(\b([A-G])(#|♯|♭|b(?=m\b|[^A-Za-z]|$)|-flat|-sharp|\s+[Ff]lat|\s+[Ss]harp)?)"
    R"((?:(?:\s+|-)(major|minor|Major|Minor|MAJOR|MINOR)\b|\s*(maj|min|Maj|Min)\b|(m)\b)?(?![\w&'-]|’))");

// Lower-cased words just before `pos`, with markdown emphasis and ':' treated as spaces, so
// "**Key:** F#" reads as "key".
std::string words_before(std::string_view text, std::size_t pos) {
    const std::size_t from = pos > 40 ? pos - 40 : 0;
    std::string out;
    for (char c : text.substr(from, pos - from)) {
        const bool soft = c == '*' || c == '_' || c == ':' || c == '(' || c == '=';
        out += soft ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

bool ends_with_word(const std::string& text, std::string_view word) {
    if (!text.ends_with(word)) return false;
    const auto at = text.size() - word.size();
    return at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
}

// Words that make a bare note name ("in C", "key of E-flat") a key.
constexpr std::array kKeyContext = {"in", "key of", "key", "key is", "keys of", "key signature of", "key signature",
                                    "tonic of", "tonal center of", "tonal centre of", "centered on", "centred on"};
// Words that, before "A major"/"A minor", make the A a note rather than the article: a list of keys
// or a modulation ("from A minor to C major").
constexpr std::array kKeyListContext = {"from", "to", "into", "between", "and", "or", "/", ",", "then"};

bool after_any(const std::string& before, auto words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view word) { return ends_with_word(before, word); });
}

// "A minor." or "A major tonality" at the end of a phrase: the A is a note.
bool mode_closes_phrase(std::string_view rest) {
    std::size_t i = 0;
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i == rest.size()) return true;
    if (std::string_view(".,;:)!?\n—–").find(rest[i]) != std::string_view::npos) return true;
    const auto next = rest.substr(i);
    return next.starts_with("tonality") || next.starts_with("scale") || next.starts_with("mode") ||
           next.starts_with("key.") || next.starts_with("key,") || next == "key";
}

// "the key of the piece is G": "is" after "key" earlier in the same sentence.
bool key_is_before(const std::string& before) {
    if (!ends_with_word(before, "is")) return false;
    const auto sentence = before.find_last_of(".!?\n");
    const auto key = before.rfind("key");
    return key != std::string::npos && (sentence == std::string::npos || key > sentence);
}

bool overlaps(const std::vector<Claim>& claims, std::size_t begin, std::size_t end) {
    return std::any_of(claims.begin(), claims.end(), [&](const Claim& c) { return begin < c.end && c.begin < end; });
}

void add_tempos(std::string_view caption, const std::regex& pattern, bool unit_given, std::vector<Claim>& out) {
    const auto first = caption.begin();
    for (std::cregex_iterator it(first, caption.end(), pattern), done; it != done; ++it) {
        const auto& m = *it;
        const auto begin = static_cast<std::size_t>(m.position(0));
        const auto end = begin + static_cast<std::size_t>(m.length(0));
        double low = std::stod(m.str(1));
        double high = m[2].matched ? std::stod(m.str(2)) : low;
        if (high < low) std::swap(low, high);
        // A number with no unit is a tempo only where tempos live; with "BPM" the model said so.
        const double min_bpm = unit_given ? 1 : 30;
        const double max_bpm = unit_given ? 999 : 300;
        if (low < min_bpm || high > max_bpm || overlaps(out, begin, end)) continue;
        out.push_back({TempoClaim{low, high}, begin, end, std::string(caption.substr(begin, end - begin))});
    }
}

void add_keys(std::string_view caption, std::vector<Claim>& out) {
    for (std::cregex_iterator it(caption.begin(), caption.end(), kKey), done; it != done; ++it) {
        const auto& m = *it;
        const auto begin = static_cast<std::size_t>(m.position(0));
        const auto end = begin + static_cast<std::size_t>(m.length(0));
        const auto before = words_before(caption, begin);
        const bool full_mode = m[3].matched;
        const bool any_mode = full_mode || m[4].matched || m[5].matched;
        const bool context = after_any(before, kKeyContext) || key_is_before(before);
        if (!any_mode && !context) continue;  // "A warm pad", "the B section"
        // "A minor key change", "A major label": the article. Only a key when the words around say so.
        if (full_mode && m.str(1) == "A" && !m[2].matched && !context && !after_any(before, kKeyListContext) &&
            !mode_closes_phrase(caption.substr(end))) {
            continue;
        }
        if (overlaps(out, begin, end)) continue;
        KeyClaim key;
        key.tonic = core::pitch_class(m.str(1)[0], m.str(2));
        if (any_mode) {
            const std::string word = m[3].matched ? m.str(3) : m[4].matched ? m.str(4) : m.str(5);
            const bool minor = word == "m" || std::tolower(static_cast<unsigned char>(word[1])) == 'i';
            key.mode = minor ? Mode::minor : Mode::major;
        }
        out.push_back({key, begin, end, std::string(caption.substr(begin, end - begin))});
    }
}

}  // namespace

std::vector<Claim> extract(std::string_view caption) {
    std::vector<Claim> claims;
    add_tempos(caption, kTempoWithUnit, true, claims);
    add_tempos(caption, kTempoAfterWord, false, claims);
    add_keys(caption, claims);
    std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) { return a.begin < b.begin; });
    return claims;
}

}  // namespace tunecap::claims
