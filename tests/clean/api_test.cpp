// SPDX-License-Identifier: GPL-3.0-or-later
// Names of families, flags and stages, and the pipeline as a whole.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "clean/clean.hpp"
#include "clean/stages.hpp"
#include "invariants.hpp"

namespace tunecap::clean {
namespace {

TEST(Family, SpellingsRoundTrip) {
    const std::vector<std::string> names{"qwen3",   "chatml",       "harmony",
                                         "granite", "qwen2.5-omni", "music-flamingo"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto family = parse_family(names[i]);
        ASSERT_TRUE(family.has_value()) << names[i];
        EXPECT_EQ(*family, kAllFamilies[i]);
        EXPECT_EQ(to_string(*family), names[i]);
    }
    EXPECT_FALSE(parse_family("Qwen3").has_value());
    EXPECT_FALSE(parse_family("qwen2_5_omni").has_value());
    EXPECT_FALSE(parse_family("").has_value());
}

TEST(Flag, NamesAreSnakeCaseAndDistinct) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < kFlagCount; ++i) {
        const std::string name(to_string(static_cast<Flag>(i)));
        EXPECT_TRUE(seen.insert(name).second) << name;
        for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    }
    EXPECT_EQ(to_string(Flag::reasoning_removed), "reasoning_removed");
    EXPECT_EQ(to_string(Flag::no_final_channel), "no_final_channel");
    EXPECT_EQ(to_string(Flag::fallback_used), "fallback_used");
    EXPECT_EQ(to_string(Flag::truncated), "truncated");
    EXPECT_EQ(to_string(Flag::no_answer), "no_answer");
    EXPECT_EQ(to_string(Flag::cut_off), "cut_off");
    EXPECT_EQ(to_string(Flag::refusal), "refusal");
    EXPECT_EQ(to_string(Flag::chat_reply), "chat_reply");
    EXPECT_EQ(to_string(Flag::json_unwrapped), "json_unwrapped");
    EXPECT_EQ(to_string(Flag::repetition), "repetition");
    EXPECT_EQ(to_string(Flag::empty), "empty");
}

TEST(Flag, FallbacksFailuresAndSuspectOutputsKeepACaptionOutOfTraining) {
    EXPECT_TRUE(is_flagged("fallback_used"));
    EXPECT_TRUE(is_flagged("empty"));
    EXPECT_TRUE(is_flagged("no_final_channel"));
    EXPECT_TRUE(is_flagged("no_answer"));
    // What is left beside a refusal or a chat reply was guessed, not heard; a loop is no description.
    EXPECT_TRUE(is_flagged("refusal"));
    EXPECT_TRUE(is_flagged("chat_reply"));
    EXPECT_TRUE(is_flagged("repetition"));
    EXPECT_FALSE(is_flagged("wrapper_removed"));
    EXPECT_FALSE(is_flagged("json_unwrapped"));
    EXPECT_FALSE(is_flagged("truncated"));  // cut at a sentence boundary to fit: still a caption
    EXPECT_FALSE(is_flagged("cut_off"));    // the complete sentences before the cut: still a caption
    EXPECT_FALSE(is_flagged("audio_cut"));
    // A run's flag: the caption describes only the part of a damaged file that could be read.
    EXPECT_TRUE(is_flagged("truncated_audio"));
}

TEST(Stage, Names) {
    EXPECT_EQ(to_string(Stage::fold), "fold");
    EXPECT_EQ(to_string(Stage::unfinished), "unfinished");
    EXPECT_EQ(to_string(Stage::json), "json");
    EXPECT_EQ(to_string(Stage::lead_in), "lead_in");
    EXPECT_EQ(to_string(Stage::chat), "chat");
    EXPECT_EQ(to_string(Stage::repetition), "repetition");
    EXPECT_EQ(to_string(Stage::normalise), "normalise");
}

TEST(NeverBlank, ReasoningIsNotContent) {
    // Before: the never-blank fallback kept the reasoning of an unclosed think block as the caption
    // ("Okay, the user wants me to say."). Reasoning is not content: nothing is kept.
    for (Family family : kAllFamilies) {
        const CleanResult result = clean_caption("<think>\nOkay, the user wants me to say.", {family, std::nullopt, nullptr});
        EXPECT_EQ(result.caption, "") << to_string(family);
        EXPECT_TRUE(result.has(Flag::no_answer)) << to_string(family);
        EXPECT_FALSE(result.has(Flag::fallback_used)) << to_string(family);
    }
}

TEST(Result, FlagsAreSortedAndUnique) {
    const CleanResult result = clean_caption(
        "<think>x</think>Caption: \"A caption.\" (Note: as requested.)\n???", {Family::qwen3, 3, nullptr});
    for (std::size_t i = 1; i < result.flags.size(); ++i) EXPECT_LT(result.flags[i - 1], result.flags[i]);
}

TEST(Fold, MapsTypographyToAscii) {
    const StageOutput out = fold_stage(
        "\xE2\x80\x98it\xE2\x80\x99s\xE2\x80\x99 \xE2\x80\x93 \xE2\x80\x94 \xE2\x80\xA6 \xC3\x86on \xC3\x9F "
        "\xC2\xAB\x71\xC2\xBB \xC3\x97\x32 \xE2\x88\x92\x35");
    EXPECT_EQ(out.text, "'it's' -  -  ... AEon ss \"q\" x2 -5");
    EXPECT_TRUE(out.flags.has(Flag::characters_folded));
    EXPECT_FALSE(out.flags.has(Flag::characters_removed));
}

TEST(Fold, DropsWhatT5CannotRepresent) {
    const StageOutput out = fold_stage("a\xF0\x9F\x8E\xB6" "b\xFF" "c\xE6\x9A\x97" "d\r\ne\tf");
    EXPECT_EQ(out.text, "a b c d\ne f");
    EXPECT_TRUE(out.flags.has(Flag::characters_removed));
}

TEST(Fold, CombiningMarksJoinTheirLetter) {
    EXPECT_EQ(fold_stage("Beyonce\xCC\x81").text, "Beyonce");
    EXPECT_EQ(fold_stage("\xE1\xBA\xBF").text, "e");  // Vietnamese e with circumflex and acute
}

TEST(Normalise, IsIdempotentAndNeverBlanksContent) {
    for (const std::string text :
         {"a  b", " ( ) x", "x ,, y ;", "\"\" x", "Hello ...world", "x!!!", "(wow!)", "A \"wild.\"",
          "x -- y", "- x", "#x", "ok:\nyes", "a\n\nb"}) {
        const std::string once = normalise_stage(text).text;
        EXPECT_EQ(normalise_stage(once).text, once) << text;
        EXPECT_FALSE(once.empty()) << text;
    }
    EXPECT_EQ(normalise_stage("(wow!)").text, "(wow).");
    EXPECT_EQ(normalise_stage("A \"wild.\"").text, "A \"wild\".");
    EXPECT_EQ(normalise_stage("euphoric...").text, "Euphoric...");
    EXPECT_EQ(normalise_stage("Genre:\nGoa").text, "Genre: Goa.");
}

TEST(FixedPoint, ACaptionNeverStartsLikeANumberedListItem) {
    // Found by clean_fuzz: the markdown stage fell back to its input, normalise kept "1. r.", and a
    // second pass flattened the list marker. Family byte 'z' (harmony), no budget.
    const std::string raw(
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x23\x00\x00\x00\x31\x00\x20\x2e\x00\x00\x2e\x00\x00"
        "\x00\x00\x23\x00\x00\x00\x31\x2e\x2e\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x23\x00\x00\x00\x31\x00\x20\x2e\x00\x00\x2e\x00\x00\x00\x00\x23\x00\x00"
        "\x00\x31\x2e\x2e\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x23\x00\x00\x00\x31\x00\x20\x2e\x00"
        "\x00\x2e\x00\x31\x00\x20\x2e\x00\x00\x2e\x00\x00\x00\x00\x23\x00\x00\x00\x31\x2e\x2e\x20\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x23\x00\x00\x00\x31\x00"
        "\x20\x2e\x00\x00\x72\x00\x00\xfe\xff\xff\xfc\x3f\x3f",
        157);
    CleanOptions options;
    options.family = Family::harmony;
    const auto first = clean_caption(raw, options);
    EXPECT_EQ(first.caption, "R.");
    EXPECT_EQ(clean_caption(first.caption, options).caption, first.caption);
    EXPECT_EQ(clean_caption("1. r.", options).caption, "R.");
    EXPECT_EQ(clean_caption("3.5 minutes of drone.", options).caption, "3.5 minutes of drone.");
}

TEST(NeverBlank, RecordsTheStageThatWouldHaveBlanked) {
    const CleanResult result = clean_caption("Revised caption:", {Family::qwen3, std::nullopt, nullptr});
    EXPECT_TRUE(result.usable());
    EXPECT_TRUE(result.has(Flag::fallback_used));
    ASSERT_FALSE(result.fallbacks.empty());
    EXPECT_EQ(result.fallbacks.front(), Stage::lead_in);
}

TEST(NeverBlank, TechnicalAndBriefCaptionsSurvive) {
    // The original benchmark's over-eager rule dropped these; every family must keep them.
    for (const std::string raw : {"The track is a 128 BPM house track in A minor.",
                                  "The track is a short, upbeat jingle.", "the track is a waltz"}) {
        for (Family family : kAllFamilies) {
            const CleanResult result = clean_caption(raw, {family, std::nullopt, nullptr});
            EXPECT_EQ(result.caption.rfind("The track is a", 0), 0u) << raw << " -> " << result.caption;
            EXPECT_FALSE(result.has(Flag::fallback_used));
        }
    }
}

}  // namespace
}  // namespace tunecap::clean
