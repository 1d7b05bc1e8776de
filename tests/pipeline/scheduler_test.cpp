// SPDX-License-Identifier: GPL-3.0-or-later
// Which model loads next and how a model's ready steps are split over its slots.
#include "pipeline/scheduler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using testing::load_config;
using Groups = std::vector<std::vector<std::size_t>>;

TEST(LoadOrder, DefaultGraphLoadsEachModelOnceInDependencyOrder) {
    EXPECT_EQ(model_load_order(load_config()),
              (std::vector<std::string>{"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"}));
}

TEST(LoadOrder, AModelThatReadsAnotherComesAfterItWhateverTheConfigOrder) {
    const auto config = load_config(R"(
models:
  late: {gguf: a.gguf, family: qwen3}
  early: {gguf: b.gguf, mmproj: p.gguf, family: qwen2.5-omni}
phases:
  - {id: fix, kind: revise, models: [late], inputs: [hear]}
  - {id: hear, kind: audio_caption, models: [early]}
)");
    const auto order = model_load_order(config);
    const auto late = std::find(order.begin(), order.end(), "late");
    const auto early = std::find(order.begin(), order.end(), "early");
    ASSERT_NE(late, order.end());
    EXPECT_LT(early, late);
}

using Stages = std::vector<std::vector<std::string>>;

TEST(NextStage, TheFirstInLoadOrderWithAModelWithReadySteps) {
    const Stages stages = {{"a"}, {"b", "c"}, {"d"}};
    EXPECT_EQ(next_stage(stages, [](const std::string& m) { return m != "a"; }), (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(next_stage(stages, [](const std::string& m) { return m == "c"; }), (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(next_stage(stages, [](const std::string&) { return false; }), std::nullopt);
}

TEST(LoadStages, OneModelAtATimeUnlessNamedTogether) {
    const std::vector<std::string> order = {"a", "b", "c", "d"};
    EXPECT_EQ(load_stages(order, {}), (Stages{{"a"}, {"b"}, {"c"}, {"d"}}));
    EXPECT_EQ(load_stages(order, {{"c", "b"}}), (Stages{{"a"}, {"b", "c"}, {"d"}}));
    EXPECT_EQ(load_stages(order, {{"a", "b", "c", "d"}}), (Stages{{"a", "b", "c", "d"}}));
    // A stage comes where its first model does; names not in the order are left out.
    EXPECT_EQ(load_stages(order, {{"d", "a", "zz"}, {"c"}}), (Stages{{"a", "d"}, {"b"}, {"c"}}));
    // A model named in two groups is loaded once, with the first.
    EXPECT_EQ(load_stages(order, {{"a", "b"}, {"b", "c"}}), (Stages{{"a", "b"}, {"c"}, {"d"}}));
}

struct SplitCase {
    std::string name;
    std::vector<SlotWork> work;
    std::size_t slots;
    Groups expected;
};

class SlotGroups : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SlotGroups, Split) { EXPECT_EQ(slot_groups(GetParam().work, GetParam().slots), GetParam().expected); }

// Steps: {index, track, phase, audio}.
INSTANTIATE_TEST_SUITE_P(
    Table, SlotGroups,
    ::testing::Values(
        // One group per track; audio steps first, the given order otherwise.
        SplitCase{"per_track_audio_first",
                  {{0, 0, "rev", false}, {1, 1, "cap", true}, {2, 0, "cap", true}, {3, 0, "cap", true}},
                  2,
                  {{2, 3, 0}, {1}}},
        // As many tracks as slots or more: never split, even with idle slots left by small tracks.
        SplitCase{"no_split_with_enough_tracks",
                  {{0, 0, "cap", true}, {1, 1, "cap", true}, {2, 2, "cap", true}},
                  2,
                  {{0}, {1}, {2}}},
        // One track, audio: cut only between phases, nearest the middle.
        SplitCase{"audio_split_between_phases",
                  {{0, 0, "a", true}, {1, 0, "a", true}, {2, 0, "b", true}, {3, 0, "b", true}},
                  4,
                  {{0, 1}, {2, 3}}},
        // One phase of audio: never cut, one slot works and the others idle.
        SplitCase{"one_audio_phase_stays_whole",
                  {{0, 0, "a", true}, {1, 0, "a", true}, {2, 0, "a", true}},
                  4,
                  {{0, 1, 2}}},
        // Text steps split anywhere until every slot has work.
        SplitCase{"text_split_anywhere",
                  {{0, 0, "r", false}, {1, 0, "r", false}, {2, 0, "r", false}, {3, 0, "r", false}},
                  4,
                  {{0}, {2}, {1}, {3}}},
        SplitCase{"one_slot_one_group_per_track", {{0, 0, "r", false}, {1, 0, "r", false}}, 1, {{0, 1}}},
        SplitCase{"nothing_to_do", {}, 4, {}}),
    [](const ::testing::TestParamInfo<SplitCase>& info) { return info.param.name; });

}  // namespace
}  // namespace tunecap::pipeline
