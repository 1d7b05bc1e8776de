// SPDX-License-Identifier: GPL-3.0-or-later
// The runner's loop, in process: the default graph over generated WAV files, a real store in a
// temp folder, and in-process backends and model. No server process, no socket.
#include "pipeline/runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audio/audio.hpp"
#include "fake_backend.hpp"
#include "fake_clock.hpp"
#include "file_size_limit.hpp"
#include "pipeline/request_deadline.hpp"
#include "pipeline_fixtures.hpp"
#include "temp_dir.hpp"

namespace tunecap::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace testing;

constexpr std::size_t kStepsPerTrack = 55;  // sent to a model
constexpr std::size_t kProbeSteps = 2;     // the wrong-hint probe of each audio model
constexpr std::size_t kFactsSteps = 1;      // the facts phase, written by tunecap
constexpr std::size_t kAllSteps = kStepsPerTrack + kProbeSteps + kFactsSteps;

const PhaseRecord& phase_of(const TrackRecord& track, const std::string& id) {
    for (const auto& phase : track.phases) {
        if (phase.id == id) return phase;
    }
    throw std::runtime_error("no phase " + id);
}

class Runner : public ::testing::Test {
protected:
    void SetUp() override {
        for (int t = 0; t < 2; ++t) {
            std::vector<float> samples(2 * 16000, 0.05f * static_cast<float>(t + 1));
            const auto file = m_dir / ("track" + std::to_string(t) + ".wav");
            ASSERT_TRUE(audio::write_wav_pcm16(file, samples, 16000).ok());
            m_files.push_back(file);
        }
        auto store = store::Store::open(m_dir / "tunecap.db");
        ASSERT_TRUE(store.ok());
        m_store = std::move(store).take();
    }

    std::vector<TrackRecord> tracks(const config::Config& config, const PhaseSelection& selection = {}) {
        std::vector<TrackRecord> out;
        for (const auto& file : m_files) {
            auto t = track(config, file.stem().string(), 2, selection);
            t.file = file;
            set_decoded_audio(t, audio::decode(file).take());
            out.push_back(std::move(t));
        }
        return out;
    }

    BackendFactory factory() {
        return [this](const config::Model& model, std::size_t replica, bool) -> core::Result<std::unique_ptr<server::Backend>> {
            m_started.push_back(model.name);
            if (model.name + "-" + std::to_string(replica) == m_broken) {
                return core::Error{"model " + model.name + ": llama-server exited with status 1"};
            }
            m_clock->advance(std::chrono::milliseconds(2500));  // the load takes 2.5 s
            if (model.name == m_broken) return core::Error{"model " + model.name + ": llama-server exited with status 1"};
            if (m_stop_during_start) {  // Ctrl-C while the server loads: its start gives up
                m_stop = true;
                return core::Error{"model " + model.name + ": llama-server start cancelled: the run is stopping"};
            }
            auto backend = std::make_unique<FakeBackend>(props(model.ctx.value_or(8192) / model.slots.value_or(1),
                                                               model.slots.value_or(1)));
            if (model.replica_count() > 1) backend->host = model.name + "-" + std::to_string(replica);
            backend->stop_count = &m_stops;
            return std::unique_ptr<server::Backend>(std::move(backend));
        };
    }

    RunOutcome run(const config::Config& config, std::vector<TrackRecord>& records, std::vector<std::string> force = {},
                   std::vector<std::vector<std::string>> stages = {}) {
        RunOptions options;
        options.stages = std::move(stages);
        options.force = std::move(force);
        options.generate = m_model.generate();
        options.stop_requested = &m_stop;
        options.abort_requested = &m_abort;
        options.clock = m_clock;
        return run_pipeline(config, records, *m_store, factory(), options);
    }

    RunOutcome run(const config::Config& config) {
        auto records = tracks(config);
        return run(config, records);
    }

    // Answers music_flamingo after `flamingo`, the other models after 1 ms, and keeps the families of
    // the requests in the order they came; read it once the run is over.
    const std::vector<core::Family>& answer_in_order(std::chrono::milliseconds flamingo) {
        m_model.answer = [this, flamingo](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
            {
                const std::lock_guard lock(m_order_mutex);
                m_order.push_back(request.family);
            }
            std::this_thread::sleep_for(request.family == core::Family::music_flamingo ? flamingo : std::chrono::milliseconds(1));
            return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
        };
        return m_order;
    }

    tunecap::testing::TempDir m_dir;
    std::vector<std::filesystem::path> m_files;
    std::unique_ptr<store::Store> m_store;
    FakeModel m_model;
    std::vector<std::string> m_started;
    std::atomic<int> m_stops{0};
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_abort{false};
    bool m_stop_during_start = false;
    std::shared_ptr<tunecap::testing::FakeClock> m_clock = std::make_shared<tunecap::testing::FakeClock>();
    std::string m_broken;
    std::mutex m_order_mutex;
    std::vector<core::Family> m_order;
};

TEST_F(Runner, EveryModelLoadsOnceAndEveryStepIsCommitted) {
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.reused, 0u);
    EXPECT_FALSE(outcome.interrupted);
    EXPECT_THAT(m_started, ElementsAre("music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"));
    EXPECT_EQ(m_stops, 5);
    ASSERT_EQ(outcome.loads.size(), 5u);
    EXPECT_DOUBLE_EQ(outcome.loads[0].load_seconds, 2.5);
    EXPECT_EQ(outcome.loads[0].steps, 2u * (10 + 1));
    EXPECT_EQ(outcome.loads[0].server_build, "fake-build");
    // Each load is stored for metrics and the report.
    const auto stored_loads = m_store->all_loads();
    ASSERT_EQ(stored_loads.size(), 5u);
    EXPECT_EQ(stored_loads[0].model, "music_flamingo");
    EXPECT_DOUBLE_EQ(stored_loads[0].load_seconds, 2.5);
    EXPECT_EQ(stored_loads[0].server_build, "fake-build");
    EXPECT_EQ(m_store->all_steps().size(), 2 * kAllSteps);
    // Every step of the track is in the store as the track records it (the facts steps of the two
    // tracks send the same text and share a key, each with its own row).
    const auto rows = m_store->steps_for_track(records[1].id);
    for (const auto& phase : records[1].phases) {
        EXPECT_EQ(phase.status, StepStatus::done) << phase.id;
        for (const auto& model : phase.models) {
            for (const auto& step : model.steps) {
                ASSERT_TRUE(step.result.has_value());
                EXPECT_THAT(rows, ::testing::Contains(*step.result)) << phase.id << "/" << step.prompt;
            }
        }
    }
    // A revision read its flamingo caption: the text it sent holds it.
    const auto& flamingo = records[0].phases[0].models[0].steps[0].result->caption;
    const auto& revision = phase_of(records[0], "revision").models[0].steps[0].result->request;
    EXPECT_THAT(revision, HasSubstr("Caption: " + flamingo));
    // Each stored step keeps the hint its prompt carried.
    const auto& probe = phase_of(records[0], "omni_wrong_hint").models[0].steps[0].result;
    EXPECT_EQ(probe->hint_kind, store::HintKind::wrong);
    EXPECT_EQ(probe->hint, "Folk");
    EXPECT_EQ(phase_of(records[0], "omni_genre").models[0].steps[0].result->hint_kind, store::HintKind::genres);
    EXPECT_EQ(phase_of(records[0], "omni").models[0].steps[0].result->hint_kind, store::HintKind::none);
}

TEST_F(Runner, ASecondRunReusesEveryStepAndLoadsNoModel) {
    const auto config = load_config();
    run(config);
    m_started.clear();
    const auto again = run(config);
    EXPECT_EQ(again.executed, 0u);
    EXPECT_EQ(again.reused, 2 * kAllSteps);
    EXPECT_TRUE(m_started.empty());
}

// Rows stored before the file was known to be truncated (by an older tunecap) are reused with the
// flag, and stored with it, so exports and metrics leave them out too.
TEST_F(Runner, AReusedStepOfATruncatedTrackCarriesTheFlagInTheStoreToo) {
    const auto config = load_config();
    run(config);
    auto records = tracks(config);
    records[0].truncated = audio::Truncation{1.0, 2.0};
    const auto again = run(config, records);
    EXPECT_EQ(again.executed, 0u);
    const auto has_flag = [](const store::StepRow& row) {
        return std::find(row.flags.begin(), row.flags.end(), "truncated_audio") != row.flags.end();
    };
    for (const auto& row : m_store->steps_for_track(records[0].id)) EXPECT_TRUE(has_flag(row)) << row.phase;
    for (const auto& row : m_store->steps_for_track(records[1].id)) EXPECT_FALSE(has_flag(row)) << row.phase;
    EXPECT_TRUE(has_flag(*phase_of(records[0], "revision").models[0].steps[0].result));
}

TEST_F(Runner, ChangingAKvCacheTypeRecomputesThatModelsStepsAndThoseThatReadThem) {
    run(load_config());
    // qwen_omni: omni, omni_genre, omni_revision (5 each), its probe (1), and the ensemble reads omni (15).
    const auto outcome = run(load_config("models:\n  qwen_omni: {cache_type_k: f16}\n"));
    EXPECT_EQ(outcome.executed, 2u * (5 + 5 + 5 + 1 + 15));
    EXPECT_EQ(outcome.reused, 2u * (kAllSteps - 31));
}

TEST_F(Runner, ChangingTheSlotCountRecomputesNothing) {
    run(load_config());
    const auto outcome = run(load_config(R"(
models:
  music_flamingo: {slots: 2}
  qwen_omni: {slots: 1}
  qwen3_14b: {slots: 8}
)"));
    EXPECT_EQ(outcome.executed, 0u);
    EXPECT_EQ(outcome.reused, 2 * kAllSteps);
}

TEST_F(Runner, ForcingAPhaseRecomputesItAndWhatReadsIt) {
    const auto config = load_config();
    run(config);
    auto records = tracks(config);
    const auto outcome = run(config, records, {"omni"});
    EXPECT_EQ(outcome.executed, 2u * (5 + 15));
}

TEST_F(Runner, AModelThatCannotStartFailsItsStepsAndSkipsOnlyWhatReadsThem) {
    m_broken = "music_flamingo";
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_EQ(outcome.failed, 2u * (10 + 1));
    EXPECT_EQ(outcome.skipped, 2u * (15 + 5 + 15));  // revision, omni_revision, ensemble
    EXPECT_EQ(outcome.executed, 2u * (10 + 1 + kFactsSteps));  // omni, omni_genre, omni's probe, facts
    ASSERT_FALSE(outcome.loads.empty());
    EXPECT_THAT(outcome.loads[0].error, HasSubstr("exited with status 1"));
    const auto& step = records[0].phases[0].models[0].steps[0];
    EXPECT_EQ(step.status, StepStatus::failed);
    EXPECT_THAT(step.reason, HasSubstr("model music_flamingo could not start"));
    EXPECT_EQ(phase_of(records[0], "revision").status, StepStatus::skipped);
}

TEST_F(Runner, AStopRequestFinishesNothingMoreAndSaysWhy) {
    m_stop = true;
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.executed, 0u);
    EXPECT_TRUE(m_started.empty());
    EXPECT_EQ(records[0].phases[0].models[0].steps[0].reason, "interrupted before it ran");
}

// The number of steps of each state over all tracks.
std::map<StepStatus, std::size_t> statuses(const std::vector<TrackRecord>& records, const std::string& phase_id = "") {
    std::map<StepStatus, std::size_t> out;
    for (const auto& track : records) {
        for (const auto& phase : track.phases) {
            if (!phase_id.empty() && phase.id != phase_id) continue;
            for (const auto& model : phase.models) {
                for (const auto& step : model.steps) ++out[step.status];
            }
        }
    }
    return out;
}

TEST_F(Runner, EachRequestGetsTheDeadlineOfItsWork) {
    const auto config = load_config("runtime:\n  request_deadline: {prefill_tps: 100, decode_tps: 10, allowance_s: 7}\n");
    auto records = tracks(config);
    run(config, records);
    const auto seen = m_model.seen();
    ASSERT_FALSE(seen.empty());
    const config::RequestDeadline speeds{100, 10, 7};
    for (const auto& request : seen) {
        // The track's 2 s of audio is one window (750 tokens, 7.5 s at 100 tokens/s).
        const RequestWork work{request.user.size() + request.system_chars, request.audio ? 2.0 : 0, request.max_tokens};
        EXPECT_EQ(request.deadline, request_deadline(work, speeds));
        EXPECT_GT(request.max_tokens, 0);
        EXPECT_GE(request.deadline, std::chrono::milliseconds(7000 + (request.audio ? 7500 : 0)));
    }
}

TEST_F(Runner, ARequestPastItsDeadlineRestartsTheServerAndItsStepIsRetried) {
    std::atomic<int> calls{0};
    m_model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (calls++ == 0) return timed_out();
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    ASSERT_FALSE(outcome.loads.empty());
    EXPECT_EQ(outcome.loads[0].restarts, 1);
    EXPECT_EQ(m_store->all_loads()[0].restarts, 1);
}

TEST_F(Runner, AModelWhoseServerKeepsHangingGivesUpAndTheOtherModelsStillRun) {
    m_model.answer = [](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        if (request.family == core::Family::music_flamingo) return timed_out();
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    // The text models' phases all read flamingo's captions, so only qwen_omni has work left.
    EXPECT_THAT(m_started, ElementsAre("music_flamingo", "qwen_omni"));
    ASSERT_EQ(outcome.loads.size(), 2u);
    EXPECT_EQ(outcome.loads[0].restarts, 2);  // the third hang in a row gives up instead
    EXPECT_THAT(outcome.loads[0].error, HasSubstr("model music_flamingo gave up after 3 consecutive timeouts/restarts"));
    EXPECT_EQ(outcome.loads[1].restarts, 0);
    EXPECT_EQ(outcome.loads[1].error, "");
    EXPECT_EQ(outcome.failed, 2u * (10 + 1));  // flamingo, flamingo_genre, its probe
    // Steps after the third hang were never sent: one per worker at most went out after it.
    std::size_t flamingo_requests = 0;
    for (const auto& request : m_model.seen()) flamingo_requests += request.family == core::Family::music_flamingo;
    EXPECT_LE(flamingo_requests, 3u + 2 * 4);
    const auto& step = phase_of(records[1], "flamingo_genre").models[0].steps.back();
    EXPECT_EQ(step.status, StepStatus::failed);
    EXPECT_THAT(step.reason, HasSubstr("model music_flamingo gave up after 3 consecutive timeouts/restarts"));
    EXPECT_EQ(statuses(records, "omni")[StepStatus::done], 2u * 5);
    EXPECT_EQ(statuses(records, "omni_genre")[StepStatus::done], 2u * 5);
    EXPECT_EQ(phase_of(records[0], "omni_revision").status, StepStatus::skipped);  // it reads flamingo too
    EXPECT_EQ(phase_of(records[0], "revision").status, StepStatus::skipped);
    // The failed steps are stored, and a later run with a working server retries them.
    m_model.answer = nullptr;
    auto again = tracks(config);
    const auto resumed = run(config, again);
    EXPECT_EQ(resumed.failed, 0u);
    EXPECT_EQ(statuses(again)[StepStatus::done], 2 * kAllSteps);
}

// Three replicas of music_flamingo (one slot each): every step runs once, spread over all three.
constexpr const char* kThreeFlamingos = "models:\n  music_flamingo: {gpus: [0, 1, 2], slots: 1, ctx: 8192}\n";

std::map<std::string, std::size_t> requests_per_host(const std::vector<Seen>& seen, core::Family family) {
    std::map<std::string, std::size_t> hosts;
    for (const auto& request : seen) {
        if (request.family == family) ++hosts[request.base_url];
    }
    return hosts;
}

TEST_F(Runner, StepsSpreadOverEveryReplicaAndEachRunsOnce) {
    // Each answer takes a moment, so that no replica can take every group before the others start.
    m_model.answer = [](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config(kThreeFlamingos);
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    EXPECT_EQ(m_model.seen().size(), 2 * kStepsPerTrack + 2 * kProbeSteps);  // no step sent twice
    EXPECT_EQ(std::count(m_started.begin(), m_started.end(), "music_flamingo"), 3);
    ASSERT_FALSE(outcome.loads.empty());
    EXPECT_EQ(outcome.loads[0].replicas, 3u);
    const auto hosts = requests_per_host(m_model.seen(), core::Family::music_flamingo);
    EXPECT_EQ(hosts.size(), 3u);  // two tracks, each split between phases: every replica had work
    std::size_t total = 0;
    for (const auto& [host, count] : hosts) total += count;
    EXPECT_EQ(total, 2u * (10 + 1));
    EXPECT_EQ(statuses(records)[StepStatus::done], 2 * kAllSteps);
}

TEST_F(Runner, AReplicaOutOfServiceHandsItsStepsToTheOthersAndNothingIsLost) {
    // Replica 2's server dies on every request; a restart "succeeds" and it dies again, three
    // times, and it gives up: its steps go to replicas 1 and 3, unstored until they answer there.
    m_model.answer = nullptr;
    const auto config = load_config(kThreeFlamingos);
    auto records = tracks(config);
    FakeModel& model = m_model;
    RunOptions options;
    const auto plain = model.generate();
    options.generate = [&plain](const llm::EndpointAddress& address, const llm::GenerationRequest& request,
                                const std::string& marker) -> llm::LlmResult<llm::GenerationResult> {
        if (address.base_url.starts_with("http://music_flamingo-1:")) return lost();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return plain(address, request, marker);
    };
    options.clock = m_clock;
    const auto outcome = run_pipeline(config, records, *m_store, factory(), options);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    EXPECT_EQ(statuses(records)[StepStatus::done], 2 * kAllSteps);
    ASSERT_FALSE(outcome.loads.empty());
    EXPECT_EQ(outcome.loads[0].replicas, 3u);
    EXPECT_EQ(outcome.loads[0].dropped, 1u);
    EXPECT_EQ(outcome.loads[0].restarts, 2);
    const auto hosts = requests_per_host(model.seen(), core::Family::music_flamingo);
    EXPECT_EQ(hosts.count("http://music_flamingo-1:1"), 0u);  // it never answered (only the others are recorded)
    EXPECT_EQ(m_store->all_steps().size(), 2 * kAllSteps);
}

TEST_F(Runner, AReplicaThatCannotStartLeavesItsStepsToTheOthers) {
    m_broken = "music_flamingo-0";
    const auto config = load_config(kThreeFlamingos);
    const auto outcome = run(config);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    ASSERT_FALSE(outcome.loads.empty());
    EXPECT_EQ(outcome.loads[0].replicas, 2u);
    EXPECT_EQ(requests_per_host(m_model.seen(), core::Family::music_flamingo).size(), 2u);
}

TEST_F(Runner, ModelsSideBySideRunAsAPipeline) {
    // music_flamingo with one slot takes the tracks one after the other; qwen3_14b, loaded beside
    // it, revises the first track's captions while the second track is still being captioned.
    std::mutex mutex;
    std::vector<std::pair<core::Family, std::string>> order;
    m_model.answer = [&](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        {
            const std::lock_guard lock(mutex);
            order.emplace_back(request.family, request.user);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(request.family == core::Family::music_flamingo ? 20 : 1));
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config("models:\n  music_flamingo: {slots: 1, ctx: 8192}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records, {}, {{"qwen3_14b", "music_flamingo"}});
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(outcome.executed, 2 * kAllSteps);
    // qwen3_14b loads twice: beside music_flamingo for the revisions, and after qwen_omni for the
    // phases that read its captions.
    EXPECT_THAT(m_started, ElementsAre("music_flamingo", "qwen3_14b", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"));
    const auto first_revision = std::find_if(order.begin(), order.end(), [](const auto& r) { return r.first == core::Family::qwen3; });
    const auto last_caption = std::find_if(order.rbegin(), order.rend(), [](const auto& r) {
        return r.first == core::Family::music_flamingo;
    });
    ASSERT_NE(first_revision, order.end());
    ASSERT_NE(last_caption, order.rend());
    EXPECT_LT(first_revision - order.begin(), order.rend() - last_caption - 1)
        << "the first revision was sent after the last caption";
    EXPECT_EQ(statuses(records)[StepStatus::done], 2 * kAllSteps);
}

TEST_F(Runner, SideBySideAModelWaitingForCaptionsStartsItsStepsTogether) {
    // Each revision reads one caption, so qwen3_14b's steps become ready one by one while
    // music_flamingo (one slot) captions. Sent at once, each would decode alone on the shared GPU;
    // qwen3_14b's four slots wait until there is a revision for each, then the four start together.
    const auto& order = answer_in_order(std::chrono::milliseconds(20));
    const auto config = load_config("models:\n  music_flamingo: {slots: 1, ctx: 8192}\n  qwen3_14b: {slots: 4, ctx: 32768}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records, {}, {{"music_flamingo", "qwen3_14b"}});
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(statuses(records)[StepStatus::done], 2 * kAllSteps);
    const auto first_revision = std::find(order.begin(), order.end(), core::Family::qwen3);
    const auto last_caption = std::find(order.rbegin(), order.rend(), core::Family::music_flamingo);
    ASSERT_NE(first_revision, order.end());
    ASSERT_NE(last_caption, order.rend());
    EXPECT_GE(std::count(order.begin(), first_revision, core::Family::music_flamingo), 4)
        << "the first revision went before there was one for each idle slot";
    EXPECT_LT(first_revision - order.begin(), order.rend() - last_caption - 1) << "the revisions waited for the last caption";
}

TEST_F(Runner, SideBySideOnGpusOfTheirOwnAModelSendsEachStepWhenReady) {
    // As above, but qwen3_14b runs on another GPU than music_flamingo: nothing is saved by holding its
    // slots, so the first revision goes as soon as the first caption is done.
    const auto& order = answer_in_order(std::chrono::milliseconds(150));
    const auto config = load_config("models:\n  music_flamingo: {slots: 1, ctx: 8192, gpus: [0]}\n"
                                    "  qwen3_14b: {slots: 4, ctx: 32768, gpus: [1]}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records, {}, {{"music_flamingo", "qwen3_14b"}});
    EXPECT_EQ(outcome.failed, 0u);
    const auto first_revision = std::find(order.begin(), order.end(), core::Family::qwen3);
    ASSERT_NE(first_revision, order.end());
    EXPECT_LT(std::count(order.begin(), first_revision, core::Family::music_flamingo), 4)
        << "the revisions were held although no other model shares their GPU";
}

TEST_F(Runner, SideBySideATracksLaterAudioStepsGoToTheSlotThatHoldsItsAudio) {
    // qwen_omni (two slots) hears both tracks at once; its omni_revision steps become ready one at
    // a time as the slow music_flamingo finishes their inputs, when qwen_omni's slots are idle, and
    // each goes to the slot that already holds that track's audio, not to whichever wakes first.
    m_model.answer = [](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        std::this_thread::sleep_for(std::chrono::milliseconds(request.family == core::Family::music_flamingo ? 250 : 1));  // a wide margin under load
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config("runtime: {audio_format: wav}\n"  // quick to prepare: qwen_omni's first groups end first
                                    "models:\n  music_flamingo: {slots: 1, ctx: 8192}\n  qwen_omni: {slots: 2, ctx: 16384}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records, {}, {{"music_flamingo", "qwen_omni"}});
    EXPECT_EQ(outcome.failed, 0u);
    std::map<std::size_t, std::set<int>> slots;  // by track's audio
    for (const auto& request : m_model.seen()) {
        if (request.family == core::Family::qwen2_5_omni && request.audio) slots[request.audio_hash].insert(request.id_slot);
    }
    ASSERT_EQ(slots.size(), 2u);
    for (const auto& [audio, used] : slots) EXPECT_EQ(used.size(), 1u);
}

TEST_F(Runner, CtrlCWhileAServerStartsStoresNoFailureForItsSteps) {
    m_stop_during_start = true;
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(m_started, std::vector<std::string>{"music_flamingo"});
    EXPECT_EQ(m_store->all_steps().size(), 2 * kFactsSteps);  // the facts, written before any model
    EXPECT_EQ(records[0].phases[0].models[0].steps[0].reason, "interrupted before it ran");
}

TEST_F(Runner, CtrlCLetsTheRequestsInFlightFinishAndStartsNoMoreSteps) {
    std::atomic<int> calls{0};
    m_model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        if (calls++ == 3) m_stop = true;
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_EQ(outcome.abandoned, 0u);
    EXPECT_EQ(m_stops, 1);
    const auto stored = m_store->all_steps().size();
    EXPECT_GE(stored, 4u);
    EXPECT_LE(stored, 4u + 2 * kFactsSteps + 4);  // at most one more per slot was in flight
    EXPECT_EQ(m_model.seen().size() + 2 * kFactsSteps, stored);  // every request sent was answered and stored
}

// Requests that do not finish: after the first Ctrl-C they get a few seconds (on the clock), then
// the server is stopped, which ends them; they are not stored, and the next run sends them.
TEST_F(Runner, CtrlCEndsRequestsThatDoNotFinishWithinTheGraceAndStoresNoneOfThem) {
    m_model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        m_stop = true;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (m_stops == 0 && std::chrono::steady_clock::now() < until) {  // hung until its server stops
            m_clock->advance(std::chrono::seconds(1));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return lost();
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_GE(m_stops, 1);
    EXPECT_GE(outcome.abandoned, 1u);
    EXPECT_GE(outcome.abandoned, m_model.seen().size());  // and any step that began as the stop came
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(m_store->all_steps().size(), 2 * kFactsSteps);  // only the facts, written before any model
    EXPECT_EQ(records[0].phases[0].models[0].steps[0].reason, "interrupted before it ran");
}

TEST_F(Runner, ASecondCtrlCEndsTheRequestsInFlightAtOnce) {
    m_model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        m_stop = true;
        m_abort = true;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (m_stops == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return lost();
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto started = m_clock->elapsed();
    const auto outcome = run(config, records);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_GE(m_stops, 1);
    EXPECT_LT(m_clock->elapsed() - started, std::chrono::seconds(5));  // no grace: only the fake load's 2.5 s
    EXPECT_GE(outcome.abandoned, m_model.seen().size());
    EXPECT_EQ(outcome.failed, 0u);
    EXPECT_EQ(m_store->all_steps().size(), 2 * kFactsSteps);
}

// A full disk mid-run: a step whose row cannot be committed is not done, the run stops there with
// the store's error, and every step committed before it is kept and reused by the next run.
TEST_F(Runner, AStepThatCannotBeStoredStopsTheRunAndKeepsWhatWasStored) {
    std::mutex mutex;
    std::optional<tunecap::testing::FileSizeLimit> disk_full;
    int answered = 0;
    m_model.answer = [&](const llm::GenerationRequest&) -> llm::LlmResult<llm::GenerationResult> {
        const std::lock_guard lock(mutex);
        if (++answered == 6) disk_full.emplace(4096);  // no file may grow past 4 KiB from now on
        return llm::GenerationResult{"A quiet track.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config();
    auto records = tracks(config);
    const auto outcome = run(config, records);
    disk_full.reset();

    EXPECT_THAT(outcome.store_error, HasSubstr("tunecap.db"));
    EXPECT_FALSE(outcome.interrupted);
    EXPECT_EQ(m_started, std::vector<std::string>{"music_flamingo"});  // no model loads after it
    const auto stored = m_store->all_steps().size();
    EXPECT_EQ(outcome.executed, stored);  // only committed steps count as run
    EXPECT_GE(stored, 5u);
    EXPECT_LT(stored, 2 * kAllSteps);
    std::size_t done = 0;
    for (const auto& track : records) {
        for (const auto& phase : track.phases) {
            for (const auto& model : phase.models) {
                for (const auto& step : model.steps) done += step.status == StepStatus::done ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(done, stored);
    EXPECT_EQ(phase_of(records[1], "revision").models[0].steps[0].reason, "not stored: the run stopped when the store failed");

    m_model.answer = nullptr;
    auto again = tracks(config);
    const auto resumed = run(config, again);
    EXPECT_TRUE(resumed.store_error.empty());
    EXPECT_EQ(resumed.reused, stored);
    EXPECT_EQ(resumed.executed + resumed.reused, 2 * kAllSteps);
}

TEST_F(Runner, AStepWhoseOutputCleansToNothingFailsAndItsDependentsAreSkipped) {
    m_model.answer = [](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        const bool mood = request.user.find("Describe the mood") != std::string::npos;
        return llm::GenerationResult{mood ? "..." : "A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config("phases:\n  - {id: hear, kind: audio_caption, models: [qwen_omni], prompts: [mood, brief]}\n"
                                    "  - {id: fix, kind: revise, models: [qwen3_14b], prompts: [mood, brief], inputs: [hear]}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records);
    const auto& mood = records[0].phases[0].models[0].steps[0];
    EXPECT_EQ(mood.status, StepStatus::failed);
    EXPECT_EQ(mood.reason, "the model's output holds no usable caption");
    EXPECT_EQ(records[0].phases[1].models[0].steps[0].status, StepStatus::skipped);
    EXPECT_EQ(records[0].phases[1].models[0].steps[1].status, StepStatus::done);
    EXPECT_EQ(outcome.failed, 2u);
}

TEST_F(Runner, WhatAStepThrowsFailsThatStepOnly) {
    m_model.answer = [](const llm::GenerationRequest& request) -> llm::LlmResult<llm::GenerationResult> {
        if (request.user.find("Describe the mood") != std::string::npos) throw std::runtime_error("bad bytes in the answer");
        return llm::GenerationResult{"A caption.", "", "stop", 1, 1, {}, 1, ""};
    };
    const auto config = load_config("phases:\n  - {id: hear, kind: audio_caption, models: [qwen_omni], prompts: [mood, brief]}\n");
    auto records = tracks(config);
    const auto outcome = run(config, records);
    EXPECT_EQ(outcome.failed, 2u);
    EXPECT_EQ(records[0].phases[0].models[0].steps[0].reason, "bad bytes in the answer");
    EXPECT_EQ(records[0].phases[0].models[0].steps[1].status, StepStatus::done);
}

TEST_F(Runner, ATemplatePhaseNeedsNoModel) {
    const auto config = load_config(kTemplateOnly);
    auto records = tracks(config);
    records[1].genres.names = {"Dub"};
    const auto outcome = run(config, records);
    EXPECT_TRUE(m_started.empty());
    EXPECT_EQ(records[0].phases[0].models[0].steps[0].result->caption, "A track tagged Techno.");
    EXPECT_EQ(records[1].phases[0].models[0].steps[0].result->caption, "A track tagged Dub.");
    EXPECT_EQ(outcome.executed, 2u);  // computed here, no model
    EXPECT_EQ(m_store->all_steps().size(), 2u);
}

TEST_F(Runner, StepsThatWouldSendTheSameRequestShareOneStoredResult) {
    // Both tracks render the same text and read nothing: one identity, a row for each track, and
    // either row answers for both later.
    const auto config = load_config(kTemplateOnly);
    auto records = tracks(config);
    run(config, records);
    const auto rows = m_store->all_steps();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].key, rows[1].key);
    EXPECT_NE(rows[0].track_id, rows[1].track_id);
    auto again = tracks(config);
    EXPECT_EQ(run(config, again).reused, 2u);
}

TEST_F(Runner, AStepReusedFromAnotherTracksRowGetsARowOfItsOwn) {
    const auto config = load_config(kTemplateOnly);
    auto first = tracks(config);
    first.pop_back();
    run(config, first);
    ASSERT_EQ(m_store->all_steps().size(), 1u);
    auto both = tracks(config);  // the second track sends the same text
    const auto outcome = run(config, both);
    EXPECT_EQ(outcome.reused, 2u);
    EXPECT_EQ(m_store->steps_for_track(both[1].id).size(), 1u);
    EXPECT_EQ(both[1].phases[0].models[0].steps[0].result->track_id, both[1].id);
}

}  // namespace
}  // namespace tunecap::pipeline
