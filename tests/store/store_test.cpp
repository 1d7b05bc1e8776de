// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/store.hpp"

#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "step_rows.hpp"
#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tunecap::testing::TempDir;

std::unique_ptr<Store> open_store(const std::filesystem::path& path) {
    auto store = Store::open(path);
    if (!store) throw core::Failure(store.error());
    return std::move(store).take();
}

std::vector<std::string> keys_of(const std::vector<StepRow>& rows) {
    std::vector<std::string> keys;
    for (const auto& row : rows) keys.push_back(row.key);
    return keys;
}

TEST(Store, RoundTripsEveryField) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    const StepRow done = full_row("k1");
    StepRow failed = full_row("k2");
    failed.outcome = StepOutcome::failed;
    failed.caption = "";
    failed.flags = {};
    failed.error = "exceed_context_size_error: 5300 tokens > 4096";
    ASSERT_TRUE(store->put_step(done).ok());
    ASSERT_TRUE(store->put_step(failed).ok());

    EXPECT_EQ(store->find_step("k1"), done);
    EXPECT_EQ(store->find_step("k2"), failed);
}

// What metrics and the report read: every column but the model's outputs and the request, in the
// same order as every column.
TEST(Store, AllStepsWithoutOutputsLeavesOutRawOutputReasoningAndRequest) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    ASSERT_TRUE(store->put_step(full_row("k2")).ok());
    ASSERT_TRUE(store->put_step(full_row("k1")).ok());
    auto expected = store->all_steps();
    ASSERT_EQ(expected.size(), 2u);
    ASSERT_FALSE(expected[0].raw_output.empty() || expected[0].reasoning.empty() || expected[0].request.empty());
    for (auto& row : expected) row.raw_output = row.reasoning = row.request = "";
    EXPECT_EQ(store->all_steps(StepColumns::without_outputs), expected);
    EXPECT_EQ(store->all_steps(StepColumns::all), store->all_steps());
}

TEST(Store, RoundTripsNulBytesInvalidUtf8AndAwkwardFlags) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    StepRow row = full_row("k");
    using namespace std::string_literals;
    row.raw_output = "before\0after \xff\xfe \xc3 \x80 \xed\xa0\x80 end\0"s;
    row.reasoning = "\0"s;
    row.request = "line\r\n\ttab \xe2\x82"s;
    row.caption = "caf\xc3\xa9 \xf0\x9f\x8e\xb5"s;
    row.flags = {"", "a,b", "quote\"back\\slash", "nul\0byte"s, "new\nline", "\xff\x01", "[\"]"};
    ASSERT_TRUE(store->put_step(row).ok());

    const auto read = store->find_step("k");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->raw_output.size(), row.raw_output.size());
    EXPECT_EQ(*read, row);
}

TEST(Store, RoundTripsDoublesBitForBitAndIntsAtTheirLimits) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    const double values[] = {0.1,
                             -0.0,
                             5.0,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::max(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::infinity(),
                             9007199254740993.0,
                             1.0 / 3.0};
    int index = 0;
    for (const double value : values) {
        StepRow row = full_row("k" + std::to_string(index++));
        row.elapsed_ms = value;
        row.prompt_ms = -value;
        row.predicted_ms = value * 0.5;
        row.prompt_tokens = std::numeric_limits<int>::min();
        row.completion_tokens = std::numeric_limits<int>::max();
        row.cached_tokens = -1;
        ASSERT_TRUE(store->put_step(row).ok());
        const auto read = store->find_step(row.key);
        ASSERT_TRUE(read);
        EXPECT_EQ(bits(read->elapsed_ms), bits(row.elapsed_ms)) << value;
        EXPECT_EQ(bits(read->prompt_ms), bits(row.prompt_ms)) << value;
        EXPECT_EQ(bits(read->predicted_ms), bits(row.predicted_ms)) << value;
        EXPECT_EQ(read->prompt_tokens, row.prompt_tokens);
        EXPECT_EQ(read->completion_tokens, row.completion_tokens);
        EXPECT_EQ(read->cached_tokens, row.cached_tokens);
    }
}

TEST(Store, NanTimingComesBackAsNan) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    StepRow row = full_row("k");
    row.elapsed_ms = std::numeric_limits<double>::quiet_NaN();
    ASSERT_TRUE(store->put_step(row).ok());
    const auto read = store->find_step("k");
    ASSERT_TRUE(read);
    EXPECT_TRUE(std::isnan(read->elapsed_ms));
    EXPECT_EQ(read->prompt_ms, row.prompt_ms);
}

TEST(Store, PutStepReplacesTheRowWithTheSameKey) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    ASSERT_TRUE(store->put_step(full_row("k")).ok());
    StepRow again = full_row("k");
    again.outcome = StepOutcome::failed;
    again.caption = "second";
    again.flags = {"only"};
    again.elapsed_ms = 1;
    ASSERT_TRUE(store->put_step(again).ok());

    EXPECT_EQ(store->find_step("k"), again);
    EXPECT_EQ(store->all_steps().size(), 1u);
}

TEST(Store, FindOfAnUnknownKeyIsNullopt) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    ASSERT_TRUE(store->put_step(full_row("k")).ok());
    EXPECT_EQ(store->find_step("K"), std::nullopt);
    EXPECT_EQ(store->find_step(""), std::nullopt);
    EXPECT_EQ(store->find_track("nope"), std::nullopt);
    EXPECT_TRUE(store->steps_for_track("nope").empty());
    EXPECT_TRUE(store->loads("nope").empty());
}

TEST(Store, ReopenAfterCloseKeepsEverything) {
    TempDir dir;
    const TrackRow track{"track-1", "/music/a b.flac", "ab12", R"({"genres":["Jazz"]})"};
    const LoadRow load{"run-1", "qwen_omni", 12.5, 30210.0, 1, "b6275"};
    {
        auto store = open_store(dir / "tunecap.db");
        ASSERT_TRUE(store->put_step(full_row("k1")).ok());
        ASSERT_TRUE(store->put_step(full_row("k2")).ok());
        ASSERT_TRUE(store->put_track(track).ok());
        ASSERT_TRUE(store->put_load(load).ok());
    }
    auto store = open_store(dir / "tunecap.db");
    EXPECT_EQ(store->find_step("k1"), full_row("k1"));
    EXPECT_EQ(store->find_step("k2"), full_row("k2"));
    EXPECT_EQ(store->find_track("track-1"), track);
    EXPECT_THAT(store->loads("run-1"), ElementsAre(load));
}

TEST(Store, StepsForTrackAreOrderedByUnitNewestFirst) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    const auto step = [](std::string key, std::string track, std::string phase, std::string prompt, std::string at) {
        StepRow row = full_row(key, track);
        row.phase = phase;
        row.prompt = prompt;
        row.finished_at = at;
        return row;
    };
    for (const auto& row : {step("a", "t1", "omni", "brief", "2025-01-01T00:00:00Z"),
                            step("b", "t1", "flamingo", "mood", "2025-01-01T00:00:00Z"),
                            step("c", "t1", "flamingo", "brief", "2025-01-01T00:00:00Z"),
                            step("d", "t1", "flamingo", "brief", "2025-01-02T00:00:00Z"),
                            step("e", "t2", "flamingo", "brief", "2025-01-03T00:00:00Z"),
                            step("f", "t1", "flamingo", "brief", "2025-01-02T00:00:00Z")}) {
        ASSERT_TRUE(store->put_step(row).ok());
    }
    EXPECT_THAT(keys_of(store->steps_for_track("t1")), ElementsAre("d", "f", "c", "b", "a"));
    EXPECT_THAT(keys_of(store->steps_for_track("t2")), ElementsAre("e"));
    EXPECT_THAT(keys_of(store->all_steps()), ElementsAre("d", "f", "c", "b", "a", "e"));
}

TEST(Store, UpdateDerivedChangesOnlyWhatIsDerivedFromTheRawOutput) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    ASSERT_TRUE(store->put_step(full_row("k")).ok());
    StepRow update = full_row("k");
    update.caption = "";
    update.flags = {"empty"};
    update.outcome = StepOutcome::failed;
    update.error = "the model's output holds no usable caption";
    update.claims = "[]";
    update.raw_output = "not written";   // not derived: stays as stored
    update.prompt_tokens = 999;
    ASSERT_TRUE(store->update_derived(update).ok());

    StepRow expected = full_row("k");
    expected.caption = "";
    expected.flags = {"empty"};
    expected.outcome = StepOutcome::failed;
    expected.error = "the model's output holds no usable caption";
    expected.claims = "[]";
    EXPECT_EQ(store->find_step("k"), expected);
}

TEST(Store, TracksSharingAKeyKeepARowEachAndADoneRowAnswersTheKey) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    StepRow failed = full_row("k", "t1");
    failed.outcome = StepOutcome::failed;
    failed.finished_at = "2026-12-02T00:00:00Z";  // newer, but failed
    StepRow done = full_row("k", "t2");
    ASSERT_TRUE(store->put_step(failed).ok());
    ASSERT_TRUE(store->put_step(done).ok());
    EXPECT_EQ(store->steps_for_track("t1").size(), 1u);
    EXPECT_EQ(store->steps_for_track("t2").size(), 1u);
    EXPECT_EQ(store->find_step("k"), done);
    // Deriving again touches the row of the track named only.
    StepRow update = done;
    update.caption = "Changed.";
    ASSERT_TRUE(store->update_derived(update).ok());
    EXPECT_EQ(store->steps_for_track("t1").front(), failed);
    EXPECT_EQ(store->steps_for_track("t2").front().caption, "Changed.");
}

TEST(Store, UpdateDerivedOfAnUnknownKeyIsAnErrorNamingTheFile) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    const auto status = store->update_derived(full_row("missing"));
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(status.error().message, HasSubstr((dir / "tunecap.db").string()));
    EXPECT_THAT(status.error().message, HasSubstr("missing"));
}

TEST(Store, PutStepRejectsAnEmptyKey) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    StepRow no_key = full_row("");
    EXPECT_FALSE(store->put_step(no_key).ok());
    EXPECT_TRUE(store->all_steps().empty());
}

TEST(Store, AStatusTheStoreDoesNotKnowIsAReadErrorNamingTheFile) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    ASSERT_TRUE(store->put_step(full_row("k")).ok());
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir / "tunecap.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "UPDATE steps SET status = 'running'", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    try {
        store->find_step("k");
        FAIL() << "an unknown status was read";
    } catch (const core::Failure& e) {
        EXPECT_THAT(e.what(), HasSubstr("unknown status 'running'"));
        EXPECT_THAT(e.what(), HasSubstr((dir / "tunecap.db").string()));
    }
}

TEST(Store, TracksRoundTripAndReplace) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    TrackRow track{"t", "/a/b.wav", "hash", "{}"};
    ASSERT_TRUE(store->put_track(track).ok());
    EXPECT_EQ(store->find_track("t"), track);
    track.info_json = R"({"facts":{"bpm":120.5}})";
    ASSERT_TRUE(store->put_track(track).ok());
    EXPECT_EQ(store->find_track("t"), track);
    EXPECT_FALSE(store->put_track(TrackRow{}).ok());
}

TEST(Store, LoadsKeepTheirOrderPerRun) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    const LoadRow first{"run-2", "music_flamingo", 40.25, std::nullopt, 0, "b1"};
    const LoadRow other{"run-1", "qwen_omni", 1, 2, 3, "b2"};
    const LoadRow second{"run-2", "granite_tiny", 3.5, 2048.75, 2, "b1"};
    ASSERT_TRUE(store->put_load(first).ok());
    ASSERT_TRUE(store->put_load(other).ok());
    ASSERT_TRUE(store->put_load(second).ok());
    ASSERT_TRUE(store->put_load(first).ok());
    EXPECT_THAT(store->loads("run-2"), ElementsAre(first, second, first));
    EXPECT_THAT(store->loads("run-1"), ElementsAre(other));
}

TEST(Store, AllLoadsAreEveryRunsInTheOrderTheyWerePut) {
    TempDir dir;
    auto store = open_store(dir / "tunecap.db");
    EXPECT_TRUE(store->all_loads().empty());
    const LoadRow first{"run-2", "music_flamingo", 40.25, std::nullopt, 0, "b1"};
    const LoadRow other{"run-1", "qwen_omni", 1, 2, 3, "b2"};
    const LoadRow second{"run-2", "granite_tiny", 3.5, 2048.75, 2, "b1"};
    for (const auto& load : {first, other, second, first}) ASSERT_TRUE(store->put_load(load).ok());
    EXPECT_THAT(store->all_loads(), ElementsAre(first, other, second, first));
}

TEST(Store, OpenCreatesParentFolders) {
    TempDir dir;
    const auto path = dir / "out/deeper/tunecap.db";
    auto store = open_store(path);
    ASSERT_TRUE(store->put_step(full_row("k")).ok());
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(Store, TwoConnectionsSeeEachOthersCommits) {
    TempDir dir;
    auto first = open_store(dir / "tunecap.db");
    auto second = open_store(dir / "tunecap.db");
    ASSERT_TRUE(first->put_step(full_row("from-first")).ok());
    ASSERT_TRUE(second->put_step(full_row("from-second")).ok());
    EXPECT_EQ(second->find_step("from-first"), full_row("from-first"));
    EXPECT_EQ(first->find_step("from-second"), full_row("from-second"));
}

}  // namespace
}  // namespace tunecap::store
