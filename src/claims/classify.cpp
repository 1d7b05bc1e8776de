// SPDX-License-Identifier: GPL-3.0-or-later
#include <array>
#include <cctype>
#include <cmath>
#include <regex>
#include <string>

#include "claims/claims.hpp"
#include "core/notes.hpp"

namespace tunecap::claims {
namespace {

constexpr std::array kMultiples = {TempoMultiple::one, TempoMultiple::two, TempoMultiple::half, TempoMultiple::three,
                                   TempoMultiple::third};

using core::mod12;

Check tempo_check(const TempoClaim& claim, const TempoFact& fact, double min_confidence) {
    for (const auto multiple : kMultiples) {
        const double target = fact.bpm * factor(multiple);
        // Distance from the target to the claimed range (zero inside it), relative to the target.
        const double distance = std::max({0.0, claim.low_bpm - target, target - claim.high_bpm});
        if (distance <= kTempoTolerance * target) return {Verdict::agrees, multiple, std::nullopt};
    }
    return {fact.confidence >= min_confidence ? Verdict::contradicts : Verdict::unverified, std::nullopt, std::nullopt};
}

std::optional<KeyRelation> relation_of(const Key& claim, const Key& fact) {
    const int up = mod12(claim.tonic - fact.tonic);  // semitones from the fact's tonic up to the claim's
    if (claim.mode == fact.mode) {
        if (up == 0) return KeyRelation::same;
        if (up == 7) return KeyRelation::fifth_above;
        if (up == 5) return KeyRelation::fifth_below;
        return std::nullopt;
    }
    if (up == 0) return KeyRelation::parallel;
    // The relative minor is three semitones below its major: A minor for C major.
    if (fact.mode == Mode::major && up == 9) return KeyRelation::relative;
    if (fact.mode == Mode::minor && up == 3) return KeyRelation::relative;
    return std::nullopt;
}

Check key_check(const KeyClaim& claim, const KeyFact& fact, double min_confidence) {
    // A claim with no mode is read in whichever mode fits the fact best: it said nothing against it.
    std::optional<KeyRelation> best;
    for (const auto mode : {Mode::major, Mode::minor}) {
        if (claim.mode && *claim.mode != mode) continue;
        const auto relation = relation_of(Key{claim.tonic, mode}, fact.key);
        if (relation && (!best || *relation == KeyRelation::same)) best = relation;
    }
    if (best == KeyRelation::same) return {Verdict::agrees, std::nullopt, best};
    if (best) return {Verdict::related, std::nullopt, best};
    return {fact.confidence >= min_confidence ? Verdict::contradicts : Verdict::unverified, std::nullopt, std::nullopt};
}

}  // namespace

Check classify(const Claim& claim, const Facts& facts, double min_confidence) {
    if (const auto* tempo = std::get_if<TempoClaim>(&claim.value)) {
        return facts.tempo ? tempo_check(*tempo, *facts.tempo, min_confidence) : Check{};
    }
    const auto& key = std::get<KeyClaim>(claim.value);
    return facts.key ? key_check(key, *facts.key, min_confidence) : Check{};
}

core::Result<Key> parse_key(std::string_view text) {
    static const std::regex kPattern(
        R"(\s*([A-Ga-g])(#|♯|b|♭|-flat|-sharp|\s+flat|\s+sharp)?\s*(major|minor|maj|min|m|M)?\s*)",
        std::regex::icase);
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(text.begin(), text.end(), m, kPattern)) {
        return core::Error{"'" + std::string(text) + "' is not a key (e.g. \"A minor\", \"F#m\", \"Bb major\", \"C\")"};
    }
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(m.str(1)[0])));
    std::string accidental = m.str(2);
    for (auto& c : accidental) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string mode = m.str(3);
    // "m" is minor and "M" major, as in chord symbols; words are case-blind.
    const bool minor = mode == "m" || (mode.size() > 1 && std::tolower(static_cast<unsigned char>(mode[1])) == 'i');
    return Key{core::pitch_class(letter, accidental), minor ? Mode::minor : Mode::major};
}

double factor(TempoMultiple multiple) {
    switch (multiple) {
        case TempoMultiple::one: return 1;
        case TempoMultiple::two: return 2;
        case TempoMultiple::half: return 0.5;
        case TempoMultiple::three: return 3;
        case TempoMultiple::third: return 1.0 / 3;
    }
    return 1;
}

std::string_view name(TempoMultiple multiple) {
    switch (multiple) {
        case TempoMultiple::one: return "x1";
        case TempoMultiple::two: return "x2";
        case TempoMultiple::half: return "x1/2";
        case TempoMultiple::three: return "x3";
        case TempoMultiple::third: return "x1/3";
    }
    return "";
}

std::string_view name(KeyRelation relation) {
    switch (relation) {
        case KeyRelation::same: return "same";
        case KeyRelation::relative: return "relative";
        case KeyRelation::parallel: return "parallel";
        case KeyRelation::fifth_above: return "fifth_above";
        case KeyRelation::fifth_below: return "fifth_below";
    }
    return "";
}

std::string_view name(Verdict verdict) {
    switch (verdict) {
        case Verdict::agrees: return "agrees";
        case Verdict::related: return "related";
        case Verdict::contradicts: return "contradicts";
        case Verdict::unverified: return "unverified";
    }
    return "";
}

std::string_view name(Mode mode) { return mode == Mode::minor ? "minor" : "major"; }

std::string tonic_name(int tonic) {
    static constexpr std::array<std::string_view, 12> kNames = {"C",  "C#", "D",  "D#", "E",  "F",
                                                                "F#", "G",  "G#", "A",  "A#", "B"};
    return std::string(kNames[static_cast<std::size_t>(mod12(tonic))]);
}

}  // namespace tunecap::claims
