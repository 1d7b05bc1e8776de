// SPDX-License-Identifier: GPL-3.0-or-later
// One judgement of a raw output, for the runner and for `tunecap clean --results`.
#include "pipeline/caption.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tunecap::pipeline {
namespace {

store::StepRow with_raw(std::string raw) {
    store::StepRow row;
    row.key = "k";
    row.raw_output = std::move(raw);
    return row;
}

clean::CleanOptions family(core::Family f) {
    clean::CleanOptions o;
    o.family = f;
    return o;
}

TEST(DeriveCaption, AUsableCaptionIsDone) {
    auto row = with_raw("Here is the caption: A warm techno track with a rolling bassline.");
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.caption, "A warm techno track with a rolling bassline.");
    EXPECT_THAT(row.flags, ::testing::Contains("wrapper_removed"));
    EXPECT_TRUE(row.error.empty());
}

TEST(DeriveCaption, NothingUsableIsAFailure) {
    auto row = with_raw("...\n?? ...");
    derive_caption(row, family(core::Family::qwen3), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.caption, "");
    EXPECT_EQ(row.error, "the model's output holds no usable caption");
}

TEST(DeriveCaption, HarmonyWithoutAFinalChannelIsAFailure) {
    auto row = with_raw("<|channel|>analysis<|message|>We need to describe a techno track with a warm bassline.");
    derive_caption(row, family(core::Family::harmony), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_THAT(row.error, ::testing::HasSubstr("without a final channel"));
}

TEST(DeriveCaption, OnlyReasoningIsAFailureWithNoAnswer) {
    // Before: the reasoning of the unclosed block became the caption ("Okay, the user wants me to
    // say.") and the step was done.
    auto row = with_raw("<think>\nOkay, the user wants me to say.");
    derive_caption(row, family(core::Family::qwen3), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.caption, "");
    EXPECT_EQ(row.raw_output, "<think>\nOkay, the user wants me to say.");  // kept for the record
    EXPECT_THAT(row.flags, ::testing::Contains("no_answer"));
    EXPECT_EQ(row.error, "the model gave no answer, only reasoning");
}

TEST(DeriveCaption, AnEmptyAnswerBesideServerSplitReasoningIsNoAnswer) {
    auto row = with_raw("");
    row.reasoning = "Okay, the user wants a caption. Let me think about the";
    row.finish_reason = "length";
    derive_caption(row, family(core::Family::qwen3), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_THAT(row.flags, ::testing::Contains("no_answer"));
    EXPECT_EQ(row.error, "the model gave no answer, only reasoning; the token limit cut it off");
}

TEST(DeriveCaption, APromptEchoIsNoAnswer) {
    auto row = with_raw("<|im_start|>user\nDescribe the music.<|im_end|>\n<|im_start|>assistant\n");
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.error, "the model gave no answer, only an echo of the prompt");
}

TEST(DeriveCaption, TheStoredFinishReasonDecidesWhetherTheLastSentenceIsUnfinished) {
    // Before: "The duration of the" got a period and stayed in the caption.
    auto row = with_raw("A slow ambient piece with long pads. The duration of the");
    row.finish_reason = "length";
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.caption, "A slow ambient piece with long pads.");
    EXPECT_THAT(row.flags, ::testing::Contains("cut_off"));
    row.finish_reason = "stop";
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.caption, "A slow ambient piece with long pads. The duration of the.");
    EXPECT_THAT(row.flags, ::testing::Not(::testing::Contains("cut_off")));
}

TEST(DeriveCaption, CutOffBeforeTheFirstSentenceEndedIsAFailure) {
    auto row = with_raw("The duration of the");
    row.finish_reason = "length";
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.error, "the token limit cut the output off before its first sentence ended");
}

TEST(DeriveCaption, RefusalsAndChatRepliesFailWithTheirReason) {
    auto row = with_raw("I'm sorry, but I can't listen to audio files.");
    derive_caption(row, family(core::Family::qwen2_5_omni), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_THAT(row.error, ::testing::HasSubstr("refused"));
    row = with_raw("How can I help you today?");
    derive_caption(row, family(core::Family::qwen3), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_THAT(row.error, ::testing::HasSubstr("chat assistant"));
}

TEST(DeriveCaption, AGuessAfterARefusalIsDoneButFlagged) {
    auto row = with_raw("I can't listen to audio. Based on the title, it is likely an upbeat disco track.");
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.caption, "Based on the title, it is likely an upbeat disco track.");
    EXPECT_THAT(row.flags, ::testing::Contains("refusal"));
    EXPECT_TRUE(clean::is_flagged("refusal"));
}

TEST(DeriveCaption, DerivingAgainReplacesCleaningFlagsKeepsRequestFlagsAndCanTurnAFailureIntoACaption) {
    auto row = with_raw("A slow ambient piece.");
    row.flags = {"audio_cut", "empty"};
    row.outcome = store::StepOutcome::failed;
    row.error = "the model's output holds no usable caption";
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.flags, std::vector<std::string>{"audio_cut"});
    EXPECT_TRUE(row.error.empty());
}

TEST(DeriveCaption, TheCaptionsClaimsAreCheckedAgainstTheTracksFacts) {
    analysis::Facts facts;
    facts.tempo = analysis::Tempo{128.0, 0.9};
    facts.key = analysis::Key{9, true, 0.8};  // A minor
    auto row = with_raw("A driving techno track at 64 BPM in C major, with a rolling bassline.");
    derive_caption(row, family(core::Family::chatml), facts);
    const auto claims = nlohmann::json::parse(row.claims);
    ASSERT_EQ(claims.size(), 2u);
    EXPECT_EQ(claims[0]["kind"], "tempo");
    EXPECT_EQ(claims[0]["verdict"], "agrees");
    EXPECT_EQ(claims[0]["multiple"], "x1/2");
    EXPECT_EQ(claims[1]["kind"], "key");
    EXPECT_EQ(claims[1]["verdict"], "related");
    EXPECT_EQ(claims[1]["relation"], "relative");
}

TEST(DeriveCaption, WithoutFactsClaimsCarryNoVerdictAndAFailedStepClaimsNothing) {
    auto row = with_raw("A ballad at 70 BPM.");
    derive_caption(row, family(core::Family::chatml), std::nullopt);
    const auto claims = nlohmann::json::parse(row.claims);
    ASSERT_EQ(claims.size(), 1u);
    EXPECT_FALSE(claims[0].contains("verdict"));
    auto failed = with_raw("...");
    derive_caption(failed, family(core::Family::chatml), std::nullopt);
    EXPECT_EQ(failed.claims, "[]");
}

}  // namespace
}  // namespace tunecap::pipeline
