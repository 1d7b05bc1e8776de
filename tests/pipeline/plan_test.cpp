// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/plan.hpp"
#include "pipeline/step_request.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;

config::Config default_config() {
    auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "HOME") return "/home/u";
        return std::nullopt;
    };
    return config::load_layers({{"default.yaml", std::string(config::default_config_text()), "/"}}, env).take();
}

FileCheck files(std::set<std::string> present) {
    return [present = std::move(present)](const std::filesystem::path& p) { return present.contains(p.string()); };
}

const PhaseRecord& phase(const std::vector<PhaseRecord>& records, const std::string& id) {
    for (const auto& r : records) {
        if (r.id == id) return r;
    }
    throw std::runtime_error("no phase " + id);
}

TEST(Plan, MissingModelFilesAreNotConfiguredWithTheReasonAndDependentsAreSkipped) {
    const auto records = plan_phases(default_config(), {}, files({}));
    ASSERT_EQ(records.size(), 10u);
    EXPECT_EQ(phase(records, "facts").status, StepStatus::pending);  // needs no model file
    const auto& flamingo = phase(records, "flamingo");
    EXPECT_EQ(flamingo.status, StepStatus::not_configured);
    EXPECT_THAT(flamingo.reason, HasSubstr("model file /home/u/models/music-flamingo/"));
    EXPECT_THAT(flamingo.reason, HasSubstr("not found"));
    ASSERT_EQ(flamingo.models.size(), 1u);
    EXPECT_EQ(flamingo.models[0].steps.size(), 5u);
    EXPECT_EQ(flamingo.models[0].steps[0].status, StepStatus::not_configured);
    const auto& revision = phase(records, "revision");
    EXPECT_EQ(revision.status, StepStatus::skipped);
    EXPECT_EQ(revision.reason, "input phase 'flamingo' is not_configured");
    EXPECT_EQ(revision.models.size(), 3u);
}

TEST(Plan, AudioPhasesNeedTheProjectorTextPhasesDoNot) {
    auto config = default_config();
    const auto flamingo_gguf = config.find_model("music_flamingo")->gguf.string();
    const auto qwen3 = config.find_model("qwen3_14b")->gguf.string();
    const auto records = plan_phases(config, {}, files({flamingo_gguf, qwen3}));
    EXPECT_THAT(phase(records, "flamingo").reason, HasSubstr("audio projector"));
    auto model = config::Model{};
    model.gguf = "/m.gguf";
    EXPECT_EQ(model_unavailable(model, false, files({"/m.gguf"})), std::nullopt);
    model.endpoints = {config::Endpoint{"http://127.0.0.1:1", ""}};
    EXPECT_EQ(model_unavailable(model, true, files({})), std::nullopt);
}

// llama-server downloads what its cache lacks; only a local projector beside an hf model must exist.
TEST(Plan, AnHfModelNeedsNoFileHere) {
    config::Model model;
    model.hf = config::HfModel{"o/r", "Q4_K_M"};
    EXPECT_EQ(model_unavailable(model, false, files({})), std::nullopt);
    model.mmproj_hf = config::HfProjector{};
    EXPECT_EQ(model_unavailable(model, true, files({})), std::nullopt);
    model.mmproj_hf.reset();
    model.mmproj = "/p.gguf";
    EXPECT_THAT(model_unavailable(model, true, files({})).value_or(""), HasSubstr("audio projector /p.gguf not found"));
}

// The key of an hf model's steps is its text, the same before and after the download.
TEST(Plan, AnHfModelIsIdentifiedByItsRepoQuantAndProjectorText) {
    config::Model model;
    model.hf = config::HfModel{"o/r", "Q4_K_M"};
    model.mmproj_hf = config::HfProjector{};
    const auto files = fingerprint_model_files(model);
    EXPECT_EQ(files.model_file, "hf o/r:Q4_K_M");
    EXPECT_EQ(files.projector_file, "hf auto");
    model.mmproj_hf = config::HfProjector{"p/q", "m.gguf", "https://huggingface.co/p/q/resolve/main/m.gguf"};
    EXPECT_EQ(fingerprint_model_files(model).projector_file, "hf p/q/m.gguf");
}

TEST(Plan, AvailableModelsArePendingAndOnlyTheMissingOneIsNotConfigured) {
    auto config = default_config();
    std::set<std::string> present;
    for (const auto& m : config.models) {
        if (m.name == "granite_tiny") continue;
        present.insert(m.gguf.string());
        if (!m.mmproj.empty()) present.insert(m.mmproj.string());
    }
    const auto records = plan_phases(config, {}, files(present));
    const auto& revision = phase(records, "revision");
    EXPECT_EQ(revision.status, StepStatus::pending);
    EXPECT_EQ(revision.models[0].status, StepStatus::pending);
    EXPECT_EQ(revision.models[2].model, "granite_tiny");
    EXPECT_EQ(revision.models[2].status, StepStatus::not_configured);
}

TEST(Plan, SkipAndOnlyMarkPhasesAndTheirDependents) {
    auto config = default_config();
    std::set<std::string> present;
    for (const auto& m : config.models) {
        present.insert(m.gguf.string());
        if (!m.mmproj.empty()) present.insert(m.mmproj.string());
    }
    auto records = plan_phases(config, {{"omni"}, {}}, files(present));
    EXPECT_EQ(phase(records, "omni").status, StepStatus::skipped);
    EXPECT_EQ(phase(records, "omni").reason, "skipped by --skip omni");
    EXPECT_EQ(phase(records, "ensemble").reason, "input phase 'omni' is skipped");
    EXPECT_EQ(phase(records, "omni_genre").status, StepStatus::pending);

    records = plan_phases(config, {{}, {"flamingo", "revision"}}, files(present));
    EXPECT_EQ(phase(records, "flamingo").status, StepStatus::pending);
    EXPECT_EQ(phase(records, "revision").status, StepStatus::pending);
    EXPECT_EQ(phase(records, "omni").reason, "not selected by --only");
}

TEST(Plan, SelectionNamingAnUnknownPhaseIsAnError) {
    auto config = default_config();
    EXPECT_TRUE(validate_selection(config, {{"revision"}, {"omni"}}).ok());
    auto status = validate_selection(config, {{"revison"}, {}});
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(status.error().message, HasSubstr("--skip revison: no such phase"));
}

TEST(Track, IdIsTheStemSlugAndTheHashPrefix) {
    EXPECT_EQ(make_track_id("/music/My Song (Live).flac", "0123456789abcdef0123"), "my-song-live-0123456789ab");
    EXPECT_EQ(make_track_id("/music/???.mp3", "abcdefabcdefabcdef"), "track-abcdefabcdef");
}

}  // namespace
}  // namespace tunecap::pipeline
