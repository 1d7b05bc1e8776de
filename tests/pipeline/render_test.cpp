// SPDX-License-Identifier: GPL-3.0-or-later
// The text a step sends.
#include "pipeline/render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/facts_text.hpp"
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
    text = render_step(config, *config.find_phase("flamingo"), brief, vars, {}, std::nullopt);
    EXPECT_EQ(text.user, brief.text);

    const std::vector<UpstreamCaption> inputs = {{"flamingo", "music_flamingo", "A hypnotic trance track with acid."},
                                                 {"omni", "qwen_omni", "A driving psytrance piece."}};
    text = render_step(config, *config.find_phase("revision"), brief, vars, {inputs[0]}, 10);
    EXPECT_THAT(text.user, HasSubstr("Caption: A hypnotic\n"));
    EXPECT_EQ(text.input_chars, inputs[0].caption.size());
    text = render_step(config, *config.find_phase("ensemble"), brief, vars, inputs, std::nullopt);
    EXPECT_THAT(text.user, HasSubstr("1. A hypnotic trance track with acid.\n2. A driving psytrance piece."));
}

}  // namespace
}  // namespace tunecap::pipeline
