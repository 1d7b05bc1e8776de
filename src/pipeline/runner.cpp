// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/runner.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "pipeline/caption.hpp"
#include "pipeline/executor.hpp"
#include "pipeline/gpu_peak.hpp"
#include "pipeline/scheduler.hpp"
#include "pipeline/step_graph.hpp"

namespace tunecap::pipeline {
namespace {

// After the first Ctrl-C the requests in flight get this long to finish and be stored: a caption
// takes seconds on a GPU, and a stop that takes longer feels ignored. What is cut off is sent
// again by the next run.
constexpr auto kStopGrace = std::chrono::seconds(5);
// How often the wait for the slot workers looks at the stop flags: a Ctrl-C is answered within a
// blink, and waking 20 times a second costs nothing.
constexpr auto kStopPoll = std::chrono::milliseconds(50);

class Runner {
public:
    Runner(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
           const BackendFactory& backends, const RunOptions& options)
        : m_config(config), m_tracks(tracks), m_store(store), m_backends(backends), m_options(options),
          m_graph(config, tracks, options.force), m_transport(options.generate ? nullptr : llm::real_transport()),
          m_generate(options.generate ? options.generate : http_generate(m_transport)),
          m_clock(options.clock ? options.clock : core::real_clock()) {
        m_cleaning.max_t5_tokens = config.cleaning.max_t5_tokens;
        m_cleaning.counter = options.token_counter;
        for (const auto& model : config.models) m_files.emplace(model.name, fingerprint_model_files(model));
    }

    RunOutcome run() {
        const auto order = model_load_order(m_config);
        while (!stopping()) {
            settle();
            if (run_local_steps()) continue;
            const auto next = next_model(order, [&](const std::string& model) { return m_graph.has_ready(model); });
            if (!next) break;
            run_model(*m_config.find_model(*next));
        }
        if (!m_store_failed) settle();
        m_outcome.interrupted = stop_requested();
        std::optional<std::string> stopped_because;
        if (m_store_failed) {
            stopped_because = "not stored: the run stopped when the store failed";
        } else if (m_outcome.interrupted) {
            stopped_because = "interrupted before it ran";
        }
        m_graph.close(stopped_because);
        return m_outcome;
    }

private:
    bool stop_requested() const { return m_options.stop_requested && m_options.stop_requested->load(); }
    bool stopping() const { return m_store_failed || stop_requested(); }

    // A row that cannot be stored stops the run: going on would spend hours on work that is lost.
    void store_failed(const core::Error& error) {
        const std::lock_guard lock(m_mutex);
        if (m_outcome.store_error.empty()) m_outcome.store_error = error.message;
        m_store_failed = true;
    }
    bool abort_requested() const { return m_options.abort_requested && m_options.abort_requested->load(); }

    void settle() {
        SettleContext context;
        context.plan = [&](const StepNode& node, const std::vector<StepInput>& inputs) {
            const auto files = node.model ? m_files.at(node.model->name) : ModelFiles{};
            return plan_step(m_config, *node.phase, node.model, *node.prompt, files, m_tracks[node.track], inputs);
        };
        context.find = [&](const StepNode& node, const std::string& key) { return find_stored(node, key); };
        const auto counts = m_graph.settle(context);
        m_outcome.reused += counts.reused;
        m_outcome.skipped += counts.skipped;
        if (m_options.progress && counts.reused + counts.skipped > 0) m_options.progress->steps_settled(counts.reused + counts.skipped);
    }

    // The stored row of a step. A row another track (or a renamed phase, model or prompt) left under
    // the same key answers for this step too, and is stored again under this step's own names so
    // that every track keeps a row for each of its steps. The truncated_audio flag follows the
    // track, in the store too: a row stored before its file was known to be truncated gets it, and
    // a row another track with the same audio left loses it when this track's file is whole.
    std::optional<store::StepRow> find_stored(const StepNode& node, const std::string& key) {
        auto row = m_store.find_step(key);
        if (!row || row->outcome != store::StepOutcome::done) return row;
        const auto& track = m_tracks[node.track];
        const auto flag = std::find(row->flags.begin(), row->flags.end(), kTruncatedAudioFlag);
        const bool flag_differs = track.truncated.has_value() != (flag != row->flags.end());
        if (flag_differs && track.truncated) row->flags.emplace_back(kTruncatedAudioFlag);
        if (flag_differs && !track.truncated) row->flags.erase(flag);
        const auto model = node.model ? node.model->name : std::string(kNoModel);
        if (!flag_differs && row->track_id == track.id && row->phase == node.phase->id && row->model == model &&
            row->prompt == node.prompt->id) {
            return row;
        }
        row->track_id = track.id;
        row->phase = node.phase->id;
        row->model = model;
        row->prompt = node.prompt->id;
        if (auto stored = m_store.put_step(*row); !stored) store_failed(stored.error());
        return row;
    }

    // Steps of kinds without a model, computed here; true when there were any.
    bool run_local_steps() {
        const auto ready = m_graph.ready("");
        for (auto i : ready) {
            if (stopping() || !commit(i, run_local_step(m_tracks[m_graph.node(i).track], m_graph.node(i), m_cleaning))) break;
            ++m_outcome.executed;
        }
        return !ready.empty();
    }

    // Commits a finished step to the store at once and records it. A step is done only once its row
    // is committed: false when it could not be, and the run stops.
    bool commit(std::size_t index, store::StepRow row) {
        row.finished_at = core::utc_now_iso();
        if (auto stored = m_store.put_step(row); !stored) {
            store_failed(stored.error());
            return false;
        }
        const std::lock_guard lock(m_mutex);
        if (row.outcome == store::StepOutcome::failed) ++m_outcome.failed;
        m_graph.finish(index, std::move(row));
        return true;
    }

    void run_model(const config::Model& model) {
        const auto ready = m_graph.ready(model.name);
        std::vector<SlotWork> work;
        for (auto i : ready) {
            const auto& node = m_graph.node(i);
            work.push_back({i, node.track, node.phase->id, config::uses_audio(node.phase->kind)});
        }
        const bool needs_audio = std::any_of(work.begin(), work.end(), [](const SlotWork& w) { return w.audio; });
        ModelLoad load;
        load.model = model.name;
        load.steps = ready.size();
        if (m_options.log) m_options.log->info("run", "{}: loading for {} step(s)", model.name, ready.size());
        const auto started = m_clock->now();
        auto backend = m_backends(model, needs_audio);
        load.load_seconds = std::chrono::duration<double>(m_clock->now() - started).count();
        if (!backend && stop_requested()) {
            if (m_options.log) m_options.log->warn("run", "stopping: the start of {} was cancelled", model.name);
            return;  // its steps never ran; the next run sends them
        }
        if (!backend) {
            load.error = backend.error().message;
            if (m_options.log) m_options.log->warn("run", "{}", load.error);
            for (auto i : ready) {
                if (stopping()) break;
                commit(i, failed_step(m_tracks[m_graph.node(i).track], m_graph.node(i),
                                      "model " + model.name + " could not start: " + backend.error().message));
            }
            m_outcome.loads.push_back(load);
            return;
        }
        BackendSession session(std::move(backend).take(), model.name, m_spawner, m_generate, m_options.log, [this] {
            if (m_transport) m_transport->cancel();
        });
        load.server_build = session.props().build_info;
        if (m_options.progress) m_options.progress->model_started(model.name, ready.size());
        const auto slots = static_cast<std::size_t>(std::max(1, session.props().total_slots));
        const auto groups = slot_groups(work, slots);
        GpuPeak peak(m_options.gpu_probe);
        std::atomic<std::size_t> next_group{0};
        std::vector<std::thread> workers;
        const auto worker_count = std::min(slots, groups.size());
        m_workers_running = worker_count;
        for (std::size_t w = 0; w < worker_count; ++w) {
            workers.emplace_back([&, w] {
                for (auto g = next_group++; g < groups.size() && !stopping(); g = next_group++) {
                    run_group(session, model, groups[g], static_cast<int>(w));
                }
                const std::lock_guard lock(m_workers_mutex);
                --m_workers_running;
                m_workers_done.notify_all();
            });
        }
        wait_for_workers(session, model.name);
        for (auto& worker : workers) worker.join();
        load.restarts = session.restarts();
        load.peak_gpu_mib = peak.finish();
        session.stop();
        if (m_options.progress) m_options.progress->model_finished(model.name);
        store_load(load);
        m_outcome.loads.push_back(load);
    }

    // Waits until every slot worker has ended. On a stop it says once what it waits for, gives the
    // requests in flight kStopGrace, then ends them (cancelled, their server stopped); a second
    // Ctrl-C ends them at once, and so does a store that failed, which could keep none of them.
    void wait_for_workers(BackendSession& session, const std::string& model) {
        std::unique_lock lock(m_workers_mutex);
        std::optional<core::Clock::TimePoint> stop_seen;
        bool aborted = false;
        while (m_workers_running > 0) {
            m_workers_done.wait_for(lock, kStopPoll);
            if (aborted || m_workers_running == 0 || !stopping()) continue;
            const bool end_now = abort_requested() || m_store_failed;
            if (!stop_seen && !end_now) {
                stop_seen = m_clock->now();
                if (m_options.log) {
                    m_options.log->warn("run", "stopping: waiting for {} request(s) in flight on {} (at most {} s; Ctrl-C again to stop now)",
                                        m_in_flight.load(), model, std::chrono::duration_cast<std::chrono::seconds>(kStopGrace).count());
                }
            }
            if (end_now || m_clock->now() - *stop_seen >= kStopGrace) {
                aborted = true;
                lock.unlock();
                if (m_options.log) {
                    m_options.log->warn("run", "stopping now: ending {} request(s) in flight on {}; they run again next time{}",
                                        m_in_flight.load(), model, m_store_failed ? " (the store cannot save them)" : "");
                }
                session.abort();
                lock.lock();
            }
        }
    }

    // For metrics and the report across runs: load time, peak GPU memory and restarts per model.
    void store_load(const ModelLoad& load) {
        const store::LoadRow row{m_run_id, load.model, load.load_seconds, load.peak_gpu_mib, load.restarts, load.server_build};
        if (auto stored = m_store.put_load(row); !stored) store_failed(stored.error());
    }

    // One slot's steps in order; a track's audio is decoded once for all of them.
    void run_group(BackendSession& session, const config::Model& model, const std::vector<std::size_t>& group, int slot) {
        std::optional<core::Result<PreparedAudio>> audio;
        for (auto i : group) {
            if (stopping()) return;
            const auto& node = m_graph.node(i);
            const auto& track = m_tracks[node.track];
            const bool with_audio = config::uses_audio(node.phase->kind);
            store::StepRow row;
            ++m_in_flight;
            try {  // nothing a step throws may end the run: it becomes that step's failure
                if (with_audio && !audio) audio = prepare_track_audio(session, model, track);
                row = with_audio && !audio->ok()
                          ? failed_step(track, node, audio->error().message)
                          : run_model_step(m_config, track, node, with_audio ? &audio->value() : nullptr, session, slot,
                                           m_cleaning);
            } catch (const std::exception& e) {
                row = failed_step(track, node, e.what());
            } catch (...) {
                row = failed_step(track, node, "an unknown error");
            }
            --m_in_flight;
            if (row.outcome == store::StepOutcome::failed && stop_requested()) {
                // A stop may be what failed it (its request ended, a restart cancelled): not stored,
                // so the next run sends it again.
                const std::lock_guard lock(m_mutex);
                ++m_outcome.abandoned;
                return;
            }
            const bool done = row.outcome == store::StepOutcome::done;
            const auto tokens = row.completion_tokens;
            const auto elapsed_ms = row.elapsed_ms;
            if (!commit(i, std::move(row))) return;
            if (m_options.progress) m_options.progress->step_finished(model.name, done, tokens, elapsed_ms);
            const std::lock_guard lock(m_mutex);
            ++m_outcome.executed;
        }
    }

    core::Result<PreparedAudio> prepare_track_audio(const BackendSession& session, const config::Model& model,
                                                    const TrackRecord& track) {
        const auto n_ctx = session.props().n_ctx;
        const auto budget = audio_budget(m_config, model, n_ctx > 0 ? std::optional<int>(n_ctx) : std::nullopt);
        auto prepared = load_track_audio(track, budget, m_config.runtime.audio_format);
        if (prepared && prepared->cut_at && m_options.log) {
            m_options.log->warn("run", "{}: audio cut to {:.1f} s for {} (max_audio_seconds {}, slot context {} tokens)",
                                track.file.string(), prepared->seconds, model.name, budget.max_seconds, budget.slot_context);
        }
        return prepared;
    }

    const config::Config& m_config;
    std::vector<TrackRecord>& m_tracks;
    store::Store& m_store;
    const BackendFactory& m_backends;
    const RunOptions& m_options;
    StepGraph m_graph;
    std::shared_ptr<llm::HttpTransport> m_transport;  // the requests' own, so a second Ctrl-C can end them; none with options.generate
    Generate m_generate;
    std::shared_ptr<core::Clock> m_clock;
    clean::CleanOptions m_cleaning;
    std::map<std::string, ModelFiles> m_files;
    RunOutcome m_outcome;
    const std::string m_run_id = core::utc_now_iso();  // groups this run's model loads in the store
    std::mutex m_mutex;  // the graph's records and the outcome counters, written by the slot workers
    std::atomic<bool> m_store_failed{false};
    std::mutex m_workers_mutex;  // m_workers_running
    std::condition_variable m_workers_done;
    std::size_t m_workers_running = 0;
    std::atomic<int> m_in_flight{0};  // steps being sent, for the stop message
    SpawnThread m_spawner;
};

}  // namespace

RunOutcome run_pipeline(const config::Config& config, std::vector<TrackRecord>& tracks, store::Store& store,
                        const BackendFactory& backends, const RunOptions& options) {
    Runner runner(config, tracks, store, backends, options);
    return runner.run();
}

}  // namespace tunecap::pipeline
