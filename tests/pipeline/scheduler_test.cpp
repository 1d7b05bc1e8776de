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

using Slot = GroupQueue::Slot;

std::vector<std::size_t> steps_of(const std::optional<GroupQueue::Group>& group) {
    return group ? group->steps : std::vector<std::size_t>{};
}

TEST(GroupQueue, ATracksLaterAudioGroupGoesToTheSlotThatSentItsAudio) {
    GroupQueue queue;
    queue.push({{1, 2}, 0, true});
    queue.push({{3, 4}, 1, true});
    const Slot a{0, 0}, b{0, 1};
    EXPECT_EQ(steps_of(queue.take(a)), (std::vector<std::size_t>{1, 2}));  // track 0 now on a
    EXPECT_EQ(steps_of(queue.take(b)), (std::vector<std::size_t>{3, 4}));  // track 1 on b
    queue.push({{5}, 0, true});
    queue.push({{6}, 1, true});
    queue.push({{7}, 2, false});  // text: any slot
    EXPECT_EQ(steps_of(queue.take(b)), (std::vector<std::size_t>{6}));
    EXPECT_EQ(steps_of(queue.take(b)), (std::vector<std::size_t>{7}));
    EXPECT_EQ(steps_of(queue.take(a)), (std::vector<std::size_t>{5}));
    EXPECT_TRUE(queue.empty());
}

TEST(GroupQueue, AnAudioGroupJoinsItsTracksGroupStillWaiting) {
    GroupQueue queue;
    queue.push({{1, 2}, 0, true});
    queue.push({{3}, 1, true});
    queue.push({{4}, 0, true});
    EXPECT_EQ(steps_of(queue.take({0, 0})), (std::vector<std::size_t>{1, 2, 4}));
    EXPECT_EQ(steps_of(queue.take({0, 0})), (std::vector<std::size_t>{3}));
    EXPECT_FALSE(queue.take({0, 0}).has_value());
}

TEST(GroupQueue, PartsOfATrackSplitOverSlotsStaySplit) {
    GroupQueue queue;
    queue.push({{1}, 0, true}, false);
    queue.push({{2}, 0, true}, false);
    EXPECT_EQ(steps_of(queue.take({0, 0})), (std::vector<std::size_t>{1}));
    EXPECT_EQ(steps_of(queue.take({0, 1})), (std::vector<std::size_t>{2}));
}

TEST(GroupQueue, AnIdleSlotTakesTheGroupsOfABusySlotButNotOfAnIdleOne) {
    GroupQueue queue;
    queue.push({{1}, 0, true});
    queue.push({{2}, 1, true});
    const Slot a{0, 0}, b{0, 1}, c{1, 0};
    queue.take(a);
    queue.finished(a);
    queue.take(a);  // tracks 0 and 1 on a, which is busy with track 1
    queue.push({{3}, 0, true});
    queue.push({{4}, 1, true});
    EXPECT_TRUE(queue.available(c));
    EXPECT_EQ(steps_of(queue.take(c)), (std::vector<std::size_t>{3}));  // a is busy: c takes it, and track 0
    queue.push({{5}, 0, true});
    queue.finished(a);
    EXPECT_TRUE(queue.available(b));  // c is still busy
    queue.finished(c);
    EXPECT_FALSE(queue.available(b));  // a and c are idle: each one's group waits for it
    EXPECT_FALSE(queue.take(b).has_value());
    EXPECT_EQ(steps_of(queue.take(a)), (std::vector<std::size_t>{4}));
    EXPECT_EQ(steps_of(queue.take(c)), (std::vector<std::size_t>{5}));
    EXPECT_TRUE(queue.empty());
}

TEST(GroupQueue, BelowTheBatchFloorOnlyASlotsOwnGroupsGo) {
    GroupQueue queue;
    queue.push({{1}, 0, true});
    queue.take({0, 0});  // track 0's audio on slot 0
    queue.finished({0, 0});
    queue.push({{2}, 1, false});
    queue.push({{3, 4}, 2, false});
    EXPECT_FALSE(queue.available({0, 1}, 3));  // 2 groups wait: fewer than the floor
    EXPECT_FALSE(queue.take({0, 1}, 3).has_value());
    EXPECT_TRUE(queue.available({0, 1}, 2));
    queue.push({{5}, 0, true});  // slot 0's own group goes whatever the floor
    EXPECT_EQ(steps_of(queue.take({0, 0}, 3)), (std::vector<std::size_t>{5}));
    EXPECT_EQ(steps_of(queue.take({0, 1}, 2)), (std::vector<std::size_t>{2}));
    EXPECT_EQ(steps_of(queue.take({0, 2}, 1)), (std::vector<std::size_t>{3, 4}));
}

TEST(GroupQueue, TheBatchFloorCountsTheGroupsOfBusySlotsButNotOfIdleOnes) {
    GroupQueue queue;
    queue.push({{1}, 0, true});
    queue.push({{2}, 1, true});
    queue.take({0, 0});
    queue.take({0, 1});
    queue.finished({0, 1});  // slot 0 busy with track 0, slot 1 idle
    queue.push({{3}, 0, true});
    queue.push({{4}, 1, true});
    queue.push({{5}, 2, false});
    // Slot 2 may take slot 0's group (busy) and the shared one, not idle slot 1's: 2 groups.
    EXPECT_TRUE(queue.available({0, 2}, 2));
    EXPECT_FALSE(queue.available({0, 2}, 3));
}

TEST(GroupQueue, AForgottenReplicasGroupsGoToAnySlotFirstComeFirstServed) {
    GroupQueue queue;
    queue.push({{1}, 0, true});
    queue.take({1, 0});  // track 0 on replica 1
    queue.push({{2}, 0, true});
    EXPECT_TRUE(queue.available({0, 0}));  // replica 1's slot is busy: another may take its group
    queue.finished({1, 0});
    EXPECT_FALSE(queue.available({0, 0}));  // idle: its group waits for it
    queue.push_front({{9}, 3, true});  // handed back
    queue.forget(1);
    EXPECT_EQ(steps_of(queue.take({0, 0})), (std::vector<std::size_t>{9}));
    EXPECT_EQ(steps_of(queue.take({0, 1})), (std::vector<std::size_t>{2}));
    queue.push({{5}, 0, true});
    queue.push({{6}, 7, false});
    EXPECT_EQ(queue.drain(), (std::vector<std::size_t>{6, 5}));
    EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace tunecap::pipeline
