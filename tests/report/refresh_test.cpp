// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap clean --results` rewrites a track file from re-derived rows: steps, and what they roll up to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "report/json_output.hpp"
#include "temp_dir.hpp"

namespace tunecap::report {
namespace {

using nlohmann::json;

json step(const std::string& key) {
    return {{"status", "done"}, {"caption", "A caption."}, {"flags", json::array()}, {"key", key}};
}

// One phase, one model, two prompts, as a run wrote it.
json track_file() {
    return {{"id", "t1"},
            {"phases",
             {{"hear",
               {{"status", "done"},
                {"models", {{"ears", {{"status", "done"}, {"prompts", {{"brief", step("k1")}, {"mood", step("k2")}}}}}}}}}}}};
}

store::StepRow failed_row(const std::string& track, const std::string& key) {
    store::StepRow row;
    row.key = key;
    row.track_id = track;
    row.outcome = store::StepOutcome::failed;
    row.error = "the model's output holds no usable caption";
    row.flags = {"empty"};
    row.claims = "[]";
    return row;
}

TEST(RefreshCaptions, AStepThatNowFailsTurnsItsModelAndPhaseFailedOrLeavesThemDone) {
    tunecap::testing::TempDir dir;
    const auto path = dir / "t1.json";
    std::ofstream(path) << track_file().dump(2);
    RowsByTrackAndKey rows;
    rows[{"t1", "k1"}] = failed_row("t1", "k1");
    rows[{"other-track", "k2"}] = failed_row("other-track", "k2");  // another track's row: not this file's
    const auto changed = refresh_captions(path, rows);
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    EXPECT_EQ(changed.value(), 1u);
    const auto written = json::parse(std::ifstream(path));
    const auto& model = written["phases"]["hear"]["models"]["ears"];
    EXPECT_EQ(model["prompts"]["brief"]["status"], "failed");
    EXPECT_EQ(model["prompts"]["brief"]["error"], "the model's output holds no usable caption");
    EXPECT_EQ(model["prompts"]["brief"]["claims"], json::array());  // re-derived with the caption
    EXPECT_EQ(model["prompts"]["mood"]["status"], "done");
    EXPECT_EQ(model["status"], "failed");                    // a failed step fails its model
    EXPECT_EQ(written["phases"]["hear"]["status"], "failed");  // its only model
}

TEST(RefreshCaptions, NothingToChangeLeavesTheFileAlone) {
    tunecap::testing::TempDir dir;
    const auto path = dir / "t1.json";
    const auto text = track_file().dump(2);
    std::ofstream(path) << text;
    const auto changed = refresh_captions(path, {});
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(changed.value(), 0u);
    std::ifstream in(path);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
}

}  // namespace
}  // namespace tunecap::report
