// SPDX-License-Identifier: GPL-3.0-or-later
// How much audio a request carries: windows of 30 s against the slot's context.
#include "pipeline/audio_budget.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;

constexpr auto kWav = core::AudioFormat::wav;

std::vector<float> seconds_of_audio(double seconds) {
    return std::vector<float>(static_cast<std::size_t>(seconds * 16000), 0.25f);
}

TEST(PrepareAudio, AnExactMultipleOfThirtySecondsLosesFiveMilliseconds) {
    auto prepared = prepare_audio(seconds_of_audio(30.0), 16000, {600, 0, 0}, kWav);
    ASSERT_TRUE(prepared.ok());
    EXPECT_NEAR(prepared->seconds, 29.995, 1e-9);
    EXPECT_EQ(prepared->cut_at, std::nullopt);  // the trim is not a cut: the whole track went
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 750);  // one window, not two
    EXPECT_EQ(audio_prompt_tokens(30.0), 1500);
    EXPECT_EQ(audio_prompt_tokens(180.0), 7 * 750);
    EXPECT_EQ(audio_prompt_tokens(179.9), 6 * 750);
    prepared = prepare_audio(seconds_of_audio(29.9), 16000, {600, 0, 0}, kWav);
    EXPECT_NEAR(prepared->seconds, 29.9, 1e-9);
    EXPECT_EQ(prepared->cut_at, std::nullopt);
}

TEST(PrepareAudio, CutToMaxSecondsAndToTheSlotContext) {
    auto prepared = prepare_audio(seconds_of_audio(200), 16000, {120, 0, 0}, kWav);
    ASSERT_TRUE(prepared.ok());
    EXPECT_EQ(prepared->cut_at, 120u * 16000);
    EXPECT_LT(prepared->seconds, 120.0);  // 120.0 s exactly would cost a window of padding
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 4 * 750);

    // 8192 per slot, 700 reserved for the text: 9 windows fit, so at most just under 270 s.
    prepared = prepare_audio(seconds_of_audio(400), 16000, {600, 8192, 700}, kWav);
    ASSERT_TRUE(prepared.ok());
    EXPECT_EQ(prepared->cut_at, 270u * 16000 - 80);
    EXPECT_EQ(audio_prompt_tokens(prepared->seconds), 9 * 750);
    EXPECT_LE(audio_prompt_tokens(prepared->seconds) + 700, 8192);

    const auto refused = prepare_audio(seconds_of_audio(10), 16000, {600, 1024, 700}, kWav);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("a slot of this server holds 1024"));
}

TEST(PrepareAudio, SendsAWavOfWhatIsKept) {
    const auto prepared = prepare_audio(seconds_of_audio(1.0), 16000, {600, 0, 0}, kWav);
    ASSERT_TRUE(prepared.ok());
    // base64 of "RIFF": the body is a WAV file; 44 header bytes + 2 bytes a sample.
    EXPECT_EQ(prepared->format, kWav);
    EXPECT_EQ(prepared->base64->substr(0, 4), "UklG");
    EXPECT_EQ(prepared->base64->size(), (44 + 16000 * 2 + 2) / 3 * 4);
}

TEST(PrepareAudio, SendsTheFormatAskedFor) {
    const auto flac = prepare_audio(seconds_of_audio(1.0), 16000, {600, 0, 0}, core::AudioFormat::flac);
    ASSERT_TRUE(flac.ok()) << flac.error().message;
    EXPECT_EQ(flac->format, core::AudioFormat::flac);
    EXPECT_EQ(flac->base64->substr(0, 6), "ZkxhQw");  // base64 of "fLaC"
    EXPECT_LT(flac->base64->size(), (44 + 16000 * 2 + 2) / 3 * 4);
    const auto mp3 = prepare_audio(seconds_of_audio(1.0), 16000, {600, 0, 0}, core::AudioFormat::mp3);
    ASSERT_TRUE(mp3.ok()) << mp3.error().message;
    EXPECT_EQ(mp3->format, core::AudioFormat::mp3);
    EXPECT_EQ(mp3->base64->substr(0, 1), "/");  // 0xFF 0xF.: an MPEG frame sync
    EXPECT_NEAR(mp3->seconds, 1.0, 1e-9);
}

TEST(AudioBudget, TheServersSlotContextWinsOverTheConfigs) {
    const auto config = testing::load_config();
    const auto& flamingo = *config.find_model("music_flamingo");  // ctx 32768, 4 slots, 256 tokens out
    const auto planned = audio_budget(config, flamingo, std::nullopt);
    EXPECT_EQ(planned.slot_context, 8192);
    EXPECT_EQ(planned.max_seconds, 600);
    EXPECT_EQ(audio_budget(config, flamingo, 4096).slot_context, 4096);
    // The same for every prompt: a track's prompts carry the same audio. 10 windows of 30 s fit
    // 8192 tokens besides the text and the answer, so a 5-minute track loses 5 ms and no more.
    EXPECT_EQ(plan_audio_cut(400 * 16000, 16000, planned).value(), std::optional<std::size_t>(300u * 16000 - 80));
    EXPECT_EQ(plan_audio_cut(299 * 16000, 16000, planned).value(), std::nullopt);
}

TEST(AudioBudget, TheTextSetAsideIsTheLongestAnAudioStepOfTheModelCanSend) {
    const auto config = testing::load_config();
    const auto flamingo = audio_budget(config, *config.find_model("music_flamingo"), std::nullopt);
    const auto omni = audio_budget(config, *config.find_model("qwen_omni"), std::nullopt);
    // qwen_omni also runs omni_revision, whose text holds a whole caption: it sets more aside.
    EXPECT_GT(omni.reserved_tokens, flamingo.reserved_tokens + 256);
    EXPECT_GE(flamingo.reserved_tokens, 128 + 256 + 100);
    // A longer prompt sets more aside.
    const auto wordy = testing::load_config("prompts:\n  brief: \"" + std::string(3000, 'w') + "\"\n");
    EXPECT_GE(audio_budget(wordy, *wordy.find_model("music_flamingo"), std::nullopt).reserved_tokens, 128 + 256 + 1000);
}

TEST(AudioBudget, AManagedModelWithoutCtxIsPlannedWithTheContextItsServerGets) {
    const auto config = testing::load_config(
        "models:\n  bare: {gguf: a.gguf, mmproj: p.gguf, family: qwen2.5-omni}\n"
        "phases:\n  - {id: hear, kind: audio_caption, models: [bare]}\n");
    EXPECT_EQ(audio_budget(config, *config.find_model("bare"), std::nullopt).slot_context, config::kDefaultContext);
}

}  // namespace
}  // namespace tunecap::pipeline
