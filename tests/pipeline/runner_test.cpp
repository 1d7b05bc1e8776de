// SPDX-License-Identifier: GPL-3.0-or-later
// Pure parts of the runner: load order, audio preparation, step keys, rendering.

#include "pipeline/runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/render.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;

config::Config load(const std::string& user_yaml = "") {
    auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "HOME") return "/home/u";
        return std::nullopt;
    };
    std::vector<config::Layer> layers = {{"default.yaml", std::string(config::default_config_text()), "/"}};
    if (!user_yaml.empty()) layers.push_back({"user.yaml", user_yaml, "/"});
    return config::load_layers(layers, env).take();
}

TEST(LoadOrder, DefaultGraphLoadsEachModelOnceInDependencyOrder) {
    EXPECT_EQ(model_load_order(load()),
              (std::vector<std::string>{"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"}));
}

TEST(LoadOrder, AModelThatReadsAnotherComesAfterItWhateverTheConfigOrder) {
    const auto config = load(R"(
models:
  late: {gguf: a.gguf, family: qwen3}
  early: {gguf: b.gguf, mmproj: p.gguf, family: qwen2.5-omni}
phases:
  - {id: fix, kind: revise, models: [late], inputs: [hear]}
  - {id: hear, kind: audio_caption, models: [early]}
)");
    const auto order = model_load_order(config);
    const auto late = std::find(order.begin(), order.end(), "late");
    const auto early = std::find(order.begin(), order.end(), "early");
    ASSERT_NE(late, order.end());
    EXPECT_LT(early, late);
}

std::vector<float> seconds_of_audio(double seconds) {
    return std::vector<float>(static_cast<std::size_t>(seconds * 16000), 0.25f);
}

TEST(PrepareAudio, AnExactMultipleOfThirtySecondsLosesFiveMilliseconds) {
    auto prepared = prepare_audio(seconds_of_audio(30.0), 16000, {600, 0, 0});
    ASSERT_TRUE(prepared.ok());
    EXPECT_NEAR(prepared->seconds, 29.995, 1e-9);
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 750);  // one window, not two
    EXPECT_EQ(audio_prompt_tokens(30.0), 1500);
    EXPECT_EQ(audio_prompt_tokens(180.0), 7 * 750);
    EXPECT_EQ(audio_prompt_tokens(179.9), 6 * 750);
    prepared = prepare_audio(seconds_of_audio(29.9), 16000, {600, 0, 0});
    EXPECT_NEAR(prepared->seconds, 29.9, 1e-9);
    EXPECT_FALSE(prepared->cut);
}

TEST(PrepareAudio, CutToMaxSecondsAndToTheSlotContext) {
    auto prepared = prepare_audio(seconds_of_audio(200), 16000, {120, 0, 0});
    ASSERT_TRUE(prepared.ok());
    EXPECT_TRUE(prepared->cut);
    EXPECT_LT(prepared->seconds, 120.0);  // 120.0 s exactly would cost a window of padding
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 4 * 750);

    // 8192 per slot, 700 reserved for the text: 9 windows fit, so at most just under 270 s.
    prepared = prepare_audio(seconds_of_audio(400), 16000, {600, 8192, 700});
    ASSERT_TRUE(prepared.ok());
    EXPECT_TRUE(prepared->cut);
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 9 * 750);
    EXPECT_LE(audio_prompt_tokens(prepared->seconds) + 700, 8192);

    const auto refused = prepare_audio(seconds_of_audio(10), 16000, {600, 1024, 700});
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("a slot of this server holds 1024"));
}

TEST(PrepareAudio, SendsAWavOfWhatIsKept) {
    const auto prepared = prepare_audio(seconds_of_audio(1.0), 16000, {600, 0, 0});
    ASSERT_TRUE(prepared.ok());
    // base64 of "RIFF": the body is a WAV file; 44 header bytes + 2 bytes a sample.
    EXPECT_EQ(prepared->wav_base64->substr(0, 4), "UklG");
    EXPECT_EQ(prepared->wav_base64->size(), (44 + 16000 * 2 + 2) / 3 * 4);
}

TEST(StepKey, ChangesWithWhatDeterminesTheOutputOnly) {
    const auto config = load();
    const auto& phase = *config.find_phase("revision");
    const auto& model = *config.find_model("qwen3_14b");
    const auto key = step_key("hash", phase, model, "text", {"a"}, 600);
    EXPECT_EQ(key, step_key("hash", phase, model, "text", {"a"}, 600));
    EXPECT_NE(key, step_key("other", phase, model, "text", {"a"}, 600));
    EXPECT_NE(key, step_key("hash", phase, model, "text!", {"a"}, 600));
    EXPECT_NE(key, step_key("hash", phase, model, "text", {"b"}, 600));
    EXPECT_NE(key, step_key("hash", phase, model, "text", {"a"}, 300));
    auto hotter = model;
    hotter.sampling.temperature = 1.2;
    EXPECT_NE(key, step_key("hash", phase, hotter, "text", {"a"}, 600));
    EXPECT_NE(key, step_key("hash", *config.find_phase("ensemble"), model, "text", {"a"}, 600));
    EXPECT_EQ(key.size(), 64u);
}

TEST(Render, FillsTemplatesAndCutsInputsAtWordBoundaries) {
    EXPECT_EQ(fill_template("{genres} at {{literal}} {unknown}", {{"genres", "Dub"}}), "Dub at {literal} {unknown}");
    EXPECT_EQ(cut_to("a rolling bassline and a kick", 12), "a rolling");
    EXPECT_EQ(cut_to("short", 300), "short");

    const auto config = load();
    const auto vars = track_variables({"Goa Trance", "Psytrance"}, 185.4);
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
