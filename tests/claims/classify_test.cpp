// SPDX-License-Identifier: GPL-3.0-or-later
// Classification of claims against facts: the 4% tempo boundary at each multiple, each key
// relation, enharmonics, low confidence and missing facts.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "claims/claims.hpp"

namespace tunecap::claims {
namespace {

Claim tempo(double low, double high = 0) { return {TempoClaim{low, high == 0 ? low : high}, 0, 0, ""}; }
Claim key(int tonic, std::optional<Mode> mode) { return {KeyClaim{tonic, mode}, 0, 0, ""}; }
Facts tempo_fact(double bpm, double confidence = 1) { return {TempoFact{bpm, confidence}, std::nullopt}; }
Facts key_fact(int tonic, Mode mode, double confidence = 1) { return {std::nullopt, KeyFact{Key{tonic, mode}, confidence}}; }

// A verdict and what it names, as one string: "agrees x2", "related relative", "contradicts".
std::string outcome(const Check& check) {
    std::string out(name(check.verdict));
    if (check.multiple) out += " " + std::string(name(*check.multiple));
    if (check.relation) out += " " + std::string(name(*check.relation));
    return out;
}

struct TempoCase {
    Claim claim;
    Facts facts;
    const char* expected;
};

TEST(Classify, TempoMultiplesAtTheBoundary) {
    // Fact 100 BPM: the tolerance is 4% of fact × multiple.
    const std::vector<TempoCase> cases = {
        {tempo(100), tempo_fact(100), "agrees x1"},
        {tempo(104), tempo_fact(100), "agrees x1"},
        {tempo(104.5), tempo_fact(100), "contradicts"},
        {tempo(96), tempo_fact(100), "agrees x1"},
        {tempo(95.5), tempo_fact(100), "contradicts"},
        {tempo(208), tempo_fact(100), "agrees x2"},
        {tempo(209), tempo_fact(100), "contradicts"},
        {tempo(192), tempo_fact(100), "agrees x2"},
        {tempo(191), tempo_fact(100), "contradicts"},
        {tempo(52), tempo_fact(100), "agrees x1/2"},
        {tempo(52.5), tempo_fact(100), "contradicts"},
        {tempo(48), tempo_fact(100), "agrees x1/2"},
        {tempo(47.5), tempo_fact(100), "contradicts"},
        {tempo(312), tempo_fact(100), "agrees x3"},
        {tempo(313), tempo_fact(100), "contradicts"},
        {tempo(288), tempo_fact(100), "agrees x3"},
        {tempo(287), tempo_fact(100), "contradicts"},
        {tempo(34.6), tempo_fact(100), "agrees x1/3"},
        {tempo(34.8), tempo_fact(100), "contradicts"},
        {tempo(32), tempo_fact(100), "agrees x1/3"},
        {tempo(31.8), tempo_fact(100), "contradicts"},
        // A range agrees when the fact falls inside it, widened by the tolerance.
        {tempo(120, 125), tempo_fact(122), "agrees x1"},
        {tempo(120, 125), tempo_fact(130), "agrees x1"},
        {tempo(120, 125), tempo_fact(131), "contradicts"},
        {tempo(120, 125), tempo_fact(115.5), "agrees x1"},
        {tempo(120, 125), tempo_fact(115), "contradicts"},
        // Low confidence: no contradiction, but agreement stands.
        {tempo(150), tempo_fact(100, 0.49), "unverified"},
        {tempo(150), tempo_fact(100, 0.5), "contradicts"},
        {tempo(100), tempo_fact(100, 0.1), "agrees x1"},
        // No tempo fact, or only a key fact.
        {tempo(100), Facts{}, "unverified"},
        {tempo(100), key_fact(0, Mode::major), "unverified"},
    };
    for (const auto& c : cases) {
        const auto& t = std::get<TempoClaim>(c.claim.value);
        EXPECT_EQ(outcome(classify(c.claim, c.facts)), c.expected)
            << "claim " << t.low_bpm << "-" << t.high_bpm << " fact " << c.facts.tempo.value_or(TempoFact{}).bpm;
    }
}

struct KeyCase {
    Claim claim;
    Facts facts;
    const char* expected;
};

TEST(Classify, KeyRelations) {
    constexpr auto major = Mode::major;
    constexpr auto minor = Mode::minor;
    const std::vector<KeyCase> cases = {
        {key(0, major), key_fact(0, major), "agrees same"},             // C major / C major
        {key(9, minor), key_fact(0, major), "related relative"},        // A minor / C major
        {key(0, major), key_fact(9, minor), "related relative"},        // C major / A minor
        {key(0, minor), key_fact(0, major), "related parallel"},        // C minor / C major
        {key(7, major), key_fact(0, major), "related fifth_above"},     // G major / C major
        {key(5, major), key_fact(0, major), "related fifth_below"},     // F major / C major
        {key(4, minor), key_fact(9, minor), "related fifth_above"},     // E minor / A minor
        {key(2, major), key_fact(0, major), "contradicts"},             // D major / C major
        {key(6, minor), key_fact(0, major), "contradicts"},             // F# minor / C major
        {key(7, minor), key_fact(0, major), "contradicts"},             // G minor: fifth but other mode
        // Enharmonics: F# and Gb are one pitch class; claims from text are compared that way.
        {extract("in F# minor").at(0), key_fact(6, minor), "agrees same"},
        {extract("in G♭ minor").at(0), key_fact(6, minor), "agrees same"},
        {extract("in the key of E-flat major").at(0), key_fact(3, major), "agrees same"},
        {extract("in D# major").at(0), key_fact(3, major), "agrees same"},
        // No mode stated: whichever mode fits best.
        {key(9, std::nullopt), key_fact(9, minor), "agrees same"},
        {key(9, std::nullopt), key_fact(0, major), "related relative"},
        {key(1, std::nullopt), key_fact(0, major), "contradicts"},
        // Low confidence and missing facts.
        {key(2, major), key_fact(0, major, 0.3), "unverified"},
        {key(2, major), key_fact(0, major, 0.5), "contradicts"},
        {key(9, minor), key_fact(0, major, 0.3), "related relative"},
        {key(0, major), Facts{}, "unverified"},
        {key(0, major), tempo_fact(120), "unverified"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(outcome(classify(cases[i].claim, cases[i].facts)), cases[i].expected) << "case " << i;
    }
}

TEST(Classify, ThresholdIsAParameter) {
    EXPECT_EQ(classify(tempo(150), tempo_fact(100, 0.7), 0.8).verdict, Verdict::unverified);
    EXPECT_EQ(classify(tempo(150), tempo_fact(100, 0.7)).verdict, Verdict::contradicts);
}

TEST(ParseKey, CommandLineSpellings) {
    EXPECT_EQ(parse_key("A minor").value(), (Key{9, Mode::minor}));
    EXPECT_EQ(parse_key("F#m").value(), (Key{6, Mode::minor}));
    EXPECT_EQ(parse_key("Bb major").value(), (Key{10, Mode::major}));
    EXPECT_EQ(parse_key("C").value(), (Key{0, Mode::major}));
    EXPECT_EQ(parse_key("E-flat minor").value(), (Key{3, Mode::minor}));
    EXPECT_EQ(parse_key("g♯ min").value(), (Key{8, Mode::minor}));
    EXPECT_EQ(parse_key("Cb").value(), (Key{11, Mode::major}));
    for (const char* bad : {"", "H minor", "A minorish", "128", "F##", "key of C"}) {
        EXPECT_FALSE(parse_key(bad).ok()) << bad;
    }
}

}  // namespace
}  // namespace tunecap::claims
