// SPDX-License-Identifier: GPL-3.0-or-later
// One judgement of a raw output, for the runner and for `tunecap clean --results`.
#include "pipeline/caption.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
    derive_caption(row, family(core::Family::chatml));
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.caption, "A warm techno track with a rolling bassline.");
    EXPECT_THAT(row.flags, ::testing::Contains("wrapper_removed"));
    EXPECT_TRUE(row.error.empty());
}

TEST(DeriveCaption, NothingUsableIsAFailure) {
    auto row = with_raw("...\n?? ...");
    derive_caption(row, family(core::Family::qwen3));
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.caption, "");
    EXPECT_EQ(row.error, "the model's output holds no usable caption");
}

TEST(DeriveCaption, HarmonyWithoutAFinalChannelIsAFailure) {
    auto row = with_raw("<|channel|>analysis<|message|>We need to describe a techno track with a warm bassline.");
    derive_caption(row, family(core::Family::harmony));
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_THAT(row.error, ::testing::HasSubstr("without a final channel"));
}

TEST(DeriveCaption, DerivingAgainReplacesCleaningFlagsKeepsRequestFlagsAndCanTurnAFailureIntoACaption) {
    auto row = with_raw("A slow ambient piece.");
    row.flags = {"audio_cut", "empty"};
    row.outcome = store::StepOutcome::failed;
    row.error = "the model's output holds no usable caption";
    derive_caption(row, family(core::Family::chatml));
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.flags, std::vector<std::string>{"audio_cut"});
    EXPECT_TRUE(row.error.empty());
}

}  // namespace
}  // namespace tunecap::pipeline
