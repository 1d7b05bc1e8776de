// SPDX-License-Identifier: GPL-3.0-or-later
// The step graph: inputs, forced propagation, settling against a store given as a function.
#include "pipeline/step_graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;
using testing::load_config;

// A store in a map, and a planner that keys a step by what it is and reads.
struct Harness {
    std::map<std::string, store::StepRow> stored;
    std::size_t plans = 0;

    SettleContext context() {
        SettleContext c;
        c.plan = [this](const StepNode& node, const std::vector<StepInput>& inputs) {
            ++plans;
            PlannedStep planned;
            planned.key = node.phase->id + "/" + (node.model ? node.model->name : "template") + "/" + node.prompt->id + "/" +
                          std::to_string(node.track);
            for (const auto& input : inputs) planned.key += "<" + input.key;
            return planned;
        };
        c.find = [this](const StepNode&, const std::string& key) -> std::optional<store::StepRow> {
            const auto it = stored.find(key);
            if (it == stored.end()) return std::nullopt;
            return it->second;
        };
        return c;
    }
};

store::StepRow row(const std::string& key, store::StepOutcome outcome = store::StepOutcome::done) {
    store::StepRow r;
    r.key = key;
    r.outcome = outcome;
    r.caption = "A caption.";
    if (outcome == store::StepOutcome::failed) r.error = "it broke";
    return r;
}

std::size_t find_node(const StepGraph& graph, const std::string& phase, const std::string& model, const std::string& prompt,
                      std::size_t track = 0) {
    for (std::size_t i = 0; i < graph.size(); ++i) {
        const auto& n = graph.node(i);
        if (n.phase->id == phase && (n.model ? n.model->name : "template") == model && n.prompt->id == prompt && n.track == track) {
            return i;
        }
    }
    throw std::runtime_error("no node " + phase + "/" + model + "/" + prompt);
}

TEST(StepGraph, OneNodePerStepWithItsInputsForTheSamePrompt) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a"), testing::track(config, "b")};
    const StepGraph graph(config, tracks, {});
    EXPECT_EQ(graph.size(), 2u * (55 + 2 + 1));  // and the wrong-hint probes and the facts step
    const auto& ensemble = graph.node(find_node(graph, "ensemble", "granite_tiny", "mood", 1));
    ASSERT_EQ(ensemble.inputs.size(), 2u);
    EXPECT_EQ(graph.node(ensemble.inputs[0]).phase->id, "flamingo");
    EXPECT_EQ(graph.node(ensemble.inputs[1]).phase->id, "omni");
    for (auto i : ensemble.inputs) {
        EXPECT_EQ(graph.node(i).prompt->id, "mood");
        EXPECT_EQ(graph.node(i).track, 1u);
    }
    EXPECT_TRUE(graph.node(find_node(graph, "flamingo", "music_flamingo", "brief")).inputs.empty());
}

TEST(StepGraph, AForcedPhaseForcesEverythingDownstream) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    const StepGraph graph(config, tracks, {"flamingo"});
    for (std::size_t i = 0; i < graph.size(); ++i) {
        const auto& n = graph.node(i);
        const bool downstream = n.phase->id == "flamingo" || n.phase->id == "revision" || n.phase->id == "omni_revision" ||
                                n.phase->id == "ensemble";
        EXPECT_EQ(n.mode, downstream ? StepMode::force : StepMode::run) << n.phase->id;
    }
}

TEST(StepGraph, SettlingReadiesStepsWhoseInputsAreDoneAndReusesStoredOnes) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {});
    Harness h;
    h.stored["flamingo/music_flamingo/brief/0"] = row("flamingo/music_flamingo/brief/0");
    const auto counts = graph.settle(h.context());
    EXPECT_EQ(counts.reused, 1u);
    EXPECT_EQ(counts.skipped, 0u);
    // Every audio step is ready or reused; of the text steps only those reading flamingo/brief.
    EXPECT_EQ(graph.ready("music_flamingo").size(), 10u);  // with its probe
    EXPECT_EQ(graph.ready("qwen_omni").size(), 12u);  // omni, omni_genre, the probe, and omni_revision of brief
    EXPECT_EQ(graph.ready("qwen3_14b").size(), 1u);   // revision/brief
    EXPECT_TRUE(tracks[0].phases[0].models[0].steps[2].reused);
    const auto& revise = graph.node(find_node(graph, "revision", "qwen3_14b", "brief"));
    EXPECT_EQ(revise.state, StepState::ready);
    EXPECT_EQ(revise.planned->key, "revision/qwen3_14b/brief/0<flamingo/music_flamingo/brief/0");
}

TEST(StepGraph, FinishedStepsReleaseTheirDependentsAndFailuresSkipThem) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {});
    Harness h;
    graph.settle(h.context());
    const auto ok = find_node(graph, "flamingo", "music_flamingo", "brief");
    const auto bad = find_node(graph, "flamingo", "music_flamingo", "mood");
    graph.finish(ok, row(graph.node(ok).planned->key));
    graph.finish(bad, row(graph.node(bad).planned->key, store::StepOutcome::failed));
    const auto counts = graph.settle(h.context());
    EXPECT_EQ(counts.skipped, 3u + 1u);  // revision x3 and omni_revision for mood
    const auto& skipped = graph.node(find_node(graph, "revision", "gpt_oss_20b", "mood"));
    EXPECT_EQ(skipped.record->status, StepStatus::skipped);
    EXPECT_EQ(skipped.record->reason, "input flamingo/music_flamingo/mood is failed");
    EXPECT_EQ(graph.node(find_node(graph, "revision", "gpt_oss_20b", "brief")).state, StepState::ready);
    EXPECT_EQ(graph.node(find_node(graph, "omni_revision", "qwen_omni", "brief")).state, StepState::ready);
    EXPECT_EQ(graph.node(bad).record->status, StepStatus::failed);
    EXPECT_EQ(graph.node(bad).record->reason, "it broke");
}

TEST(StepGraph, WaitingCountsOnlyStepsTheGivenModelsCanMakeReady) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {});
    Harness h;
    graph.settle(h.context());
    // qwen3_14b waits for 5 revisions (flamingo's captions) and 5 ensembles (flamingo's and omni's).
    EXPECT_EQ(graph.waiting("qwen3_14b", {"music_flamingo", "qwen_omni"}), 10u);
    EXPECT_EQ(graph.waiting("qwen3_14b", {"music_flamingo"}), 10u);  // each ensemble reads a flamingo caption too
    EXPECT_EQ(graph.waiting("qwen3_14b", {"qwen_omni"}), 5u);
    EXPECT_EQ(graph.waiting("qwen3_14b", {"gpt_oss_20b"}), 0u);
    // With flamingo's captions done, the ensembles wait for qwen_omni alone; the revisions are ready.
    for (const auto& prompt : {"descriptive", "technical", "brief", "mood", "instrumentation"}) {
        const auto i = find_node(graph, "flamingo", "music_flamingo", prompt);
        graph.finish(i, row(graph.node(i).planned->key));
    }
    EXPECT_EQ(graph.waiting("qwen3_14b", {"music_flamingo"}), 5u);  // settled inputs, not yet settled itself: the revisions
    graph.settle(h.context());
    EXPECT_EQ(graph.waiting("qwen3_14b", {"music_flamingo"}), 0u);
    EXPECT_EQ(graph.waiting("qwen3_14b", {"qwen_omni"}), 5u);
}

TEST(StepGraph, AForcedStepRunsEvenWhenStored) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {"flamingo"});
    Harness h;
    h.stored["flamingo/music_flamingo/brief/0"] = row("flamingo/music_flamingo/brief/0");
    h.stored["flamingo_genre/music_flamingo/brief/0"] = row("flamingo_genre/music_flamingo/brief/0");
    const auto counts = graph.settle(h.context());
    EXPECT_EQ(counts.reused, 1u);  // flamingo_genre is not downstream of flamingo
    EXPECT_EQ(graph.node(find_node(graph, "flamingo", "music_flamingo", "brief")).state, StepState::ready);
}

TEST(StepGraph, AStepThatMayOnlyBeReusedTakesItsPlannedStatusWhenNothingIsStored) {
    const auto config = load_config();
    // --only revision: flamingo does not run here, but its stored captions feed revision.
    std::vector<TrackRecord> tracks = {testing::track(config, "a", 180, {{}, {"revision"}})};
    StepGraph graph(config, tracks, {});
    Harness h;
    h.stored["flamingo/music_flamingo/brief/0"] = row("flamingo/music_flamingo/brief/0");
    graph.settle(h.context());
    EXPECT_TRUE(graph.ready("music_flamingo").empty());
    const auto& stored = graph.node(find_node(graph, "flamingo", "music_flamingo", "brief"));
    EXPECT_EQ(stored.mode, StepMode::reuse_only);
    EXPECT_EQ(stored.record->status, StepStatus::done);
    const auto& absent = graph.node(find_node(graph, "flamingo", "music_flamingo", "mood"));
    EXPECT_EQ(absent.record->status, StepStatus::skipped);
    EXPECT_EQ(absent.record->reason, "not selected by --only");
    // revision runs for the stored prompt only; the other prompts keep the reason of their input.
    EXPECT_EQ(graph.ready("qwen3_14b").size(), 1u);
    EXPECT_EQ(graph.node(find_node(graph, "revision", "qwen3_14b", "mood")).record->status, StepStatus::skipped);
    EXPECT_EQ(graph.node(find_node(graph, "omni", "qwen_omni", "mood")).record->status, StepStatus::skipped);
}

TEST(StepGraph, AForcedPhaseThatDoesNotRunHereStillLendsItsStoredResults) {
    // --force flamingo --only revision: flamingo does not run, so its stored captions feed the
    // recomputed revision rather than leaving it nothing to read.
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a", 180, {{}, {"revision"}})};
    StepGraph graph(config, tracks, {"flamingo"});
    Harness h;
    h.stored["flamingo/music_flamingo/brief/0"] = row("flamingo/music_flamingo/brief/0");
    h.stored["revision/qwen3_14b/brief/0<flamingo/music_flamingo/brief/0"] =
        row("revision/qwen3_14b/brief/0<flamingo/music_flamingo/brief/0");
    graph.settle(h.context());
    EXPECT_EQ(graph.node(find_node(graph, "flamingo", "music_flamingo", "brief")).record->status, StepStatus::done);
    const auto& revision = graph.node(find_node(graph, "revision", "qwen3_14b", "brief"));
    EXPECT_EQ(revision.mode, StepMode::force);
    EXPECT_EQ(revision.state, StepState::ready);  // stored, but forced
}

TEST(StepGraph, ClosingGivesStepsThatNeverRanAReasonAndRollsStatusesUp) {
    const auto config = load_config();
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {});
    Harness h;
    graph.settle(h.context());
    for (auto i : graph.ready("music_flamingo")) graph.finish(i, row(graph.node(i).planned->key));
    graph.close("interrupted before it ran");
    const auto& flamingo = tracks[0].phases[0];
    EXPECT_EQ(flamingo.status, StepStatus::done);
    const auto& omni = tracks[0].phases[4];
    ASSERT_EQ(omni.id, "omni");
    EXPECT_EQ(omni.status, StepStatus::pending);
    EXPECT_EQ(omni.models[0].reason, "interrupted before it ran");
    EXPECT_EQ(omni.models[0].steps[0].reason, "interrupted before it ran");
}

TEST(StepGraph, TemplateStepsAreReadyWithoutAModel) {
    const auto config = load_config(testing::kTemplateOnly);
    std::vector<TrackRecord> tracks = {testing::track(config, "a")};
    StepGraph graph(config, tracks, {});
    Harness h;
    graph.settle(h.context());
    ASSERT_EQ(graph.ready("").size(), 1u);
    EXPECT_EQ(graph.node(graph.ready("").front()).model, nullptr);
}

}  // namespace
}  // namespace tunecap::pipeline
