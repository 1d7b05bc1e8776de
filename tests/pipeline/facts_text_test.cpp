// SPDX-License-Identifier: GPL-3.0-or-later
// Facts in words: the template variables and the caption the facts phase writes.
#include "pipeline/facts_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tunecap::pipeline {
namespace {

analysis::Facts facts(double bpm, double tempo_confidence, int tonic, bool minor, double key_confidence, double lufs,
                      double brightness) {
    analysis::Facts f;
    f.tempo = analysis::Tempo{bpm, tempo_confidence};
    f.key = analysis::Key{tonic, minor, key_confidence};
    f.loudness = analysis::Loudness{lufs, 5, -1};
    f.brightness_hz = brightness;
    return f;
}

TEST(FactsSentence, StatesConfidentFactsPlainly) {
    EXPECT_EQ(facts_sentence({"Techno", "Minimal"}, 185, facts(127.8, 0.9, 9, true, 0.8, -8, 3000)),
              "A 128 BPM track in A minor, tagged Techno, Minimal; loud and bright, about 3 minutes long.");
}

TEST(FactsSentence, HedgesAnUnsureTempoAndLeavesOutAnUnsureKey) {
    EXPECT_EQ(facts_sentence({"Folk"}, 95, facts(70.2, 0.3, 2, false, 0.3, -16, 1800)),
              "A track of roughly 70 BPM (or half or double that), tagged Folk; about 2 minutes long.");
}

TEST(FactsSentence, ReadsAsEnglishAroundNumbersAndMissingFacts) {
    EXPECT_THAT(facts_sentence({"Dub"}, 240, facts(85, 0.9, 7, false, 0.9, -24, 900)),
                ::testing::StartsWith("An 85 BPM track in G major, tagged Dub; quiet and dark"));
    EXPECT_EQ(facts_sentence({"Unknown"}, 42, std::nullopt), "A track; about 40 seconds long.");
}

TEST(TrackVariables, RenderFactsForPromptsAndSayUnknownOtherwise) {
    const auto vars = track_variables({"Techno"}, 185.4, facts(127.8, 0.9, 6, false, 0.8, -8.4, 3000));
    EXPECT_EQ(vars.at("bpm"), "128");
    EXPECT_EQ(vars.at("key"), "F# major");
    EXPECT_EQ(vars.at("mode"), "major");
    EXPECT_EQ(vars.at("loudness"), "-8 LUFS");
    EXPECT_EQ(vars.at("duration"), "3:05");
    EXPECT_THAT(vars.at("facts"), ::testing::StartsWith("A 128 BPM track in F# major"));
    const auto unsure = track_variables({"Techno"}, 60, facts(140, 0.2, 6, false, 0.1, -8, 3000));
    EXPECT_EQ(unsure.at("bpm"), "about 140 (or half or double that)");
    EXPECT_EQ(unsure.at("key"), "unknown");
    const auto none = track_variables({"Techno"}, 60, std::nullopt);
    EXPECT_EQ(none.at("bpm"), "unknown");
    EXPECT_EQ(none.at("loudness"), "unknown");
}

}  // namespace
}  // namespace tunecap::pipeline
