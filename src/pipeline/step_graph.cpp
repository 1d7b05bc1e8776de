// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/step_graph.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "core/result.hpp"

namespace tunecap::pipeline {
namespace {

// Phases recomputed: the forced ones and everything downstream (phases are in topological order).
std::set<std::string> forced_phases(const config::Config& config, const std::vector<std::string>& force) {
    std::set<std::string> forced(force.begin(), force.end());
    for (const auto& phase : config.phases) {
        if (std::any_of(phase.inputs.begin(), phase.inputs.end(), [&](const std::string& in) { return forced.contains(in); })) {
            forced.insert(phase.id);
        }
    }
    return forced;
}

std::string model_label(const StepNode& node) { return node.model ? node.model->name : std::string(kNoModel); }

}  // namespace

StepGraph::StepGraph(const config::Config& config, std::vector<TrackRecord>& tracks, const std::vector<std::string>& force)
    : m_tracks(tracks) {
    const auto forced = forced_phases(config, force);
    std::map<std::tuple<std::size_t, std::string, std::string, std::string>, std::size_t> index;
    for (std::size_t t = 0; t < tracks.size(); ++t) {
        for (auto& phase_record : tracks[t].phases) {
            const auto* phase = config.find_phase(phase_record.id);
            for (auto& model_record : phase_record.models) {
                for (auto& step_record : model_record.steps) {
                    StepNode node;
                    node.track = t;
                    node.phase = phase;
                    node.model = config.find_model(model_record.model);
                    node.prompt = config.find_prompt(step_record.prompt);
                    node.record = &step_record;
                    // A phase skipped in the plan only because an input will not run here still
                    // runs when the input's results are stored.
                    const bool runnable = step_record.status == StepStatus::pending || phase_record.inherited;
                    if (!runnable) {
                        node.mode = StepMode::reuse_only;
                        node.planned_status = step_record.status;
                        node.planned_reason = step_record.reason;
                    } else {
                        node.mode = forced.contains(phase->id) ? StepMode::force : StepMode::run;
                    }
                    step_record.status = StepStatus::pending;
                    step_record.reason.clear();
                    for (const auto& input : phase->inputs) {
                        for (const auto& input_record : tracks[t].phases) {
                            if (input_record.id != input) continue;
                            for (const auto& model : input_record.models) {
                                const auto found = index.find({t, input, model.model, step_record.prompt});
                                // Config validation makes every prompt of a phase one its inputs run.
                                if (found == index.end()) {
                                    throw core::Failure(core::Error{fmt::format(
                                        "phase {} prompt {}: input phase {} has no such step", phase->id, step_record.prompt, input)});
                                }
                                node.inputs.push_back(found->second);
                            }
                        }
                    }
                    index[{t, phase->id, model_record.model, step_record.prompt}] = m_nodes.size();
                    m_nodes.push_back(std::move(node));
                }
            }
        }
    }
}

std::vector<StepInput> StepGraph::inputs_of(const StepNode& node) const {
    std::vector<StepInput> out;
    for (auto i : node.inputs) {
        const auto& input = m_nodes[i];
        out.push_back({{input.phase->id, model_label(input), input.record->result ? input.record->result->caption : ""},
                       input.planned ? input.planned->key : ""});
    }
    return out;
}

SettleCounts StepGraph::settle(const SettleContext& context) {
    SettleCounts counts;
    // Inputs come before the steps that read them, so one pass settles whole chains; passes repeat
    // until one changes nothing.
    for (bool changed = true; changed;) {
        changed = false;
        for (auto& node : m_nodes) {
            if (node.state != StepState::waiting) continue;
            settle_node(node, context, counts);
            changed = changed || node.state != StepState::waiting;
        }
    }
    return counts;
}

void StepGraph::settle_node(StepNode& node, const SettleContext& context, SettleCounts& counts) {
    const StepNode* bad_input = nullptr;
    for (auto i : node.inputs) {
        const auto& input = m_nodes[i];
        if (input.state != StepState::settled) return;  // still waiting for it
        if (input.record->status != StepStatus::done && !bad_input) bad_input = &input;
    }
    if (bad_input) {
        if (node.mode == StepMode::reuse_only) return give_planned_status(node, counts);
        node.state = StepState::settled;
        node.record->status = StepStatus::skipped;
        node.record->reason = fmt::format("input {}/{}/{} is {}", bad_input->phase->id, model_label(*bad_input),
                                          bad_input->record->prompt, to_string(bad_input->record->status));
        ++counts.skipped;
        return;
    }
    node.planned = context.plan(node, inputs_of(node));
    if (node.mode != StepMode::force) {
        if (auto stored = context.find(node, node.planned->key); stored && stored->outcome == store::StepOutcome::done) {
            node.state = StepState::settled;
            node.record->status = StepStatus::done;
            node.record->result = std::move(stored);
            node.record->reused = true;
            ++counts.reused;
            return;
        }
    }
    if (node.mode == StepMode::reuse_only) return give_planned_status(node, counts);
    node.state = StepState::ready;
}

void StepGraph::give_planned_status(StepNode& node, SettleCounts& counts) {
    node.state = StepState::settled;
    node.record->status = node.planned_status;
    node.record->reason = node.planned_reason;
    if (node.planned_status == StepStatus::skipped) ++counts.skipped;
}

std::vector<std::size_t> StepGraph::ready(std::string_view model) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const auto& node = m_nodes[i];
        if (node.state == StepState::ready && (node.model ? std::string_view(node.model->name) : std::string_view()) == model) {
            out.push_back(i);
        }
    }
    return out;
}

bool StepGraph::has_ready(std::string_view model) const { return !ready(model).empty(); }

std::size_t StepGraph::waiting(std::string_view model, const std::vector<std::string>& makers) const {
    const auto made_here = [&](const StepNode& input) {
        const std::string_view maker = input.model ? std::string_view(input.model->name) : std::string_view();
        return maker.empty() || std::find(makers.begin(), makers.end(), maker) != makers.end();
    };
    return static_cast<std::size_t>(std::count_if(m_nodes.begin(), m_nodes.end(), [&](const StepNode& node) {
        if (node.state != StepState::waiting || !node.model || node.model->name != model) return false;
        bool unsettled = false;
        for (const auto i : node.inputs) {
            if (m_nodes[i].state == StepState::settled) continue;
            if (made_here(m_nodes[i])) return true;
            unsettled = true;
        }
        return !unsettled;
    }));
}

void StepGraph::finish(std::size_t index, store::StepRow row) {
    auto& node = m_nodes[index];
    node.state = StepState::settled;
    node.record->status = row.outcome == store::StepOutcome::done ? StepStatus::done : StepStatus::failed;
    node.record->reason = row.error;
    if (node.planned) {
        node.planned->key = row.key;  // re-keyed when the audio was cut differently than planned
    }
    node.record->result = std::move(row);
}

void StepGraph::close(std::optional<std::string> stopped_because) {
    for (auto& node : m_nodes) {
        if (node.state == StepState::settled) continue;
        node.record->reason = stopped_because.value_or("its inputs never finished");
    }
    for (auto& track : m_tracks) {
        for (auto& phase : track.phases) {
            std::vector<StepStatus> phase_states;
            for (auto& model : phase.models) {
                std::vector<StepStatus> states;
                for (const auto& step : model.steps) states.push_back(step.status);
                const auto rolled = model_rollup(states);
                model.status = rolled.value_or(model.status);
                if (model.status == StepStatus::done || model.status == StepStatus::failed) {
                    model.reason.clear();
                } else if (model.reason.empty() && rolled && !model.steps.empty()) {
                    model.reason = model.steps.front().reason;  // e.g. every step interrupted
                }
                phase_states.push_back(model.status);
            }
            phase.status = phase_rollup(phase_states).value_or(phase.status);
            if (phase.status == StepStatus::done) phase.reason.clear();
        }
    }
}

}  // namespace tunecap::pipeline
