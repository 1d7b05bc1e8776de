// SPDX-License-Identifier: GPL-3.0-or-later
// One step from its planned request to its stored row, against an in-process model.
#include "pipeline/executor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audio/audio.hpp"
#include "fake_backend.hpp"
#include "pipeline_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::HasSubstr;
using namespace testing;

// A track of `seconds` of a quiet tone written to a WAV file, with the default graph planned.
struct Fixture {
    tunecap::testing::TempDir dir;
    config::Config config = load_config();
    std::vector<TrackRecord> tracks;
    std::unique_ptr<StepGraph> graph;
    FakeModel model;
    SpawnThread spawner;
    clean::CleanOptions cleaning;

    explicit Fixture(double seconds = 3) {
        std::vector<float> samples(static_cast<std::size_t>(seconds * 16000), 0.1f);
        const auto file = dir / "tone.wav";
        if (!audio::write_wav_pcm16(file, samples, 16000)) throw std::runtime_error("cannot write the WAV");
        auto track = testing::track(config, "tone", seconds);
        track.file = file;
        set_decoded_audio(track, audio::decode(file).take());
        tracks.push_back(std::move(track));
        graph = std::make_unique<StepGraph>(config, tracks, std::vector<std::string>{});
        SettleContext context;
        context.plan = [&](const StepNode& node, const std::vector<StepInput>& inputs) {
            return plan_step(config, *node.phase, node.model, *node.prompt, {"1:m", "1:p"}, tracks[node.track], inputs);
        };
        context.find = [](const StepNode&, const std::string&) { return std::optional<store::StepRow>(); };
        graph->settle(context);
    }

    std::size_t index(const std::string& phase, const std::string& prompt) const {
        for (std::size_t i = 0; i < graph->size(); ++i) {
            if (graph->node(i).phase->id == phase && graph->node(i).prompt->id == prompt) return i;
        }
        throw std::runtime_error("no such node");
    }
    const StepNode& node(const std::string& phase, const std::string& prompt) const { return graph->node(index(phase, prompt)); }

    BackendSession session(int n_ctx) {
        return BackendSession(std::make_unique<FakeBackend>(props(n_ctx)), "m", spawner, model.generate(), nullptr);
    }
};

TEST(Executor, AnAudioStepSendsItsPlannedTextWithTheAudioAndKeepsTheCleanedCaption) {
    Fixture f;
    const auto& node = f.node("flamingo", "brief");
    auto session = f.session(8192);
    const auto audio = load_track_audio(f.tracks[0], audio_budget(f.config, *node.model, 8192), f.config.runtime.audio_format);
    ASSERT_TRUE(audio.ok());
    const auto row = run_model_step(f.config, f.tracks[0], node, &audio.value(), session, 0, f.cleaning);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.key, node.planned->key);
    EXPECT_EQ(row.phase, "flamingo");
    EXPECT_EQ(row.model, "music_flamingo");
    EXPECT_EQ(row.prompt, "brief");
    EXPECT_EQ(row.server_build, "fake-build");
    EXPECT_THAT(row.raw_output, ::testing::StartsWith("Here is the caption: "));
    EXPECT_THAT(row.caption, ::testing::StartsWith("A track described from Write one sentence"));
    EXPECT_THAT(row.flags, ::testing::Contains("wrapper_removed"));
    EXPECT_THAT(row.request, HasSubstr("<audio>\n" + node.planned->request.user));
    const auto seen = f.model.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].user, node.planned->request.user);
    EXPECT_TRUE(seen[0].audio);
    EXPECT_EQ(seen[0].audio_bytes, audio->base64->size());
    EXPECT_EQ(seen[0].audio_format, f.config.runtime.audio_format);
}

TEST(Executor, AudioCutElsewhereThanPlannedGivesTheKeyOfWhatWasSent) {
    Fixture f(60);  // 2 windows; a slot of 1,700 tokens holds one besides the text and the answer
    const auto& node = f.node("flamingo", "brief");
    auto session = f.session(1700);
    const auto budget = audio_budget(f.config, *node.model, 1700);
    const auto audio = load_track_audio(f.tracks[0], budget, f.config.runtime.audio_format);
    ASSERT_TRUE(audio.ok());
    ASSERT_TRUE(audio->cut_at.has_value());
    const auto row = run_model_step(f.config, f.tracks[0], node, &audio.value(), session, 0, f.cleaning);
    EXPECT_NE(row.key, node.planned->key);
    auto sent = node.planned->identity;
    sent.audio_cut_at = audio->cut_at;
    EXPECT_EQ(row.key, sent.key());
    EXPECT_THAT(row.flags, ::testing::Contains("audio_cut"));
}

TEST(Executor, AContextOverflowShrinksTheInputsAndTheRecordShowsWhatWasSent) {
    Fixture f;
    // The flamingo caption the revision reads is longer than the server takes.
    store::StepRow input;
    input.key = f.node("flamingo", "mood").planned->key;
    input.outcome = store::StepOutcome::done;
    input.caption = std::string(1500, 'a') + ".";
    f.graph->finish(f.index("flamingo", "mood"), input);
    SettleContext context;
    context.plan = [&](const StepNode& n, const std::vector<StepInput>& inputs) {
        return plan_step(f.config, *n.phase, n.model, *n.prompt, {"1:m", ""}, f.tracks[n.track], inputs);
    };
    context.find = [](const StepNode&, const std::string&) { return std::optional<store::StepRow>(); };
    f.graph->settle(context);
    const auto& revise = f.node("revision", "mood");
    ASSERT_EQ(revise.state, StepState::ready);
    f.model.answer = [](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        if (request.user.size() > 1500) return llm::LlmError{llm::ErrorKind::context_overflow, 400, "too long", 9000, 4096};
        return llm::GenerationResult{"A shorter caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    auto session = f.session(4096);
    const auto row = run_model_step(f.config, f.tracks[0], revise, nullptr, session, 0, f.cleaning);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.key, revise.planned->key);  // a retry is a consequence of the planned request
    const auto seen = f.model.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_GT(seen[0].user.size(), 1500u);
    EXPECT_LE(seen[1].user.size(), 1500u);
    EXPECT_THAT(row.request, HasSubstr(seen[1].user));
}

TEST(Executor, TheFinishReasonIsStoredAndACutOffAnswerLosesItsUnfinishedSentence) {
    Fixture f;
    f.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        return llm::GenerationResult{"A slow dub track with tape echo. The duration of the", "", "length", 1, 60, {}, 1, ""};
    };
    const auto& node = f.node("flamingo", "brief");
    auto session = f.session(8192);
    const auto audio = load_track_audio(f.tracks[0], audio_budget(f.config, *node.model, 8192), f.config.runtime.audio_format);
    ASSERT_TRUE(audio.ok());
    const auto row = run_model_step(f.config, f.tracks[0], node, &audio.value(), session, 0, f.cleaning);
    EXPECT_EQ(row.finish_reason, "length");
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.caption, "A slow dub track with tape echo.");
    EXPECT_THAT(row.flags, ::testing::Contains("cut_off"));
}

TEST(Executor, AFailedRequestIsAFailedRowWithTheReasonAndItsKind) {
    Fixture f;
    f.model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        return llm::LlmError{llm::ErrorKind::server_error, 500, "audio input is not supported", {}, {}};
    };
    const auto& node = f.node("flamingo", "brief");
    auto session = f.session(8192);
    const auto audio = load_track_audio(f.tracks[0], audio_budget(f.config, *node.model, 8192), f.config.runtime.audio_format);
    const auto row = run_model_step(f.config, f.tracks[0], node, &audio.value(), session, 0, f.cleaning);
    EXPECT_EQ(row.outcome, store::StepOutcome::failed);
    EXPECT_EQ(row.error, "audio input is not supported (server_error)");
    EXPECT_TRUE(row.caption.empty());
}

TEST(Executor, AnUnreadableTrackIsOneLineNamingTheFile) {
    Fixture f;
    f.tracks[0].file = f.dir / "gone.flac";
    const auto audio = load_track_audio(f.tracks[0], {600, 0, 0}, f.config.runtime.audio_format);
    ASSERT_FALSE(audio.ok());
    EXPECT_THAT(audio.error().message, HasSubstr("gone.flac"));
    EXPECT_EQ(audio.error().message.find('\n'), std::string::npos);
}

TEST(Executor, AFileReplacedAfterPlanningIsAnErrorNotAnotherFilesCaption) {
    Fixture f;
    const auto& node = f.node("flamingo", "brief");
    std::vector<float> other(3 * 16000, -0.2f);
    ASSERT_TRUE(audio::write_wav_pcm16(f.tracks[0].file, other, 16000).ok());
    const auto audio = load_track_audio(f.tracks[0], audio_budget(f.config, *node.model, 8192), f.config.runtime.audio_format);
    ASSERT_FALSE(audio.ok());
    EXPECT_EQ(audio.error().message, f.tracks[0].file.string() + ": the file changed during the run; run again to caption what it holds now");
}

// The row of the first step of a one-track graph of local (template) steps.
store::StepRow first_local_row(const config::Config& config, TrackRecord track, const clean::CleanOptions& cleaning) {
    std::vector<TrackRecord> tracks = {std::move(track)};
    StepGraph graph(config, tracks, {});
    SettleContext context;
    context.plan = [&](const StepNode& n, const std::vector<StepInput>& inputs) {
        return plan_step(config, *n.phase, n.model, *n.prompt, {}, tracks[n.track], inputs);
    };
    context.find = [](const StepNode&, const std::string&) { return std::optional<store::StepRow>(); };
    graph.settle(context);
    return run_local_step(tracks[0], graph.node(graph.ready("").front()), cleaning);
}

TEST(Executor, ALocalStepsOutputIsItsRenderedText) {
    Fixture f;
    const auto config = load_config(R"(
prompts: {facts: "A track tagged {genres}, {duration} long."}
phases:
  - {id: facts, kind: template, prompts: [facts]}
)");
    const auto row = first_local_row(config, testing::track(config, "a", 185), f.cleaning);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_EQ(row.model, "template");
    EXPECT_EQ(row.caption, "A track tagged Techno, 3:05 long.");
    EXPECT_EQ(row.claims, "[]");
}

TEST(Executor, AStepKeepsItsCaptionsClaimsCheckedAgainstTheTracksFacts) {
    Fixture f;
    const auto config = load_config(R"(
prompts: {facts: "A steady 64 BPM groove in {key}."}
phases:
  - {id: facts, kind: template, prompts: [facts]}
)");
    auto track = testing::track(config, "a", 185);
    track.facts = analysis::Facts{};
    track.facts->tempo = analysis::Tempo{128.0, 0.9};
    track.facts->key = analysis::Key{2, true, 0.9};  // D minor
    const auto row = first_local_row(config, track, f.cleaning);
    EXPECT_EQ(row.caption, "A steady 64 BPM groove in D minor.");
    EXPECT_THAT(row.claims, HasSubstr(R"("kind":"tempo","value":64.0,"text":"64 BPM")"));
    EXPECT_THAT(row.claims, HasSubstr(R"("verdict":"agrees","multiple":"x1/2")"));
    EXPECT_THAT(row.claims, HasSubstr(R"("value":"D minor")"));
    EXPECT_THAT(row.claims, HasSubstr(R"("verdict":"agrees","relation":"same")"));
}

TEST(Executor, EveryStepOfATruncatedTrackIsFlaggedAndKeepsTheFlagThroughCleaning) {
    Fixture f;
    f.tracks[0].truncated = audio::Truncation{1.5, 3.0};
    const auto& node = f.node("flamingo", "brief");
    auto session = f.session(8192);
    const auto audio = load_track_audio(f.tracks[0], audio_budget(f.config, *node.model, 8192), f.config.runtime.audio_format);
    ASSERT_TRUE(audio.ok());
    const auto row = run_model_step(f.config, f.tracks[0], node, &audio.value(), session, 0, f.cleaning);
    EXPECT_EQ(row.outcome, store::StepOutcome::done);
    EXPECT_THAT(row.flags, ::testing::Contains("truncated_audio"));
    EXPECT_THAT(row.flags, ::testing::Contains("wrapper_removed"));
    EXPECT_THAT(failed_step(f.tracks[0], node, "no server").flags, ::testing::Contains("truncated_audio"));

    const auto config = load_config(R"(
phases:
  - {id: facts, kind: template, prompts: [facts]}
)");
    auto track = testing::track(config, "a", 185);
    track.truncated = audio::Truncation{90.0, 185.0};
    EXPECT_THAT(first_local_row(config, track, f.cleaning).flags, ::testing::Contains("truncated_audio"));
    EXPECT_THAT(first_local_row(config, testing::track(config, "a", 185), f.cleaning).flags,
                ::testing::Not(::testing::Contains("truncated_audio")));
}

}  // namespace
}  // namespace tunecap::pipeline
