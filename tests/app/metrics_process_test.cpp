// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap metrics DIR` on a store written by hand: the JSON, the table, and a folder without a store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/facts_json.hpp"
#include "run_binary.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;
using tunecap::testing::TempDir;

store::StepRow step(const std::string& key, const std::string& track, const std::string& phase, const std::string& model,
                    const std::string& prompt, const std::string& caption) {
    store::StepRow row;
    row.key = key;
    row.track_id = track;
    row.phase = phase;
    row.model = model;
    row.prompt = prompt;
    row.outcome = caption.empty() ? store::StepOutcome::failed : store::StepOutcome::done;
    row.raw_output = caption;
    row.caption = caption;
    row.elapsed_ms = 1500;
    row.completion_tokens = 60;
    row.predicted_ms = 1200;
    row.finished_at = "2025-06-01T12:00:00Z";
    row.claims = "[]";
    return row;
}

// Two tracks in phases of the built-in config (flamingo, revision, then omni) and one it does not name.
void write_store(const std::filesystem::path& db) {
    auto opened = store::Store::open(db);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    auto old = step("k1", "t1", "flamingo", "music_flamingo", "descriptive", "A warm techno groove at 128 BPM.");
    old.claims = "";  // stored before steps kept their claims: checked against t1's facts
    for (const auto& row : {old, step("k2", "t1", "revision", "qwen3_14b", "descriptive", "A warm techno groove with deep bass."),
                            step("k3", "t2", "revision", "qwen3_14b", "brief", ""),
                            step("k4", "t1", "omni", "qwen_omni", "mood", "Warm."),
                            step("k5", "t1", "aaa_custom", "m", "brief", "Warm.")}) {
        ASSERT_TRUE(store.put_step(row).ok());
    }
    analysis::Facts facts;
    facts.tempo = analysis::Tempo{128, 0.9};
    const report::TrackInfo info{{"Techno"}, "tags", facts};
    ASSERT_TRUE(store.put_track({"t1", "/music/t1.flac", "hash", report::track_info_json(info)}).ok());
    ASSERT_TRUE(store.put_load({"run-1", "music_flamingo", 12.5, 20000, 0, "b1"}).ok());
}

std::vector<std::string> group_names(const json& metrics) {
    std::vector<std::string> out;
    for (const auto& group : metrics["groups"]) {
        out.push_back(group["phase"].get<std::string>() + "/" + group["model"].get<std::string>() +
                      (group["prompt"] == "" ? "" : "/" + group["prompt"].get<std::string>()));
    }
    return out;
}

TEST(MetricsCommand, PrintsTheStoresMetricsAsJson) {
    TempDir dir;
    write_store(dir / "out/tunecap.db");
    const auto outcome = testing::run_tunecap({"metrics", (dir / "out").string(), "--json"}, dir.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto metrics = json::parse(outcome.out);
    EXPECT_EQ(metrics["tracks"], 2);
    EXPECT_THAT(group_names(metrics), ElementsAre("flamingo/music_flamingo", "revision/qwen3_14b", "omni/qwen_omni", "aaa_custom/m"));
    const auto& flamingo = metrics["groups"][0];
    EXPECT_EQ(flamingo["done"], 1);
    EXPECT_EQ(flamingo["words"]["mean"], 7.0);
    EXPECT_EQ(flamingo["tempo_claims"]["agrees"], 1);
    EXPECT_EQ(flamingo["unhinted_named"], 1);
    EXPECT_DOUBLE_EQ(flamingo["agreement"].get<double>(), 4.0 / 7);  // a, warm, techno, groove of 7 words each
    EXPECT_EQ(flamingo["tokens_per_second"]["mean"], 50.0);
    const auto& revision = metrics["groups"][1];
    EXPECT_EQ(revision["steps"], 2);
    EXPECT_EQ(revision["failed"], 1);
    EXPECT_TRUE(metrics["groups"][2]["agreement"].is_null());
    ASSERT_EQ(metrics["models"].size(), 1U);
    EXPECT_EQ(metrics["models"][0]["model"], "music_flamingo");
    EXPECT_EQ(metrics["models"][0]["peak_gpu_mib"], 20000.0);
}

TEST(MetricsCommand, ByPromptSplitsTheGroups) {
    TempDir dir;
    write_store(dir / "out/tunecap.db");
    const auto outcome = testing::run_tunecap({"metrics", (dir / "out").string(), "--json", "--by-prompt"}, dir.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(group_names(json::parse(outcome.out)),
                ElementsAre("flamingo/music_flamingo/descriptive", "revision/qwen3_14b/brief",
                            "revision/qwen3_14b/descriptive", "omni/qwen_omni/mood", "aaa_custom/m/brief"));
}

TEST(MetricsCommand, PrintsATableForPeople) {
    TempDir dir;
    write_store(dir / "out/tunecap.db");
    const auto outcome = testing::run_tunecap({"metrics", (dir / "out").string()}, dir.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("2 track(s)"));
    EXPECT_THAT(outcome.out, HasSubstr("flamingo    music_flamingo      1     1       0"));
    EXPECT_THAT(outcome.out, HasSubstr("peak GPU MiB"));
}

TEST(MetricsCommand, AFolderWithoutAStoreIsOneLineNamingItAndExitTwo) {
    TempDir dir;
    const auto outcome = testing::run_tunecap({"metrics", (dir / "nowhere").string()}, dir.path());
    EXPECT_EQ(outcome.exit_code, 2);
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_EQ(errors.size(), 1U) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr((dir / "nowhere").string() + ": no tunecap.db here"));
    EXPECT_FALSE(std::filesystem::exists(dir / "nowhere")) << "looking must not create a store";
    EXPECT_EQ(testing::run_tunecap({"metrics"}, dir.path()).exit_code, 2);
}

}  // namespace
}  // namespace tunecap::app
