// SPDX-License-Identifier: GPL-3.0-or-later
// A track file's steps show the claims stored with them; a row stored before steps kept claims has
// its caption checked against the track's facts when the file is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/json_output.hpp"

namespace tunecap::report {
namespace {

using nlohmann::json;

pipeline::TrackRecord track_with(std::vector<store::StepRow> rows) {
    pipeline::TrackRecord track;
    track.id = "t1";
    track.file = "t1.flac";
    track.facts = analysis::Facts{};
    track.facts->tempo = analysis::Tempo{120.0, 0.9};
    pipeline::ModelRecord model{"ears", pipeline::StepStatus::done, "", {}};
    for (auto& row : rows) {
        model.steps.push_back({row.prompt, pipeline::StepStatus::done, "", std::move(row), false});
    }
    track.phases.push_back({"hear", config::PhaseKind::audio_caption, pipeline::StepStatus::done, "", {model}, false});
    return track;
}

store::StepRow row(const std::string& prompt, const std::string& caption, const std::string& claims) {
    store::StepRow out;
    out.key = "k-" + prompt;
    out.track_id = "t1";
    out.prompt = prompt;
    out.outcome = store::StepOutcome::done;
    out.caption = caption;
    out.claims = claims;
    return out;
}

TEST(TrackJson, StepsShowTheirStoredClaimsAndOlderRowsAreCheckedAgainstTheFacts) {
    const auto stored = R"([{"kind":"tempo","value":60.0,"text":"60 BPM","verdict":"agrees","multiple":"x1/2"}])";
    const auto written = json::parse(track_json(track_with({row("brief", "A 60 BPM dirge.", stored),
                                                            row("mood", "A 140 BPM rush.", "")})));
    const auto& prompts = written["phases"]["hear"]["models"]["ears"]["prompts"];
    EXPECT_EQ(prompts["brief"]["claims"], json::parse(stored));
    ASSERT_EQ(prompts["mood"]["claims"].size(), 1u);
    EXPECT_EQ(prompts["mood"]["claims"][0]["value"], 140.0);
    EXPECT_EQ(prompts["mood"]["claims"][0]["verdict"], "contradicts");
}

}  // namespace
}  // namespace tunecap::report
