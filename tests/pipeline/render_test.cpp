// SPDX-License-Identifier: GPL-3.0-or-later
// The text a step sends.
#include "pipeline/render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/facts_text.hpp"
#include "pipeline/step_request.hpp"
#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;

TEST(Render, FillsTemplatesAndCutsInputsAtWordBoundaries) {
    EXPECT_EQ(fill_template("{genres} at {{literal}} {unknown}", {{"genres", "Dub"}}), "Dub at {literal} {unknown}");
    EXPECT_EQ(cut_to("a rolling bassline and a kick", 12), "a rolling");
    EXPECT_EQ(cut_to("short", 300), "short");

    const auto config = testing::load_config();
    const auto vars = track_variables({"Goa Trance", "Psytrance"}, 185.4, std::nullopt);
    EXPECT_EQ(vars.at("duration"), "3:05");
    const auto& brief = *config.find_prompt("brief");
    auto text = render_step(config, *config.find_phase("flamingo_genre"), brief, vars, {}, std::nullopt);
    EXPECT_THAT(text.user, ::testing::StartsWith(brief.text));
    EXPECT_THAT(text.user, HasSubstr("tagged with these genres: Goa Trance, Psytrance."));
    EXPECT_EQ(text.hint, "Goa Trance, Psytrance");
    text = render_step(config, *config.find_phase("flamingo"), brief, vars, {}, std::nullopt);
    EXPECT_EQ(text.user, brief.text);
    EXPECT_EQ(text.hint, "");

    const std::vector<UpstreamCaption> inputs = {{"flamingo", "music_flamingo", "A hypnotic trance track with acid."},
                                                 {"omni", "qwen_omni", "A driving psytrance piece."}};
    text = render_step(config, *config.find_phase("revision"), brief, vars, {inputs[0]}, 10);
    EXPECT_THAT(text.user, HasSubstr("Caption: A hypnotic\n"));
    EXPECT_EQ(text.input_chars, inputs[0].caption.size());
    text = render_step(config, *config.find_phase("ensemble"), brief, vars, inputs, std::nullopt);
    EXPECT_THAT(text.user, HasSubstr("1. A hypnotic trance track with acid.\n2. A driving psytrance piece."));
}

TEST(Render, TheWrongHintNamesTheContrastOfEachGenreTheTrackHas) {
    const std::vector<config::GenreContrast> contrasts = {{"Techno", "Folk"}, {"Jazz", "Metal"}, {"Hip Hop", "Classical"}};
    using V = std::vector<std::string>;
    EXPECT_EQ(contrasting_genres({"Techno"}, contrasts), V{"Folk"});
    EXPECT_EQ(contrasting_genres({"Minimal Techno", "Free Jazz"}, contrasts), (V{"Folk", "Metal"}));  // by word
    EXPECT_EQ(contrasting_genres({"metal"}, contrasts), V{"Jazz"});                                  // either side
    EXPECT_EQ(contrasting_genres({"Techno", "Detroit Techno"}, contrasts), V{"Folk"});               // once
    EXPECT_EQ(contrasting_genres({"Technopop"}, contrasts), V{"Techno"});  // not a word of it: the list's first
    EXPECT_EQ(contrasting_genres({"Unknown"}, contrasts), V{"Techno"});
    EXPECT_EQ(contrasting_genres({"Techno", "Folk"}, contrasts), V{"Jazz"});  // never a genre the track has
    EXPECT_EQ(contrasting_genres({}, {}), V{});
}

TEST(Render, AWrongHintPhaseSendsTheContrastingGenres) {
    const auto config = testing::load_config();
    const auto& phase = *config.find_phase("omni_wrong_hint");
    auto track = testing::track(config, "a");  // tagged Techno
    const auto planned = plan_step(config, phase, config.find_model("qwen_omni"), *config.find_prompt("brief"), {}, track, {});
    EXPECT_THAT(planned.request.user, HasSubstr("tagged with these genres: Folk."));
    EXPECT_EQ(planned.request.hint, "Folk");
    EXPECT_EQ(planned.request.hint_kind, store::HintKind::wrong);
    const auto honest = plan_step(config, *config.find_phase("omni_genre"), config.find_model("qwen_omni"),
                                  *config.find_prompt("brief"), {}, track, {});
    EXPECT_EQ(honest.request.hint, "Techno");
    EXPECT_EQ(honest.request.hint_kind, store::HintKind::genres);
}

}  // namespace
}  // namespace tunecap::pipeline
