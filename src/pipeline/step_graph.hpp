// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The steps of a run, what each reads, and where each stands. Built from the config and the
// tracks' planned phase records; settled against the store through functions passed in. Pure.
//
// A step's state and its allowed transitions:
//   waiting -> ready     its inputs are done, its key is known and no stored result is used:
//                        it waits for its model (or, with no model, for the runner to compute it)
//   waiting -> settled   taken from the store, or skipped because an input did not succeed, or
//                        (reuse_only) given its planned status because nothing is stored
//   ready   -> settled   the executor finished it: done or failed
// A step still waiting or ready when the run ends keeps StepStatus::pending, with a reason.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "pipeline/step_request.hpp"
#include "pipeline/track.hpp"
#include "store/store.hpp"

namespace tunecap::pipeline {

// How a step may be produced in this run.
enum class StepMode {
    run,         // reuse a stored result with its key, else run it
    force,       // run it even when stored (--force on its phase or an upstream phase)
    // Excluded by --skip/--only, or its model is unavailable here: only a stored result counts. (A
    // model whose files are missing matches no stored step: its files are part of the key.)
    reuse_only,
};

enum class StepState { waiting, ready, settled };

struct StepNode {
    std::size_t track = 0;
    const config::Phase* phase = nullptr;
    const config::Model* model = nullptr;  // nullptr: the phase kind runs no model
    const config::Prompt* prompt = nullptr;
    std::vector<std::size_t> inputs;       // nodes whose captions it reads
    StepMode mode = StepMode::run;
    StepStatus planned_status = StepStatus::pending;  // reuse_only: what it is when nothing is stored
    std::string planned_reason;
    StepState state = StepState::waiting;
    std::optional<PlannedStep> planned;  // set when it becomes ready or is taken from the store
    StepRecord* record = nullptr;        // the track's record of this step, kept current
};

// What settling needs from outside: the planned request of a step whose inputs are done, and the
// stored row of a planned step.
struct SettleContext {
    std::function<PlannedStep(const StepNode& node, const std::vector<StepInput>& inputs)> plan;
    std::function<std::optional<store::StepRow>(const StepNode& node, const std::string& key)> find;
};

struct SettleCounts {
    std::size_t reused = 0;
    std::size_t skipped = 0;
};

class StepGraph {
public:
    // One node per step of every track's phase records, with the inputs of each. `force` names
    // phases that are recomputed together with everything downstream of them. The tracks must
    // outlive the graph (nodes point at their step records).
    StepGraph(const config::Config& config, std::vector<TrackRecord>& tracks, const std::vector<std::string>& force);

    // Settles every waiting step whose inputs are settled, until nothing changes.
    SettleCounts settle(const SettleContext& context);

    // Ready steps of a model in node order; model "" asks for the steps without a model.
    std::vector<std::size_t> ready(std::string_view model) const;
    bool has_ready(std::string_view model) const;
    // Steps of a model still waiting for their inputs that `makers` (models; steps without a model
    // count as theirs) can make ready: an input not yet settled is theirs, or none is left.
    std::size_t waiting(std::string_view model, const std::vector<std::string>& makers) const;

    // ready -> settled with the executor's row: done or failed by row.outcome. Not thread-safe:
    // callers finishing steps from several threads hold one lock around it.
    void finish(std::size_t node, store::StepRow row);

    // The end of the run: gives every step that never ran a reason (`stopped_because` when the run
    // was stopped, else that its inputs never finished), and rolls step statuses up to the model
    // and phase records.
    void close(std::optional<std::string> stopped_because);

    const StepNode& node(std::size_t index) const { return m_nodes[index]; }
    std::size_t size() const { return m_nodes.size(); }
    std::vector<StepInput> inputs_of(const StepNode& node) const;

private:
    void settle_node(StepNode& node, const SettleContext& context, SettleCounts& counts);
    void give_planned_status(StepNode& node, SettleCounts& counts);

    std::vector<TrackRecord>& m_tracks;
    std::vector<StepNode> m_nodes;
};

}  // namespace tunecap::pipeline
