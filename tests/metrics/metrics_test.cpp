// SPDX-License-Identifier: GPL-3.0-or-later
// Metrics of a store written by hand, where every figure is known in advance.
#include "metrics/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace tunecap::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using tunecap::testing::TempDir;

// A store in a temp folder; the metrics are computed from what it reads back.
class MetricsTest : public ::testing::Test {
protected:
    // A done step with a caption and no flags, claims or hint; finished at the same time as the others.
    store::StepRow step(const std::string& track, const std::string& phase, const std::string& model,
                        const std::string& prompt, const std::string& caption) {
        store::StepRow row;
        row.key = "key-" + std::to_string(++m_keys);
        row.track_id = track;
        row.phase = phase;
        row.model = model;
        row.prompt = prompt;
        row.outcome = store::StepOutcome::done;
        row.raw_output = caption;
        row.caption = caption;
        row.finished_at = "2025-06-01T12:00:00Z";
        row.claims = "[]";
        return row;
    }
    store::StepRow failed(const std::string& track, const std::string& phase, const std::string& model,
                          const std::string& prompt) {
        auto row = step(track, phase, model, prompt, "");
        row.outcome = store::StepOutcome::failed;
        row.error = "the model's output holds no usable caption";
        return row;
    }

    void put(const store::StepRow& row) { ASSERT_TRUE(m_store->put_step(row).ok()); }
    void put_track(const store::TrackRow& row) { ASSERT_TRUE(m_store->put_track(row).ok()); }
    void put_load(const store::LoadRow& row) { ASSERT_TRUE(m_store->put_load(row).ok()); }

    Metrics metrics(const Options& options = {}) {
        return compute(Inputs{m_store->all_steps(), m_tracks, m_store->all_loads(), m_phase_order}, options);
    }
    // The only group, which the test expects there to be.
    Group only_group() {
        auto all = metrics();
        if (all.groups.size() != 1) throw std::runtime_error("expected one group, got " + std::to_string(all.groups.size()));
        return all.groups.front();
    }

    TempDir m_dir;
    std::unique_ptr<store::Store> m_store = std::move(store::Store::open(m_dir / "tunecap.db")).take();
    std::map<std::string, report::TrackInfo> m_tracks;
    std::vector<std::string> m_phase_order;

private:
    int m_keys = 0;
};

TEST_F(MetricsTest, ReadInputsReadsEveryStepTrackAndLoadOfTheStore) {
    auto with_outputs = step("t1", "flamingo", "m", "p", "A warm groove.");
    with_outputs.raw_output = "<think>Some thinking.</think> A warm groove!";
    with_outputs.reasoning = "Some thinking.";
    with_outputs.request = "Describe the track.";
    put(with_outputs);
    put(step("t2", "flamingo", "m", "p", "A warm groove."));
    analysis::Facts facts;
    facts.tempo = analysis::Tempo{120, 0.75};
    put_track({"t1", "/music/t1.flac", "hash", report::track_info_json({{"Dub", "Jazz"}, "tags", facts})});
    put_load({"run-1", "m", 1.5, std::nullopt, 0, "b1"});

    const auto inputs = read_inputs(*m_store, {"flamingo", "revision"});
    // Every column but the model's raw output, its reasoning and the request, which nothing here
    // reads and which are most of a store's bytes.
    auto without_outputs = m_store->all_steps();
    ASSERT_EQ(without_outputs[0].raw_output, with_outputs.raw_output);
    for (auto& row : without_outputs) row.raw_output = row.reasoning = row.request = "";
    EXPECT_EQ(inputs.steps, without_outputs);
    ASSERT_EQ(inputs.tracks.size(), 2U);
    EXPECT_THAT(inputs.tracks.at("t1").genres, ElementsAre("Dub", "Jazz"));
    EXPECT_EQ(inputs.tracks.at("t1").facts->tempo->bpm, 120);
    EXPECT_TRUE(inputs.tracks.at("t2").genres.empty()) << "a step's track without a row";
    EXPECT_EQ(inputs.loads, m_store->all_loads());
    EXPECT_THAT(inputs.phase_order, ElementsAre("flamingo", "revision"));
}

TEST_F(MetricsTest, AnEmptyStoreHasNoGroupsEvenForPhasesInTheOrder) {
    m_phase_order = {"flamingo"};
    const auto all = metrics();
    EXPECT_EQ(all.tracks, 0U);
    EXPECT_TRUE(all.groups.empty());
    EXPECT_TRUE(all.models.empty());
}

TEST_F(MetricsTest, OutcomesAndFlags) {
    put(step("t1", "flamingo", "m", "p1", "A warm groove."));
    auto fallback = step("t1", "flamingo", "m", "p2", "A warm groove.");
    fallback.flags = {"reasoning_removed", "fallback_used"};
    put(fallback);
    auto truncated = step("t2", "flamingo", "m", "p1", "A warm groove.");
    truncated.flags = {"truncated", "markdown_flattened"};
    put(truncated);
    auto empty = failed("t2", "flamingo", "m", "p2");
    empty.flags = {"empty"};
    put(empty);
    put(failed("t3", "flamingo", "m", "p1"));

    const auto group = only_group();
    EXPECT_EQ(group.phase, "flamingo");
    EXPECT_EQ(group.model, "m");
    EXPECT_EQ(group.prompt, "");
    EXPECT_EQ(group.steps, 5U);
    EXPECT_EQ(group.done, 3U);
    EXPECT_EQ(group.failed, 2U);
    EXPECT_EQ(group.empty, 1U);
    EXPECT_EQ(group.flagged, 1U);  // fallback_used; `empty` is on a failed step, truncated keeps it in training
    EXPECT_EQ(group.cut_at_budget, 1U);
    EXPECT_EQ(metrics().tracks, 3U);
}

TEST_F(MetricsTest, WordsAndT5TokensOfDoneCaptions) {
    put(step("t1", "flamingo", "m", "p", "A warm groove."));                             // 3 words, 5 tokens
    put(step("t2", "flamingo", "m", "p", "Deep lo-fi beats at 128 BPM."));               // 6 words, 11 tokens
    put(step("t3", "flamingo", "m", "p", "Slow ambient pads drift over a soft hiss."));  // 8 words, 11 tokens
    put(failed("t4", "flamingo", "m", "p"));

    const auto group = only_group();
    EXPECT_THAT(group.words, FieldsAre(3U, 17.0 / 3, 6.0, 8.0));
    EXPECT_THAT(group.t5_tokens, FieldsAre(3U, 9.0, 11.0, 11.0));
}

TEST_F(MetricsTest, ClaimsByKindAndVerdict) {
    auto first = step("t1", "flamingo", "m", "p1", "x");
    first.claims = R"([{"kind":"tempo","verdict":"agrees"},{"kind":"key","verdict":"related"}])";
    put(first);
    auto second = step("t1", "flamingo", "m", "p2", "x");
    second.claims = R"([{"kind":"tempo","verdict":"contradicts"},{"kind":"key"}])";  // no facts: no verdict
    put(second);
    auto third = step("t2", "flamingo", "m", "p1", "x");
    third.claims = R"([{"kind":"key","verdict":"contradicts"},{"kind":"tempo","verdict":"unverified"}])";
    put(third);
    auto not_done = failed("t2", "flamingo", "m", "p2");
    not_done.claims = R"([{"kind":"tempo","verdict":"agrees"}])";
    put(not_done);
    // Rows stored before steps kept their claims are checked now: against t3's facts, and with no facts.
    auto old = step("t3", "flamingo", "m", "p1", "A driving track at 128 BPM in the key of A minor.");
    old.claims = "";
    put(old);
    auto old_unmeasured = step("t4", "flamingo", "m", "p1", "Around 90 BPM.");
    old_unmeasured.claims = "";
    put(old_unmeasured);
    analysis::Facts facts;
    facts.tempo = analysis::Tempo{128.2, 0.9};
    facts.key = analysis::Key{9, true, 0.8};
    m_tracks["t3"].facts = facts;

    const auto group = only_group();
    EXPECT_THAT(group.tempo_claims, FieldsAre(5U, 2U, 0U, 1U, 2U));
    EXPECT_THAT(group.key_claims, FieldsAre(4U, 1U, 1U, 1U, 1U));
}

TEST_F(MetricsTest, GenreHintsWrongHintsAndUnhintedTracks) {
    m_tracks["t1"].genres = {"Minimal Techno"};
    m_tracks["t2"].genres = {"Unknown"};
    m_tracks["t3"].genres = {};
    m_tracks["t4"].genres = {"Unknown", "Dub"};
    const auto hinted = [&](const std::string& track, const std::string& prompt, store::HintKind kind,
                            const std::string& hint, const std::string& caption) {
        auto row = step(track, "flamingo_genre", "m", prompt, caption);
        row.hint_kind = kind;
        row.hint = hint;
        return row;
    };
    put(hinted("t1", "p1", store::HintKind::genres, "Minimal Techno, Dub", "A minimal techno loop."));
    put(hinted("t2", "p1", store::HintKind::genres, "Minimal Techno", "A techno loop with minimalism."));
    put(hinted("t1", "p2", store::HintKind::wrong, "Folk, Bluegrass", "A bluegrass tune."));
    put(hinted("t2", "p2", store::HintKind::wrong, "Folk", "Minimal beats."));
    put(step("t1", "flamingo_genre", "m", "p3", "Minimal TECHNO, heavy."));
    put(step("t2", "flamingo_genre", "m", "p3", "Minimal techno."));  // only Unknown: not counted
    put(step("t3", "flamingo_genre", "m", "p3", "Minimal techno."));  // no genres: not counted
    put(step("t4", "flamingo_genre", "m", "p3", "Heavy dub echoes."));
    put(step("t4", "flamingo_genre", "m", "p4", "An unknown groove."));
    auto not_done = failed("t1", "flamingo_genre", "m", "p4");
    not_done.hint_kind = store::HintKind::genres;
    not_done.hint = "Minimal Techno";
    put(not_done);

    const auto group = only_group();
    EXPECT_EQ(group.hinted, 2U);
    EXPECT_EQ(group.hint_named, 1U);
    EXPECT_EQ(group.wrong_hinted, 2U);
    EXPECT_EQ(group.wrong_named, 1U);
    EXPECT_EQ(group.unhinted, 3U);
    EXPECT_EQ(group.unhinted_named, 2U);
}

// A genre is named however its words are joined or cased: the hint's "Hip Hop" in a caption's
// "hip-hop", the track's "Drum & Bass" in "drum and bass".
TEST_F(MetricsTest, AGenreIsNamedWhateverJoinsItsWords) {
    m_tracks["t1"].genres = {"Drum & Bass"};
    m_tracks["t2"].genres = {"Drum & Bass"};
    const auto hinted = [&](const std::string& track, store::HintKind kind, const std::string& hint, const std::string& caption) {
        auto row = step(track, "flamingo_genre", "m", kind == store::HintKind::genres ? "p1" : "p2", caption);
        row.hint_kind = kind;
        row.hint = hint;
        return row;
    };
    put(hinted("t1", store::HintKind::genres, "Hip Hop", "A laid-back hip-hop beat."));
    put(hinted("t2", store::HintKind::genres, "Hip-Hop", "A laid-back hip hop beat."));
    put(hinted("t1", store::HintKind::wrong, "HipHop", "Hip hop drums."));
    put(hinted("t2", store::HintKind::wrong, "K-Pop", "Bright pop hooks."));  // "k" is not in it
    put(step("t1", "flamingo_genre", "m", "p3", "Fast drum and bass."));
    put(step("t2", "flamingo_genre", "m", "p3", "Fast drums and a bass line."));

    const auto group = only_group();
    EXPECT_EQ(group.hint_named, 2U);
    EXPECT_EQ(group.wrong_named, 1U);
    EXPECT_EQ(group.unhinted, 2U);
    EXPECT_EQ(group.unhinted_named, 1U);
}

TEST_F(MetricsTest, SharedPhrasesCountTracksAndDistinctNCountsWords) {
    put(step("t1", "flamingo", "m", "p1", "A warm analog bass line drives it."));
    put(step("t1", "flamingo", "m", "p2", "A warm analog bass hums."));  // the same track: counted once
    put(step("t2", "flamingo", "m", "p1", "A warm analog bass line and soft pads."));
    put(step("t3", "flamingo", "m", "p1", "Soft pads and a warm analog bass."));
    put(failed("t4", "flamingo", "m", "p1"));

    const auto group = only_group();
    EXPECT_THAT(group.common_phrases,
                ElementsAre(FieldsAre("a warm analog bass", 3U), FieldsAre("warm analog bass line", 2U)));
    EXPECT_DOUBLE_EQ(group.distinct_1, 11.0 / 27);
    EXPECT_DOUBLE_EQ(group.distinct_2, 12.0 / 23);
}

TEST_F(MetricsTest, AtMostTenCommonPhrasesMostTracksFirstThenInWordOrder) {
    const std::string counting = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen.";
    put(step("t1", "flamingo", "m", "p", counting));
    put(step("t2", "flamingo", "m", "p", counting));
    put(step("t3", "flamingo", "m", "p", "One two three four."));

    std::vector<std::pair<std::string, std::size_t>> phrases;
    for (const auto& phrase : only_group().common_phrases) phrases.emplace_back(phrase.words, phrase.tracks);
    EXPECT_THAT(phrases, ElementsAre(std::pair("one two three four", 3U), std::pair("eight nine ten eleven", 2U),
                                     std::pair("eleven twelve thirteen fourteen", 2U), std::pair("five six seven eight", 2U),
                                     std::pair("four five six seven", 2U), std::pair("nine ten eleven twelve", 2U),
                                     std::pair("seven eight nine ten", 2U), std::pair("six seven eight nine", 2U),
                                     std::pair("ten eleven twelve thirteen", 2U), std::pair("three four five six", 2U)));
}

TEST_F(MetricsTest, AgreementIsTokenF1WithOtherModelsForTheSameTrackAndPrompt) {
    put(step("t1", "x", "A", "p", "Warm bass, warm pads."));
    put(step("t1", "x", "C", "p", "Cold pads."));
    put(step("t1", "y", "B", "p", "Warm bass and drums."));
    put(step("t1", "y", "A", "p", "Warm bass."));        // model A again: never compared with A
    put(step("t2", "x", "A", "p", "Quiet piano."));      // no other model for t2
    put(step("t1", "x", "A", "q", "Loud drums."));
    put(failed("t1", "y", "B", "q"));                    // a failed step has no caption to compare
    put(step("t3", "z", "D", "p", "Warm bass, warm pads."));

    const auto all = metrics();
    ASSERT_EQ(all.groups.size(), 5U);
    const auto agreement = [&](std::size_t i) { return std::pair(all.groups[i].agreement, all.groups[i].agreement_pairs); };
    // x/A: with x/C 1/3 ({warm warm bass pads} and {cold pads}: one shared of six) and y/B 1/2.
    EXPECT_EQ(all.groups[0].model, "A");
    EXPECT_DOUBLE_EQ(all.groups[0].agreement.value(), (1.0 / 3 + 1.0 / 2) / 2);
    EXPECT_EQ(all.groups[0].agreement_pairs, 2U);
    // x/C: with x/A 1/3, y/B 0, y/A 0.
    EXPECT_DOUBLE_EQ(all.groups[1].agreement.value(), 1.0 / 9);
    EXPECT_EQ(all.groups[1].agreement_pairs, 3U);
    // y/A: with x/C 0 and y/B 2/3.
    EXPECT_EQ(all.groups[2].model, "A");
    EXPECT_DOUBLE_EQ(all.groups[2].agreement.value(), 1.0 / 3);
    EXPECT_EQ(all.groups[2].agreement_pairs, 2U);
    // y/B: with x/A 1/2, x/C 0, y/A 2/3.
    EXPECT_DOUBLE_EQ(all.groups[3].agreement.value(), 7.0 / 18);
    EXPECT_EQ(all.groups[3].agreement_pairs, 3U);
    EXPECT_EQ(agreement(4), std::pair(std::optional<double>(), std::size_t{0}));
}

TEST_F(MetricsTest, LatencyPercentilesByNearestRankAndTokensPerSecond) {
    const std::vector<double> elapsed = {100, 300, 200, 400, 1000};
    const std::vector<std::pair<int, double>> generated = {{100, 2000}, {30, 1000}, {40, 500}, {7, 0}, {10, 100}};
    for (std::size_t i = 0; i < elapsed.size(); ++i) {
        auto row = step("t" + std::to_string(i), "flamingo", "m", "p", "A warm groove.");
        row.elapsed_ms = elapsed[i];
        row.completion_tokens = generated[i].first;
        row.predicted_ms = generated[i].second;
        put(row);
    }
    auto slow_failure = failed("t9", "flamingo", "m", "p");
    slow_failure.elapsed_ms = 5000;
    slow_failure.completion_tokens = 1;
    slow_failure.predicted_ms = 1000;
    put(slow_failure);

    const auto group = only_group();
    EXPECT_THAT(group.latency_ms, FieldsAre(5U, 400.0, 300.0, 1000.0));
    EXPECT_THAT(group.tokens_per_second, FieldsAre(4U, 65.0, 50.0, 100.0));
}

TEST_F(MetricsTest, PercentilesOfTwentyValues) {
    for (int i = 1; i <= 20; ++i) {
        auto row = step("t" + std::to_string(i), "flamingo", "m", "p", "A warm groove.");
        row.elapsed_ms = 21 - i;
        put(row);
    }
    EXPECT_THAT(only_group().latency_ms, FieldsAre(20U, 10.5, 10.0, 19.0));
}

TEST_F(MetricsTest, ModelLoadsOfEveryRunByModel) {
    put_load({"run-1", "m1", 10, std::nullopt, 0, "b1"});
    put_load({"run-1", "m0", 5, std::nullopt, 0, "b1"});
    put_load({"run-2", "m1", 30, 2500, 2, "b2"});
    put_load({"run-2", "m1", 20, 3000.5, 1, "b2"});

    const auto all = metrics();
    ASSERT_EQ(all.models.size(), 2U);
    EXPECT_THAT(all.models[0], FieldsAre("m0", 1U, FieldsAre(1U, 5.0, 5.0, 5.0), std::nullopt, 0));
    EXPECT_THAT(all.models[1], FieldsAre("m1", 3U, FieldsAre(3U, 20.0, 20.0, 30.0), 3000.5, 3));
}

TEST_F(MetricsTest, OnlyTheNewestRowOfAUnitCounts) {
    auto oldest = step("t1", "flamingo", "m", "p", "One.");
    oldest.finished_at = "2025-06-01T09:00:00Z";
    auto newest = step("t1", "flamingo", "m", "p", "One two.");
    newest.finished_at = "2025-06-01T11:00:00Z";
    auto between = failed("t1", "flamingo", "m", "p");
    between.finished_at = "2025-06-01T10:00:00Z";
    for (const auto& row : {oldest, newest, between}) put(row);
    // A tie goes to the smaller key, as the store orders them.
    auto tie_small = step("t2", "flamingo", "m", "p", "One two three.");
    tie_small.key = "a-key";
    auto tie_large = step("t2", "flamingo", "m", "p", "One two three four five.");
    tie_large.key = "z-key";
    for (const auto& row : {tie_large, tie_small}) put(row);

    const auto group = only_group();
    EXPECT_EQ(group.steps, 2U);
    EXPECT_EQ(group.done, 2U);
    EXPECT_THAT(group.words, FieldsAre(2U, 2.5, 2.0, 3.0));
}

TEST_F(MetricsTest, ByPromptGivesAGroupPerPrompt) {
    for (const auto* track : {"t1", "t2"}) {
        put(step(track, "flamingo", "m", "brief", "Short."));
        put(step(track, "flamingo", "m", "descriptive", "A longer caption here."));
    }
    auto all = metrics();
    ASSERT_EQ(all.groups.size(), 1U);
    EXPECT_EQ(all.groups[0].steps, 4U);
    EXPECT_EQ(all.groups[0].prompt, "");

    all = metrics(Options{.by_prompt = true});
    ASSERT_EQ(all.groups.size(), 2U);
    EXPECT_THAT(all.groups[0], ::testing::Field(&Group::prompt, "brief"));
    EXPECT_THAT(all.groups[1], ::testing::Field(&Group::prompt, "descriptive"));
    EXPECT_EQ(all.groups[0].steps, 2U);
    EXPECT_THAT(all.groups[1].words, FieldsAre(2U, 4.0, 4.0, 4.0));
}

TEST_F(MetricsTest, GroupsFollowThePhaseOrderThenPhaseModelAndPromptNames) {
    m_phase_order = {"omni", "flamingo", "revision"};
    for (const auto& [phase, model] : std::vector<std::pair<std::string, std::string>>{
             {"zeta", "a"}, {"revision", "b"}, {"beta", "a"}, {"flamingo", "z"}, {"flamingo", "a"}}) {
        put(step("t1", phase, model, "p", "A warm groove."));
    }
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& group : metrics().groups) order.emplace_back(group.phase, group.model);
    EXPECT_THAT(order, ElementsAre(std::pair("flamingo", "a"), std::pair("flamingo", "z"), std::pair("revision", "b"),
                                   std::pair("beta", "a"), std::pair("zeta", "a")));
}

}  // namespace
}  // namespace tunecap::metrics
