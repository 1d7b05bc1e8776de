// SPDX-License-Identifier: GPL-3.0-or-later
// Claim extraction on sentences written the way the captioning models write them, and on the traps:
// numbers that are not tempos, note letters that are not keys.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "claims/claims.hpp"

namespace tunecap::claims {
namespace {

// One line per claim: "tempo 128 [128 BPM]", "tempo 120-125 [...]", "key F# minor [F♯ minor]",
// "key C ? [C]" (no mode stated).
std::string describe(const Claim& claim) {
    if (const auto* tempo = std::get_if<TempoClaim>(&claim.value)) {
        const auto value = tempo->is_range() ? fmt::format("{:g}-{:g}", tempo->low_bpm, tempo->high_bpm)
                                             : fmt::format("{:g}", tempo->low_bpm);
        return fmt::format("tempo {} [{}]", value, claim.text);
    }
    const auto& key = std::get<KeyClaim>(claim.value);
    return fmt::format("key {} {} [{}]", tonic_name(key.tonic), key.mode ? name(*key.mode) : "?", claim.text);
}

struct Case {
    const char* caption;
    std::vector<std::string> expected;
};

const std::vector<Case> kCases = {
    // Music Flamingo: long descriptive prose.
    {"The track moves at a brisk 128 BPM in A minor, driven by a four-on-the-floor kick.",
     {"tempo 128 [128 BPM]", "key A minor [A minor]"}},
    {"A mid-tempo ballad (around 72 beats per minute) in the key of E-flat major.",
     {"tempo 72 [72 beats per minute]", "key D# major [E-flat major]"}},
    {"Set in D minor tonality, the piece unfolds slowly over sustained strings.", {"key D minor [D minor]"}},
    {"The song sits at a tempo of roughly 90, with a laid-back swing.", {"tempo 90 [tempo of roughly 90]"}},
    {"It has a tempo around 120-125 BPM and a bright G major progression.",
     {"tempo 120-125 [120-125 BPM]", "key G major [G major]"}},
    {"Harmonically it stays in C sharp minor, with a melancholic descending bass line.", {"key C# minor [C sharp minor]"}},
    {"The arrangement is anchored in the key of B♭ major, with brass stabs on the offbeats.",
     {"key A# major [B♭ major]"}},
    {"This downtempo piece in F minor unfolds at about 85 bpm.", {"key F minor [F minor]", "tempo 85 [85 bpm]"}},
    {"The groove settles at around 140 beats per minute, typical of dubstep.", {"tempo 140 [140 beats per minute]"}},
    {"A driving techno cut at 130 BPM; the key of the piece is G.", {"tempo 130 [130 BPM]", "key G ? [G]"}},
    // Qwen2.5-Omni: terse, label-like.
    {"Tempo: ~140 bpm. Key: F♯ minor.", {"tempo 140 [140 bpm]", "key F# minor [F♯ minor]"}},
    {"Genre: house. Tempo: 124 BPM. Key: Am.", {"tempo 124 [124 BPM]", "key A minor [Am]"}},
    {"Key: Bb major, tempo 96.", {"key A# major [Bb major]", "tempo 96 [tempo 96]"}},
    {"Key: A min. BPM: 110.", {"key A minor [A min]", "tempo 110 [BPM: 110]"}},
    {"Upbeat pop, 118bpm, in E.", {"tempo 118 [118bpm]", "key E ? [E]"}},
    {"Key: F#m, 174 BPM drum and bass.", {"key F# minor [F#m]", "tempo 174 [174 BPM]"}},
    {"Tempo: 100-105 BPM; key: Dbm.", {"tempo 100-105 [100-105 BPM]", "key C# minor [Dbm]"}},
    // GPT-OSS: markdown and tables.
    {"**Tempo:** 128 BPM  \n**Key:** C major", {"tempo 128 [128 BPM]", "key C major [C major]"}},
    {"| Tempo | 92 BPM |\n| Key | G minor |", {"tempo 92 [92 BPM]", "key G minor [G minor]"}},
    {"- Tempo: approximately 120–124 bpm\n- Key: E minor", {"tempo 120-124 [120–124 bpm]", "key E minor [E minor]"}},
    {"The chorus modulates from A minor to C major.", {"key A minor [A minor]", "key C major [C major]"}},
    {"It is written in the key of C.", {"key C ? [C]"}},
    {"Probably G major or A minor.", {"key G major [G major]", "key A minor [A minor]"}},
    {"Key: A minor.", {"key A minor [A minor]"}},
    {"The A minor tonality colours every chord.", {"key A minor [A minor]"}},
    {"Roughly 100 to 105 BPM, at 120 b.p.m. in the bridge.", {"tempo 100-105 [100 to 105 BPM]", "tempo 120 [120 b.p.m.]"}},
    {"The BPM sits near 128 for most of the track.", {"tempo 128 [BPM sits near 128]"}},
    {"Overall the track is in A♭ major at 76 BPM.", {"key G# major [A♭ major]", "tempo 76 [76 BPM]"}},
    // Qwen3: conversational.
    {"I'd estimate it's around 100 BPM, probably in D major.", {"tempo 100 [100 BPM]", "key D major [D major]"}},
    {"The beat is roughly 87.5 BPM, and the key sounds like B minor.", {"tempo 87.5 [87.5 BPM]", "key B minor [B minor]"}},
    {"It feels like it's in E-flat, at a relaxed tempo of about 70.", {"key D# ? [E-flat]", "tempo 70 [tempo of about 70]"}},
    {"Probably G major or E minor; the tempo is 112 BPM.",
     {"key G major [G major]", "key E minor [E minor]", "tempo 112 [112 BPM]"}},
    {"A minor-key feel throughout, around 95 BPM.", {"tempo 95 [95 BPM]"}},
    // No claims at all.
    {"A warm pad swells under a gentle piano melody.", {}},
    {"Dreamy lo-fi hip hop with vinyl crackle and soft Rhodes chords.", {}},
    {"An energetic rock song with distorted guitars and a shouted chorus.", {}},
    // Numbers that are not tempos.
    {"A steady 4/4 time signature anchors the groove.", {}},
    {"It evokes the synth-pop of the 1980s.", {}},
    {"Heavy 808 drums and rolling hi-hats dominate.", {}},
    {"The track lasts about two minutes.", {}},
    {"Mastered as a 24-bit file with plenty of headroom.", {}},
    {"An uptempo track with a 70s disco feel.", {}},
    {"A mid-tempo groove that repeats every 16 bars.", {}},
    {"The tempo slows after 45 seconds.", {}},
    {"Around ninety BPM, in a minor mood.", {}},
    {"Mid-tempo, built from 12 layered vocal tracks.", {}},
    {"A mid-tempo anthem driven by 808 drums.", {}},
    // Note letters that are not keys.
    {"Produced with an A&R team's input, it sounds polished.", {}},
    {"A major label release with a glossy mix.", {}},
    {"A minor key change lifts the final chorus.", {}},
    {"The B section introduces a Dm7 chord and a C7 turnaround.", {}},
    {"An E flat drone hums under the A-side's intro.", {}},
    {"A bright, catchy chorus. A guitar solo closes it.", {}},
};

TEST(Extract, CaptionTable) {
    ASSERT_GE(kCases.size(), 40u);
    for (const auto& c : kCases) {
        std::vector<std::string> got;
        for (const auto& claim : extract(c.caption)) got.push_back(describe(claim));
        EXPECT_EQ(got, c.expected) << "caption: " << c.caption;
    }
}

TEST(Extract, SpanPointsIntoTheCaption) {
    const std::string caption = "Tempo: ~140 bpm. Key: F♯ minor.";
    for (const auto& claim : extract(caption)) {
        EXPECT_EQ(caption.substr(claim.begin, claim.end - claim.begin), claim.text);
    }
}

}  // namespace
}  // namespace tunecap::claims
