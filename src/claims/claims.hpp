// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tempo and key claims in a caption, and how they compare with measured facts. Pure: text in,
// typed structs out; JSON belongs to the caller (STYLE.md, "Parse at the edge"). README.md in this
// folder lists what is recognised and what deliberately is not.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace tunecap::claims {

enum class Mode { major, minor };

struct Key {
    int tonic = 0;  // pitch class, C = 0 ... B = 11; enharmonic spellings (F#, Gb) share one
    Mode mode = Mode::major;
    bool operator==(const Key&) const = default;
};

// "128 BPM": low == high. "120-125 BPM": both ends are kept, so a range agrees with a fact that
// falls anywhere inside it (widened by the tolerance); bpm() is the middle, for display.
struct TempoClaim {
    double low_bpm = 0;
    double high_bpm = 0;
    double bpm() const { return (low_bpm + high_bpm) / 2; }
    bool is_range() const { return low_bpm != high_bpm; }
};

// "in the key of C" states no mode: mode is empty, and classification tries both.
struct KeyClaim {
    int tonic = 0;
    std::optional<Mode> mode;
};

struct Claim {
    std::variant<TempoClaim, KeyClaim> value;
    // Byte offsets into the caption, [begin, end), and the text there: the number with its unit or
    // its "tempo of" lead, or the key name with its mode ("F# minor"; not the "in" before it).
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string text;
};

// Every tempo and key claim in the caption, in the order they appear.
std::vector<Claim> extract(std::string_view caption);

// A measurement to check claims against. confidence is in [0, 1].
struct TempoFact {
    double bpm = 0;
    double confidence = 0;
};
struct KeyFact {
    Key key;
    double confidence = 0;
};
struct Facts {
    std::optional<TempoFact> tempo;
    std::optional<KeyFact> key;
};

// Below this confidence a measurement cannot contradict a caption: a disagreement is as likely the
// analyser's error as the model's, so the verdict is unverified. Agreement is still reported.
inline constexpr double kContradictionConfidence = 0.5;
// A tempo claim agrees when within this fraction of the fact at one of the TempoMultiple factors:
// about one BPM either side at 120 BPM, wider than beat trackers' rounding, narrower than the gap
// between neighbouring styles' tempos.
inline constexpr double kTempoTolerance = 0.04;

// claim = factor × fact. Beat trackers and models both often land on double or half time, and on a
// triplet feel (×3, ×⅓), so those agree rather than contradict; which one is named.
enum class TempoMultiple { one, two, half, three, third };

// How a key claim relates to the fact; fifth_above: the claim's tonic is a fifth above the fact's
// (the dominant), same mode; fifth_below likewise (the subdominant).
enum class KeyRelation { same, relative, parallel, fifth_above, fifth_below };

// agrees: tempo within tolerance at some multiple, or the same key. related: a related key.
enum class Verdict { agrees, related, contradicts, unverified };

struct Check {
    Verdict verdict = Verdict::unverified;
    std::optional<TempoMultiple> multiple;  // tempo claims that agree
    std::optional<KeyRelation> relation;    // key claims that agree (same) or are related
};

Check classify(const Claim& claim, const Facts& facts, double min_confidence = kContradictionConfidence);

// "A minor", "F#m", "Bb major", "E-flat minor", "C" (no mode: major), for the command line.
core::Result<Key> parse_key(std::string_view text);

double factor(TempoMultiple multiple);
std::string_view name(TempoMultiple multiple);  // "x1", "x2", "x1/2", "x3", "x1/3"
std::string_view name(KeyRelation relation);    // "same", "relative", "parallel", "fifth_above", ...
std::string_view name(Verdict verdict);         // "agrees", "related", "contradicts", "unverified"
std::string_view name(Mode mode);               // "major", "minor"
std::string tonic_name(int tonic);              // sharps: "C", "C#", ... "B"

}  // namespace tunecap::claims
