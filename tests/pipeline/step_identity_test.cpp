// SPDX-License-Identifier: GPL-3.0-or-later
// A step's key changes with everything that changes its output and with nothing else: one test
// per field of the identity, each through plan_step, the way the runner computes keys.
#include "pipeline/step_identity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/step_request.hpp"
#include "pipeline_fixtures.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;
using testing::load_config;

const ModelFiles kFiles{"1000:aaaa", "200:bbbb"};

// The key of one step of the default graph (a revise step reads one input, an audio step hears the
// track) under the config `user_yaml` layered over the default.
struct KeyOf {
    std::string phase = "flamingo";
    std::string model = "music_flamingo";
    std::string prompt = "brief";
    std::string user_yaml;
    ModelFiles files = kFiles;
    double seconds = 180;
    std::string audio = "a";
    std::vector<StepInput> inputs;

    PlannedStep planned() const {
        const auto config = load_config(user_yaml);
        const auto track = testing::track(config, audio, seconds);
        const auto* model_entry = model.empty() ? nullptr : config.find_model(model);
        return plan_step(config, *config.find_phase(phase), model_entry, *config.find_prompt(prompt), files, track, inputs);
    }
    std::string key() const { return planned().key; }
};

KeyOf revise_step() {
    KeyOf k;
    k.phase = "revision";
    k.model = "qwen3_14b";
    k.inputs = {{{"flamingo", "music_flamingo", "A warm techno track."}, "input-key-1"}};
    return k;
}

TEST(StepIdentity, TheCanonicalFormNamesItsFormatAndEveryField) {
    const auto text = KeyOf{}.planned().identity.canonical();
    EXPECT_THAT(text, ::testing::StartsWith("tunecap-step-identity=2\n"));
    for (const char* field : {"producer=model\n", "model_file=1000:aaaa\n", "projector_file=200:bbbb\n",
                              "family=music-flamingo\n", "request_path=chat\n", "cache_type_k=q8_0\n", "top_k=40\n",
                              "audio_sha256=audio-a\n", "audio_cut_at=-\n", "input_key.count=0\n"}) {
        EXPECT_THAT(text, HasSubstr(field));
    }
    EXPECT_EQ(KeyOf{}.key().size(), 64u);
    EXPECT_EQ(KeyOf{}.key(), KeyOf{}.key());
}

TEST(StepIdentity, ValuesCannotRunIntoTheNextField) {
    StepIdentity a, b;
    a.prompt = "x\nfamily=qwen3";
    b.prompt = "x";
    b.family = "qwen3";
    EXPECT_NE(a.key(), b.key());
}

TEST(StepIdentity, TheModelFileChangesTheKey) {
    auto k = KeyOf{};
    k.files.model_file = "1000:cccc";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheProjectorFileChangesTheKeyOfAudioStepsOnly) {
    auto audio = KeyOf{};
    audio.files.projector_file = "200:dddd";
    EXPECT_NE(audio.key(), KeyOf{}.key());
    auto text = revise_step();
    text.files.projector_file = "200:dddd";
    EXPECT_EQ(text.key(), revise_step().key());
}

TEST(StepIdentity, TheFamilyChangesTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {family: qwen2.5-omni}\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheRequestPathChangesTheKey) {
    auto k = revise_step();
    k.user_yaml = "models:\n  qwen3_14b: {request: raw}\n";
    EXPECT_NE(k.key(), revise_step().key());
}

TEST(StepIdentity, ThePromptTextChangesTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "prompts:\n  brief: Say it in ten words.\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheSystemPromptChangesTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {system: You are a musicologist.}\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheGenresInTheHintChangeTheKey) {
    auto hinted = KeyOf{};
    hinted.phase = "flamingo_genre";
    const auto config = load_config();
    auto track = testing::track(config, "a");
    const auto before = plan_step(config, *config.find_phase("flamingo_genre"), config.find_model("music_flamingo"),
                                  *config.find_prompt("brief"), kFiles, track, {});
    track.genres.names = {"Folk"};
    const auto after = plan_step(config, *config.find_phase("flamingo_genre"), config.find_model("music_flamingo"),
                                 *config.find_prompt("brief"), kFiles, track, {});
    EXPECT_NE(before.key, after.key);
    EXPECT_EQ(before.key, hinted.key());
}

TEST(StepIdentity, EverySamplingValueChangesTheKey) {
    for (const char* sampling : {"temperature: 0.1", "top_p: 0.5", "top_k: 7", "min_p: 0.2", "repeat_penalty: 1.3",
                                 "seed: 7", "max_tokens: 99"}) {
        auto k = KeyOf{};
        k.user_yaml = std::string("models:\n  music_flamingo:\n    sampling: {") + sampling + "}\n";
        EXPECT_NE(k.key(), KeyOf{}.key()) << sampling;
    }
}

TEST(StepIdentity, KvCacheTypesChangeTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {cache_type_k: f16}\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
    k.user_yaml = "models:\n  music_flamingo: {cache_type_v: f16}\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
    // Unset is what tunecap passes the server then: f16.
    auto unset = revise_step();  // granite_tiny sets no cache types in the default config
    unset.model = "granite_tiny";
    auto f16 = unset;
    f16.user_yaml = "models:\n  granite_tiny: {cache_type_k: f16, cache_type_v: f16}\n";
    EXPECT_EQ(unset.key(), f16.key());
}

TEST(StepIdentity, ExtraServerFlagsChangeTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {server_args: [--rope-freq-base, '10000']}\n";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheAudioContentChangesTheKey) {
    auto k = KeyOf{};
    k.audio = "b";
    EXPECT_NE(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, WhereTheAudioIsCutChangesTheKey) {
    auto whole = KeyOf{};
    whole.seconds = 600;
    EXPECT_THAT(whole.planned().identity.canonical(), HasSubstr("audio_cut_at=4799920\n"));  // 300 s less 5 ms
    auto shorter = whole;
    shorter.user_yaml = "runtime: {max_audio_seconds: 120}\n";
    EXPECT_NE(shorter.key(), whole.key());
}

// The step with the audio sent in `format`.
KeyOf sent_as(KeyOf step, const std::string& format) {
    step.user_yaml = "runtime: {audio_format: " + format + "}\n";
    return step;
}

TEST(StepIdentity, FlacKeepsTheKeysOfWavAsTheModelHearsTheSameSamples) {
    const auto wav = sent_as(KeyOf{}, "wav");
    const auto flac = sent_as(KeyOf{}, "flac");
    EXPECT_EQ(flac.key(), wav.key());
    // No line at all: the keys of stores written before the option existed still match.
    EXPECT_THAT(flac.planned().identity.canonical(), ::testing::Not(HasSubstr("audio_encoding")));
}

TEST(StepIdentity, Mp3ChangesTheKeyOfAudioStepsOnly) {
    const auto wav = sent_as(KeyOf{}, "wav");
    const auto mp3 = sent_as(KeyOf{}, "mp3");
    EXPECT_NE(mp3.key(), wav.key());
    EXPECT_THAT(mp3.planned().identity.canonical(), HasSubstr("audio_encoding=mp3 64 kbit/s\n"));
    EXPECT_EQ(sent_as(revise_step(), "mp3").key(), sent_as(revise_step(), "wav").key());
}

TEST(StepIdentity, TheInputKeysChangeTheKey) {
    auto k = revise_step();
    k.inputs[0].key = "input-key-2";
    EXPECT_NE(k.key(), revise_step().key());
}

TEST(StepIdentity, TheInputCaptionChangesTheKeyThroughThePrompt) {
    auto k = revise_step();
    k.inputs[0].caption.caption = "A cold techno track.";
    EXPECT_NE(k.key(), revise_step().key());
}

TEST(StepIdentity, TheSlotCountDoesNotChangeTheKey) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {slots: 2}\n";
    EXPECT_EQ(k.key(), KeyOf{}.key());
}

TEST(StepIdentity, TheContextSizeDoesNotChangeTheKeyWhenNothingIsCut) {
    auto k = KeyOf{};
    k.user_yaml = "models:\n  music_flamingo: {ctx: 65536}\n";
    EXPECT_EQ(k.key(), KeyOf{}.key());
    // It does when it moves the cut: a 10-minute track in 8192 per slot against 16384.
    auto cut = k;
    cut.seconds = 600;
    auto base = KeyOf{};
    base.seconds = 600;
    EXPECT_NE(cut.key(), base.key());
}

TEST(StepIdentity, TheModelsRoleNameDoesNotChangeTheKey) {
    auto renamed = KeyOf{};
    renamed.model = "flamingo_q4";
    renamed.user_yaml = R"(
models:
  flamingo_q4:
    gguf: /m/f.gguf
    mmproj: /m/p.gguf
    family: music-flamingo
    ctx: 32768
    slots: 4
    cache_type_k: q8_0
    cache_type_v: q8_0
    sampling: {temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, repeat_penalty: 1.05, seed: 42, max_tokens: 256}
phases:
  - {id: flamingo, kind: audio_caption, models: [flamingo_q4], prompts: all}
)";
    EXPECT_EQ(renamed.key(), KeyOf{}.key());
}

TEST(StepIdentity, ThePhaseIdDoesNotChangeTheKey) {
    auto renamed = KeyOf{};
    renamed.phase = "listen";
    renamed.user_yaml = "phases:\n  - {id: listen, kind: audio_caption, models: [music_flamingo], prompts: all}\n";
    EXPECT_EQ(renamed.key(), KeyOf{}.key());
    // The genre hint is in the text, so flamingo_genre differs from flamingo.
    auto hinted = KeyOf{};
    hinted.phase = "flamingo_genre";
    EXPECT_NE(hinted.key(), KeyOf{}.key());
}

TEST(StepIdentity, ATemplateStepIsItsTextAndInputs) {
    const auto config = load_config(testing::kTemplateOnly);
    const auto track = testing::track(config, "a");
    const auto planned = plan_step(config, config.phases[0], nullptr, *config.find_prompt("facts"), {}, track, {});
    EXPECT_EQ(planned.request.user, "A track tagged Techno.");
    EXPECT_THAT(planned.identity.canonical(), HasSubstr("producer=template\n"));
    EXPECT_THAT(planned.identity.canonical(), HasSubstr("prompt=A track tagged Techno.\n"));
}

}  // namespace
}  // namespace tunecap::pipeline
