// SPDX-License-Identifier: GPL-3.0-or-later
// Which stored rows an export writes, and how the skipped ones are counted.
#include "manifest/select.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace tunecap::manifest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> captions(const Selection& selection) {
    std::vector<std::string> out;
    for (const auto& row : selection.rows) out.push_back(row.track_id + ": " + row.caption);
    return out;
}

// One track per case: a newer done row over an older failed one, the reverse, an empty caption, a
// caption the cleaner had to fall back on, one with only clean removals, and a failed row carrying
// a flag (counted as failed, not flagged); plus rows of other phases, which are not counted at all.
void fill(StoreFixture& fixture) {
    const auto done = store::StepOutcome::done;
    const auto failed = store::StepOutcome::failed;
    fixture.step({.track_id = "a", .caption = "Old.", .outcome = failed, .finished_at = "2025-06-01T10:00:00Z"});
    fixture.step({.track_id = "a", .caption = "Newest of a.", .outcome = done, .finished_at = "2025-06-02T10:00:00Z"});
    fixture.step({.track_id = "b", .caption = "Older of b.", .outcome = done, .finished_at = "2025-06-01T10:00:00Z"});
    fixture.step({.track_id = "b", .outcome = failed, .finished_at = "2025-06-02T10:00:00Z"});
    fixture.step({.track_id = "c", .caption = "", .flags = {"empty"}});
    fixture.step({.track_id = "d", .caption = "Fell back.", .flags = {"fallback_used", "truncated"}});
    fixture.step({.track_id = "e", .caption = "Clean one.", .flags = {"reasoning_removed", "markdown_flattened"}});
    fixture.step({.track_id = "f", .outcome = failed, .flags = {"no_final_channel"}});
    fixture.step({.track_id = "a", .phase = "revision", .model = "qwen3_14b", .caption = "Other phase."});
    fixture.step({.track_id = "z", .phase = "revision", .model = "qwen3_14b", .outcome = failed});
}

TEST(Select, NewestRowPerUnitWithoutFailedEmptyOrFlaggedCaptions) {
    StoreFixture fixture;
    fill(fixture);
    const auto selection = fixture.select({.phase = "flamingo"});
    EXPECT_THAT(captions(selection), ElementsAre("a: Newest of a.", "e: Clean one."));
    EXPECT_EQ(selection.skipped.failed, 2u) << "b's newest row failed (its older caption is stale), and f";
    EXPECT_EQ(selection.skipped.empty, 1u);
    EXPECT_EQ(selection.skipped.flagged, 1u);
    EXPECT_EQ(skips_text(selection.skipped), "skipped 2 failed, 1 empty, 1 flagged (use --include-flagged to keep them)");
}

TEST(Select, IncludeFlaggedKeepsFlaggedCaptionsButNeverFailedOrEmptyOnes) {
    StoreFixture fixture;
    fill(fixture);
    const auto selection = fixture.select({.phase = "flamingo", .include_flagged = true});
    EXPECT_THAT(captions(selection), ElementsAre("a: Newest of a.", "d: Fell back.", "e: Clean one."));
    EXPECT_EQ(selection.skipped.failed, 2u);
    EXPECT_EQ(selection.skipped.empty, 1u);
    EXPECT_EQ(selection.skipped.flagged, 0u);
    EXPECT_EQ(skips_text(selection.skipped), "skipped 2 failed, 1 empty");
    EXPECT_EQ(skips_text(Skips{}), "");
}

TEST(Select, ModelAndPromptNarrowTheRows) {
    StoreFixture fixture;
    for (const std::string track : {"a", "b"}) {
        fixture.step({.track_id = track, .model = "m1", .prompt = "brief"});
        fixture.step({.track_id = track, .model = "m1", .prompt = "mood"});
        fixture.step({.track_id = track, .model = "m2", .prompt = "brief"});
    }
    EXPECT_EQ(fixture.select({.phase = "flamingo"}).rows.size(), 6u);
    EXPECT_EQ(fixture.select({.phase = "flamingo", .model = "m1"}).rows.size(), 4u);
    const auto one = fixture.select({.phase = "flamingo", .model = "m1", .prompt = "mood"});
    ASSERT_EQ(one.rows.size(), 2u);
    EXPECT_EQ(one.rows[0].prompt, "mood");
    EXPECT_EQ(one.rows[1].model, "m1");
}

TEST(Select, UnknownNamesListWhatTheStoreHolds) {
    StoreFixture fixture;
    fixture.step({.track_id = "a", .phase = "flamingo", .model = "m1", .prompt = "brief"});
    fixture.step({.track_id = "a", .phase = "flamingo", .model = "m2", .prompt = "mood"});
    fixture.step({.track_id = "a", .phase = "revision", .model = "m3", .prompt = "brief"});
    const auto steps = fixture.store().all_steps();

    auto selection = select_rows(steps, {.phase = "omni"});
    ASSERT_FALSE(selection);
    EXPECT_EQ(selection.error().message, "no phase 'omni' in the store (phases: flamingo, revision)");
    selection = select_rows(steps, {.phase = "flamingo", .model = "m3"});
    ASSERT_FALSE(selection);
    EXPECT_EQ(selection.error().message, "phase 'flamingo' has no model 'm3' (models: m1, m2)");
    selection = select_rows(steps, {.phase = "flamingo", .model = "m1", .prompt = "mood"});
    ASSERT_FALSE(selection);
    EXPECT_EQ(selection.error().message, "phase 'flamingo' with model 'm1' has no prompt 'mood' (prompts: brief)");
    selection = select_rows(steps, {.phase = "flamingo", .prompt = "technical"});
    ASSERT_FALSE(selection);
    EXPECT_EQ(selection.error().message, "phase 'flamingo' has no prompt 'technical' (prompts: brief, mood)");
    selection = select_rows({}, {.phase = "flamingo"});
    ASSERT_FALSE(selection);
    EXPECT_THAT(selection.error().message, HasSubstr("holds no steps"));
}

TEST(Select, OneCaptionPerTrackNamesTheOptionsToNarrowWith) {
    StoreFixture fixture;
    fixture.step({.track_id = "a", .model = "m1", .prompt = "brief"});
    fixture.step({.track_id = "a", .model = "m1", .prompt = "mood"});
    fixture.step({.track_id = "b", .model = "m1", .prompt = "brief"});
    const auto error = check_one_caption_per_track(fixture.select({.phase = "flamingo"}));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message, "this format takes one caption per track, but track 'a' has 2; choose one with --prompt "
                              "(prompts: brief, mood)");
    EXPECT_FALSE(check_one_caption_per_track(fixture.select({.phase = "flamingo", .prompt = "brief"})));

    fixture.step({.track_id = "b", .model = "m2", .prompt = "mood"});
    const auto both = check_one_caption_per_track(fixture.select({.phase = "flamingo"}));
    ASSERT_TRUE(both);
    EXPECT_THAT(both->message, HasSubstr("--model (models: m1, m2) and --prompt (prompts: brief, mood)"));
}

TEST(Select, TracksWithOneCaptionEachPassEvenWhenModelsDiffer) {
    StoreFixture fixture;
    fixture.step({.track_id = "a", .model = "m1"});
    fixture.step({.track_id = "b", .model = "m2"});
    EXPECT_FALSE(check_one_caption_per_track(fixture.select({.phase = "flamingo"})));
}

TEST(Gather, EachRowGetsItsTrackFileResolvedAgainstTheBaseAndItsInfo) {
    StoreFixture fixture;
    fixture.track("a", "/music/a.flac", {"Techno", "Minimal"});
    fixture.track("b", "music/./sub/b.flac", {"Dub"}, std::nullopt);
    fixture.step({.track_id = "a"});
    fixture.step({.track_id = "b"});
    fixture.step({.track_id = "ghost"});
    const auto gathered = fixture.gather_rows(fixture.select({.phase = "flamingo"}), "/work/here");
    ASSERT_EQ(gathered.entries.size(), 2u);
    EXPECT_EQ(gathered.entries[0].file, "/music/a.flac");
    EXPECT_THAT(gathered.entries[0].info.genres, ElementsAre("Techno", "Minimal"));
    ASSERT_TRUE(gathered.entries[0].info.facts);
    EXPECT_EQ(gathered.entries[1].stored_file, "music/./sub/b.flac");
    EXPECT_EQ(gathered.entries[1].file, "/work/here/music/sub/b.flac");
    EXPECT_FALSE(gathered.entries[1].info.facts);
    ASSERT_EQ(gathered.errors.size(), 1u);
    EXPECT_THAT(gathered.errors[0], HasSubstr("track 'ghost': no track row"));
}

TEST(Gather, AFileThatIsTwoTracksIsLeftOutWhereOneTextPerFileIsWritten) {
    StoreFixture fixture;
    fixture.track("song-v1", "/music/song.flac");
    fixture.track("song-v2", "/music/song.flac");
    fixture.track("other", "/music/other.flac");
    for (const std::string id : {"song-v1", "song-v2", "other"}) fixture.step({.track_id = id});
    const auto gathered = one_track_per_file(fixture.gather_rows(fixture.select({.phase = "flamingo"}), "/"));
    ASSERT_EQ(gathered.entries.size(), 1u);
    EXPECT_EQ(gathered.entries[0].row.track_id, "other");
    ASSERT_EQ(gathered.errors.size(), 1u);
    EXPECT_THAT(gathered.errors[0], HasSubstr("/music/song.flac: the store holds 2 tracks of this file (song-v1, song-v2"));
}

}  // namespace
}  // namespace tunecap::manifest
