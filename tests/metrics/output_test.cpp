// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap metrics` output: the JSON every field by its name, and the table for people.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics/metrics.hpp"

namespace tunecap::metrics {
namespace {

using ::testing::ElementsAre;
using nlohmann::ordered_json;

Metrics sample() {
    Group flamingo;
    flamingo.phase = "flamingo";
    flamingo.model = "music_flamingo";
    flamingo.steps = 10;
    flamingo.done = 9;
    flamingo.failed = 1;
    flamingo.empty = 1;
    flamingo.flagged = 2;
    flamingo.words = {9, 42.3, 40, 61};
    flamingo.t5_tokens = {9, 60.5, 58, 80};
    flamingo.cut_at_budget = 1;
    flamingo.tempo_claims = {5, 3, 0, 1, 1};
    flamingo.key_claims = {4, 2, 1, 0, 1};
    flamingo.hinted = 4;
    flamingo.hint_named = 3;
    flamingo.common_phrases = {{"a warm analog bass", 3}};
    flamingo.distinct_1 = 0.5;
    flamingo.distinct_2 = 0.75;
    flamingo.agreement = 0.4567;
    flamingo.agreement_pairs = 9;
    flamingo.latency_ms = {9, 2000, 1234.4, 5678.9};
    flamingo.tokens_per_second = {9, 45.67, 44, 50};
    Group revision;
    revision.phase = "revision";
    revision.model = "qwen3_14b";
    revision.steps = 1;
    revision.failed = 1;
    ModelLoads load;
    load.model = "music_flamingo";
    load.loads = 2;
    load.load_seconds = {2, 40.3, 30.5, 50};
    load.peak_gpu_mib = 20480;
    load.restarts = 1;
    return {2, {flamingo, revision}, {load}};
}

std::vector<std::string> keys(const ordered_json& object) {
    std::vector<std::string> out;
    for (const auto& [key, value] : object.items()) out.push_back(key);
    return out;
}

TEST(MetricsJson, EveryFieldByItsNameInDeclarationOrder) {
    const auto json = ordered_json::parse(to_json(sample()));
    EXPECT_THAT(keys(json), ElementsAre("tracks", "groups", "models"));
    EXPECT_EQ(json["tracks"], 2);
    const auto& group = json["groups"][0];
    EXPECT_THAT(keys(group),
                ElementsAre("phase", "model", "prompt", "steps", "done", "failed", "empty", "flagged", "words", "t5_tokens",
                            "cut_at_budget", "tempo_claims", "key_claims", "hinted", "hint_named", "wrong_hinted",
                            "wrong_named", "unhinted", "unhinted_named", "common_phrases", "distinct_1", "distinct_2",
                            "agreement", "agreement_pairs", "latency_ms", "tokens_per_second"));
    EXPECT_EQ(group["words"], ordered_json::parse(R"({"count": 9, "mean": 42.3, "p50": 40.0, "p95": 61.0})"));
    EXPECT_EQ(group["tempo_claims"],
              ordered_json::parse(R"({"made": 5, "agrees": 3, "related": 0, "contradicts": 1, "unverified": 1})"));
    EXPECT_EQ(group["common_phrases"], ordered_json::parse(R"([{"words": "a warm analog bass", "tracks": 3}])"));
    EXPECT_EQ(group["agreement"], 0.4567);
    EXPECT_EQ(group["hint_named"], 3);
    EXPECT_EQ(group["distinct_2"], 0.75);
    EXPECT_TRUE(json["groups"][1]["agreement"].is_null());
    EXPECT_EQ(json["models"], ordered_json::parse(R"([{"model": "music_flamingo", "loads": 2,
        "load_seconds": {"count": 2, "mean": 40.3, "p50": 30.5, "p95": 50.0}, "peak_gpu_mib": 20480.0, "restarts": 1}])"));
}

TEST(MetricsTable, AlignedColumnsOneRowPerGroupThenTheModelLoads) {
    EXPECT_EQ(to_table(sample()),
              "2 track(s)\n"
              "\n"
              "phase     model           steps  done  failed  flagged  words    t5  tempo +/-  key +/-  hint  wrong  agree  p50 ms  p95 ms  tok/s\n"
              "flamingo  music_flamingo     10     9       1        2   42.3  60.5        3/1      2/0   75%      -   0.46    1234    5679   45.7\n"
              "revision  qwen3_14b           1     0       1        0      -     -        0/0      0/0     -      -      -       -       -      -\n"
              "\n"
              "hint: captions naming a hinted genre; wrong: naming a wrong-hint genre; agree: token F1 with other models\n"
              "\n"
              "model           loads  load s  p95 s  peak GPU MiB  restarts\n"
              "music_flamingo      2    40.3   50.0         20480         1\n");
}

TEST(MetricsTable, ByPromptAddsThePromptColumn) {
    auto metrics = sample();
    metrics.groups[0].prompt = "descriptive";
    metrics.groups[1].prompt = "brief";
    const auto table = to_table(metrics);
    EXPECT_THAT(table, ::testing::HasSubstr("phase     model           prompt       steps"));
    EXPECT_THAT(table, ::testing::HasSubstr("flamingo  music_flamingo  descriptive     10"));
}

}  // namespace
}  // namespace tunecap::metrics
