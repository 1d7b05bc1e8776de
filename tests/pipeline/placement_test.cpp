// SPDX-License-Identifier: GPL-3.0-or-later
// Which models load together and how many slots `slots: auto` gets, from made-up memory needs.
#include "pipeline/placement.hpp"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/audio_budget.hpp"
#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using testing::load_config;
using Stages = std::vector<std::vector<std::string>>;

constexpr std::uint64_t kGiB = 1ull << 30;
constexpr std::uint64_t kMiB = 1ull << 20;

// Each model's need by name; a name missing from the map is unknown (its file "missing").
MemoryNeedOf needs(std::map<std::string, MemoryNeed> table) {
    return [table = std::move(table)](const config::Model& model) -> core::Result<MemoryNeed> {
        const auto found = table.find(model.name);
        if (found == table.end()) return core::Error{"/models/" + model.name + ".gguf: file not found"};
        return found->second;
    };
}

MemoryNeed fixed_gib(double gib) { return MemoryNeed{static_cast<std::uint64_t>(gib * static_cast<double>(kGiB)), 0, 0, 0}; }

// 1,000 tokens a slot, rounded up to 1,024: with 1 MiB a token, each slot costs 1 GiB.
SlotContextOf thousand_tokens() {
    return [](const config::Model&) { return 1000; };
}

// Models a..e (and whatever `extra` adds) over the default config, with a budget of `budget` GiB.
config::Config config_with(double budget, const std::string& extra = "", bool side_by_side = true) {
    return load_config("runtime: {vram_budget_gb: " + std::to_string(budget) + ", side_by_side: " + (side_by_side ? "true" : "false") +
                       "}\n"
                       "models:\n"
                       "  a: {gguf: a.gguf, family: qwen3}\n"
                       "  b: {gguf: b.gguf, family: qwen3}\n"
                       "  c: {gguf: c.gguf, family: qwen3}\n" +
                       extra);
}

struct StageCase {
    std::string name;
    std::string extra_models;  // YAML lines under models:
    double budget;
    std::vector<std::string> order;
    std::map<std::string, MemoryNeed> needs;
    Stages expected;
};

void PrintTo(const StageCase& c, std::ostream* out) { *out << c.name; }

class PlacementStages : public ::testing::TestWithParam<StageCase> {};

TEST_P(PlacementStages, ConsecutiveModelsShareAStageWhileTheyFitOnEveryGpu) {
    const auto& c = GetParam();
    const auto placement = place_models(config_with(c.budget, c.extra_models), c.order, needs(c.needs), thousand_tokens());
    EXPECT_EQ(placement.stage_names(), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Tables, PlacementStages,
    ::testing::Values(
        StageCase{"AllFit", "", 10, {"a", "b", "c"}, {{"a", fixed_gib(3)}, {"b", fixed_gib(3)}, {"c", fixed_gib(4)}}, {{"a", "b", "c"}}},
        StageCase{"ThirdDoesNotFit", "", 10, {"a", "b", "c"}, {{"a", fixed_gib(4)}, {"b", fixed_gib(5)}, {"c", fixed_gib(3)}},
                  {{"a", "b"}, {"c"}}},
        // Only consecutive models share: c fits with a but b between them does not.
        StageCase{"OnlyConsecutive", "", 10, {"a", "b", "c"}, {{"a", fixed_gib(2)}, {"b", fixed_gib(9)}, {"c", fixed_gib(2)}},
                  {{"a"}, {"b"}, {"c"}}},
        StageCase{"ExactlyTheBudgetFits", "", 10, {"a", "b"}, {{"a", fixed_gib(4)}, {"b", fixed_gib(6)}}, {{"a", "b"}}},
        // A model over the budget alone still runs, alone.
        StageCase{"OverBudgetAlone", "", 10, {"a", "b", "c"}, {{"a", fixed_gib(1)}, {"b", fixed_gib(12)}, {"c", fixed_gib(1)}},
                  {{"a"}, {"b"}, {"c"}}},
        // d and e sit on different GPUs: each GPU holds 6 of 10.
        StageCase{"DifferentGpus", "  d: {gguf: d.gguf, family: qwen3, gpus: [0]}\n  e: {gguf: e.gguf, family: qwen3, gpus: [1]}\n", 10,
                  {"d", "e"}, {{"d", fixed_gib(6)}, {"e", fixed_gib(6)}}, {{"d", "e"}}},
        // Without gpus:, a is charged on every GPU named anywhere (0 and 1), so it does not fit beside
        // e on GPU 1, though GPU 0 is free.
        StageCase{"NoGpusMeansEveryNamedGpu", "  d: {gguf: d.gguf, family: qwen3, gpus: [0]}\n  e: {gguf: e.gguf, family: qwen3, gpus: [1]}\n",
                  10, {"e", "a"}, {{"a", fixed_gib(5)}, {"e", fixed_gib(6)}}, {{"e"}, {"a"}}},
        // One server per GPU: d on [0, 1] needs its whole size on each.
        StageCase{"ReplicasNeedTheirSizeOnEachGpu", "  d: {gguf: d.gguf, family: qwen3, gpus: [0, 1]}\n  e: {gguf: e.gguf, family: qwen3, gpus: [1]}\n",
                  10, {"d", "e"}, {{"d", fixed_gib(6)}, {"e", fixed_gib(6)}}, {{"d"}, {"e"}}},
        // An endpoint uses no local memory: it joins a full stage.
        StageCase{"EndpointJoinsAnyStage", "  x: {family: qwen3, endpoint: {url: 'http://127.0.0.1:9'}}\n", 10, {"a", "x", "b"},
                  {{"a", fixed_gib(9)}, {"b", fixed_gib(9)}}, {{"a", "x"}, {"b"}}},
        StageCase{"EndpointFirst", "  x: {family: qwen3, endpoint: {url: 'http://127.0.0.1:9'}}\n", 10, {"x", "a", "b"},
                  {{"a", fixed_gib(9)}, {"b", fixed_gib(9)}}, {{"x", "a"}, {"b"}}},
        // b's file is missing: loaded with no other managed model; an endpoint may still join it.
        StageCase{"UnknownSizeAlone", "  x: {family: qwen3, endpoint: {url: 'http://127.0.0.1:9'}}\n", 10, {"a", "b", "x", "c"},
                  {{"a", fixed_gib(1)}, {"c", fixed_gib(1)}}, {{"a"}, {"b", "x"}, {"c"}}},
        StageCase{"UnknownNames", "", 10, {"a", "nonesuch", "b"}, {{"a", fixed_gib(1)}, {"b", fixed_gib(1)}}, {{"a", "b"}}},
        // A measured peak above the estimate counts: 3 + 3 estimated, but a was seen at 8.
        StageCase{"MeasuredPeakIsAFloor", "", 10, {"a", "b"}, {{"a", MemoryNeed{3 * kGiB, 0, 0, 8 * kGiB}}, {"b", fixed_gib(3)}},
                  {{"a"}, {"b"}}}),
    [](const ::testing::TestParamInfo<StageCase>& info) { return info.param.name; });

TEST(Placement, SideBySideOffLoadsOneModelAStage) {
    const auto config = config_with(100, "", false);
    const auto placement = place_models(config, {"a", "b", "c"}, needs({{"a", fixed_gib(1)}, {"b", fixed_gib(1)}, {"c", fixed_gib(1)}}),
                                        thousand_tokens());
    EXPECT_EQ(placement.stage_names(), (Stages{{"a"}, {"b"}, {"c"}}));
    EXPECT_FALSE(placement.side_by_side);
}

TEST(Placement, ContextAndStateGrowWithTheModelsCtxAndSlots) {
    const MemoryNeed need{2 * kGiB, kMiB, 10 * kMiB, 0};
    EXPECT_EQ(need.bytes(0, 1), 2 * kGiB + 10 * kMiB);
    EXPECT_EQ(need.bytes(4096, 2), 2 * kGiB + 4096 * kMiB + 20 * kMiB);
    // A configured model needs its ctx (default 8192) and slots.
    const auto config = config_with(100, "  d: {gguf: d.gguf, family: qwen3, ctx: 2048, slots: 3}\n");
    const auto placement = place_models(config, {"a", "d"}, needs({{"a", need}, {"d", need}}), thousand_tokens());
    ASSERT_EQ(placement.stages.size(), 1u);
    const auto& models = placement.stages[0].models;
    EXPECT_EQ(models[0].ctx, config::kDefaultContext);
    EXPECT_EQ(models[0].slots, 1);
    EXPECT_EQ(models[0].bytes, need.bytes(8192, 1));
    EXPECT_EQ(models[1].ctx, 2048);
    EXPECT_EQ(models[1].slots, 3);
    EXPECT_EQ(models[1].bytes, need.bytes(2048, 3));
}

struct AutoCase {
    std::string name;
    std::string models;  // YAML lines under models:
    double budget;
    std::vector<std::string> order;
    std::map<std::string, MemoryNeed> needs;
    std::map<std::string, std::pair<int, int>> expected;  // model -> slots, ctx
};

void PrintTo(const AutoCase& c, std::ostream* out) { *out << c.name; }

class AutoSlots : public ::testing::TestWithParam<AutoCase> {};

TEST_P(AutoSlots, FreeMemoryOfTheStageGoesToAutoSlotsUpToTheCap) {
    const auto& c = GetParam();
    const auto placement = place_models(config_with(c.budget, c.models), c.order, needs(c.needs), thousand_tokens());
    std::map<std::string, std::pair<int, int>> got;
    for (const auto& stage : placement.stages) {
        for (const auto& m : stage.models) got[m.name] = {m.slots, m.ctx};
    }
    EXPECT_EQ(got, c.expected);
}

// 2 GiB of weights and 1 MiB a token: with 1,024 tokens a slot, 2 GiB + 1 GiB a slot.
const MemoryNeed kAutoNeed{2 * kGiB, kMiB, 0, 0};

INSTANTIATE_TEST_SUITE_P(
    Tables, AutoSlots,
    ::testing::Values(
        AutoCase{"CappedAtKSlotCap", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 100, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {kSlotCap, kSlotCap * 1024}}}},
        AutoCase{"AsManyAsTheBudgetHolds", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 4.5, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {2, 2048}}}},
        AutoCase{"OneSlotEvenOverBudget", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 2.5, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {1, 1024}}}},
        // s joins a with one slot (5 + 3 of 10), then takes what a leaves: 2 more slots.
        AutoCase{"SharesTheStageWithOthers", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 10, {"a", "s"},
                 {{"a", fixed_gib(5)}, {"s", kAutoNeed}}, {{"a", {1, 8192}}, {"s", {3, 3072}}}},
        // Two auto models take slots in turn: 3 + 3 with one slot each, then 5 GiB free: s, t, s, t, s.
        AutoCase{"InTurn", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n  t: {gguf: t.gguf, family: qwen3, slots: auto}\n", 11,
                 {"s", "t"}, {{"s", kAutoNeed}, {"t", kAutoNeed}}, {{"s", {4, 4096}}, {"t", {3, 3072}}}},
        // With ctx set, the context is fixed: as many 1,024-token slots as it holds.
        AutoCase{"FixedCtx", "  s: {gguf: s.gguf, family: qwen3, slots: auto, ctx: 2500}\n", 100, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {2, 2500}}}},
        AutoCase{"FixedCtxAtMostTheCap", "  s: {gguf: s.gguf, family: qwen3, slots: auto, ctx: 65536}\n", 100, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {kSlotCap, 65536}}}},
        // Sharing a GPU with another model of its stage, the GPU is the limit: up to kSharedSlotCap.
        AutoCase{"SharingAGpuCappedAtKSharedSlotCap", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 100, {"a", "s"},
                 {{"a", fixed_gib(1)}, {"s", kAutoNeed}}, {{"a", {1, 8192}}, {"s", {kSharedSlotCap, kSharedSlotCap * 1024}}}},
        AutoCase{"FixedCtxSharingAGpu", "  s: {gguf: s.gguf, family: qwen3, slots: auto, ctx: 65536}\n", 100, {"a", "s"},
                 {{"a", fixed_gib(1)}, {"s", kAutoNeed}}, {{"a", {1, 8192}}, {"s", {kSharedSlotCap, 65536}}}},
        // Each further slot's recurrent state must fit: 2 GiB + 1 GiB a slot, a beside it, budget 10.
        AutoCase{"FixedCtxSharingAGpuWithinTheBudget", "  s: {gguf: s.gguf, family: qwen3, slots: auto, ctx: 65536}\n", 10, {"a", "s"},
                 {{"a", fixed_gib(1)}, {"s", MemoryNeed{2 * kGiB, 0, kGiB, 0}}}, {{"a", {1, 8192}}, {"s", {7, 65536}}}},
        // An endpoint beside it uses no GPU: the model is alone on its GPU.
        AutoCase{"BesideAnEndpointCappedAtKSlotCap",
                 "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n  x: {family: qwen3, endpoint: {url: 'http://127.0.0.1:9'}}\n", 100,
                 {"x", "s"}, {{"s", kAutoNeed}}, {{"x", {1, 8192}}, {"s", {kSlotCap, kSlotCap * 1024}}}},
        // In one stage but on GPUs of their own: each alone on its GPU.
        AutoCase{"SameStageOtherGpu", "  s: {gguf: s.gguf, family: qwen3, slots: auto, gpus: [1]}\n  t: {gguf: t.gguf, family: qwen3, gpus: [0]}\n",
                 100, {"t", "s"}, {{"t", fixed_gib(1)}, {"s", kAutoNeed}}, {{"t", {1, 8192}}, {"s", {kSlotCap, kSlotCap * 1024}}}},
        AutoCase{"FixedCtxBelowOneSlot", "  s: {gguf: s.gguf, family: qwen3, slots: auto, ctx: 512}\n", 100, {"s"}, {{"s", kAutoNeed}},
                 {{"s", {1, 512}}}},
        // Unknown size: one slot of the context the longest track needs.
        AutoCase{"UnknownSizeOneSlot", "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", 100, {"s"}, {}, {{"s", {1, 1024}}}}),
    [](const ::testing::TestParamInfo<AutoCase>& info) { return info.param.name; });

TEST(AutoSlots, SideBySideOffStillGivesEachModelItsOwnFreeMemory) {
    const auto config = config_with(5, "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n", false);
    const auto placement = place_models(config, {"a", "s"}, needs({{"a", fixed_gib(4)}, {"s", kAutoNeed}}), thousand_tokens());
    ASSERT_EQ(placement.stage_names(), (Stages{{"a"}, {"s"}}));
    EXPECT_EQ(placement.stages[1].models[0].slots, 3);
}

TEST(AutoSlots, ApplySetsSlotsAndCtxOfAutoModelsOnly) {
    auto config = config_with(100, "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n");
    const auto placement = place_models(config, {"a", "s"}, needs({{"a", fixed_gib(1)}, {"s", kAutoNeed}}), thousand_tokens());
    placement.apply_to(config);
    EXPECT_EQ(config.find_model("s")->slots, kSharedSlotCap);  // beside a on GPU 0
    EXPECT_EQ(config.find_model("s")->ctx, kSharedSlotCap * 1024);
    EXPECT_EQ(config.find_model("a")->slots, std::nullopt);
    EXPECT_EQ(config.find_model("a")->ctx, std::nullopt);
}

TEST(AutoSlots, OneH200HoldsTheFiveModelsSideBySideWithEightSlotsEach) {
    // Sizes from the H200 run (docs/perf/H200-TUNECAP.md): weights and projector, and the KV cache
    // a token at its cache type (7B q8_0, 14B q4_0, the 4B stand-ins q4_0 and f16); 8,192 tokens a
    // slot, a 185 s track's 7 windows and the text. The budget: 120 of the H200's 131 GiB.
    auto config = load_config("runtime: {vram_budget_gb: 120}\n"
                              "models:\n"
                              "  music_flamingo: {slots: auto, ctx: ~}\n  qwen_omni: {slots: auto, ctx: ~}\n"
                              "  qwen3_14b: {slots: auto, ctx: ~}\n  gpt_oss_20b: {slots: auto, ctx: ~}\n"
                              "  granite_tiny: {slots: auto, ctx: ~}\n");
    const std::vector<std::string> order = {"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"};
    const auto seven_b = MemoryNeed{6300 * kMiB, 30 * 1024, 0, 0};
    const auto placement = place_models(config, order,
                                        needs({{"music_flamingo", seven_b},
                                               {"qwen_omni", seven_b},
                                               {"qwen3_14b", MemoryNeed{8900 * kMiB, 46 * 1024, 0, 0}},
                                               {"gpt_oss_20b", MemoryNeed{2700 * kMiB, 41 * 1024, 0, 0}},
                                               {"granite_tiny", MemoryNeed{2700 * kMiB, 144 * 1024, 0, 0}}}),
                                        [](const config::Model&) { return 8192; });
    ASSERT_EQ(placement.stage_names(), (Stages{order}));
    for (const auto& m : placement.stages[0].models) {
        EXPECT_EQ(m.slots, kSharedSlotCap) << m.name;
        EXPECT_EQ(m.ctx, kSharedSlotCap * 8192) << m.name;
    }
}

TEST(AutoSlots, TheSlotContextComesFromTheLongestTrack) {
    // music_flamingo hears audio: a 185 s track is 7 windows of 750 tokens besides the text and answer.
    const auto config = load_config();
    const auto& flamingo = *config.find_model("music_flamingo");
    const int short_track = slot_context_needed(config, flamingo, 10);
    EXPECT_EQ(slot_context_needed(config, flamingo, 185) - short_track, 6 * 750);
    // No longer than max_audio_seconds (600 s: 21 windows).
    EXPECT_EQ(slot_context_needed(config, flamingo, 3600), slot_context_needed(config, flamingo, 600));
    EXPECT_EQ(slot_context_needed(config, flamingo, 600) - short_track, 20 * 750);
    // A text-only model does not depend on the track, and needs room for what it reads.
    const auto& qwen = *config.find_model("qwen3_14b");
    EXPECT_EQ(slot_context_needed(config, qwen, 10), slot_context_needed(config, qwen, 600));
    EXPECT_GT(slot_context_needed(config, qwen, 10), 200 + 2000 / 4);  // max_tokens 200, a 2,000-character caption
}

TEST(AutoSlots, TheLongestTrackIsNotCutByTheContextAutoGivesIt) {
    for (const double seconds : {10.0, 179.99, 180.0, 185.0, 600.0}) {
        SCOPED_TRACE(seconds);
        auto config = load_config("models:\n  music_flamingo: {slots: auto, ctx: ~}\n");
        const auto placement = place_models(config, {"music_flamingo"}, needs({{"music_flamingo", MemoryNeed{2 * kGiB, 1024, 0, 0}}}),
                                            [&](const config::Model& m) { return slot_context_needed(config, m, seconds); });
        placement.apply_to(config);
        const auto& model = *config.find_model("music_flamingo");
        EXPECT_EQ(model.slots, kSlotCap);
        const auto samples = static_cast<std::size_t>(seconds * 16000);
        const auto cut = plan_audio_cut(samples, 16000, audio_budget(config, model, std::nullopt));
        ASSERT_TRUE(cut.ok()) << cut.error().message;
        EXPECT_EQ(cut.value(), std::nullopt);
        // One window less would cut it: the context is no larger than it needs to be (but for rounding).
        EXPECT_LT(*model.ctx / *model.slots - 750, slot_context_needed(config, model, seconds));
    }
}

TEST(DescribePlacement, EachStageSaysWhichModelsShareWhichGpuAndHowFull) {
    const auto config = config_with(10, "  s: {gguf: s.gguf, family: qwen3, slots: auto}\n"
                                        "  x: {family: qwen3, endpoint: {url: 'http://127.0.0.1:9'}}\n");
    const auto placement =
        place_models(config, {"a", "s", "x", "b", "c"}, needs({{"a", fixed_gib(5)}, {"s", kAutoNeed}, {"b", fixed_gib(12)}}), thousand_tokens());
    const auto lines = describe_placement(placement);
    EXPECT_THAT(lines, ::testing::ElementsAre(
                           "model stages (runtime.vram_budget_gb 10 GiB a GPU; side by side on):",
                           "  stage 1: a + s + x on GPU 0 (5.00 + 5.00 = 10.00 of 10 GiB)",
                           "    a: 5.00 GiB a server, ctx 8192, 1 slot(s)",
                           "    s: 5.00 GiB a server, ctx 3072, 3 slot(s) (slots: auto, 1024 tokens a slot, at most 8)",  // it shares GPU 0 with a
                           "    x: external endpoint, no local memory",
                           "  stage 2: b on GPU 0 (12.00 of 10 GiB, over budget)",
                           "    b: 12.00 GiB a server, ctx 8192, 1 slot(s)",
                           "  stage 3: c on GPU 0 (size unknown)",
                           "    c: size unknown (/models/c.gguf: file not found), loaded with no other managed model, ctx 8192, 1 slot(s)"));
}

TEST(DescribePlacement, NoModelToLoadSaysSoInOneLine) {
    EXPECT_THAT(describe_placement(Placement{}), ::testing::ElementsAre("model stages: none (no model has a step to run)"));
}

}  // namespace
}  // namespace tunecap::pipeline
