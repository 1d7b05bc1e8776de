// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/scheduler.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace tunecap::pipeline {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Where a group may be cut, nearest its middle; 0 when it may not be.
std::size_t cut_point(const std::vector<const SlotWork*>& group) {
    if (group.size() < 2) return 0;
    const bool audio = std::any_of(group.begin(), group.end(), [](const SlotWork* w) { return w->audio; });
    const auto middle = group.size() / 2;
    const auto distance = [&](std::size_t c) { return c > middle ? c - middle : middle - c; };
    std::size_t best = 0;
    for (std::size_t cut = 1; cut < group.size(); ++cut) {
        const bool boundary = group[cut]->phase != group[cut - 1]->phase;
        if (audio && !boundary) continue;
        if (best == 0 || distance(cut) < distance(best)) best = cut;
    }
    return best;
}

}  // namespace

std::vector<std::string> model_load_order(const config::Config& config) {
    std::map<std::string, std::set<std::string>> depends;  // model -> models whose output it reads
    std::vector<std::string> used;
    for (const auto& phase : config.phases) {
        for (const auto& model : phase.models) {
            if (!contains(used, model)) used.push_back(model);
            for (const auto& input : phase.inputs) {
                for (const auto& upstream : config.find_phase(input)->models) {
                    if (upstream != model) depends[model].insert(upstream);
                }
            }
        }
    }
    std::vector<std::string> pending;  // config order among equals
    for (const auto& model : config.models) {
        if (contains(used, model.name)) pending.push_back(model.name);
    }
    std::vector<std::string> order;
    while (!pending.empty()) {
        auto ready = std::find_if(pending.begin(), pending.end(), [&](const std::string& m) {
            return std::all_of(depends[m].begin(), depends[m].end(), [&](const std::string& d) { return contains(order, d); });
        });
        if (ready == pending.end()) ready = pending.begin();  // a cycle between models: one of them loads twice
        order.push_back(*ready);
        pending.erase(ready);
    }
    return order;
}

std::vector<std::vector<std::string>> load_stages(const std::vector<std::string>& order,
                                                  const std::vector<std::vector<std::string>>& together) {
    std::vector<std::vector<std::string>> stages;
    std::set<std::string> placed;
    for (const auto& model : order) {
        if (placed.count(model) != 0) continue;
        std::vector<std::string> stage = {model};
        for (const auto& group : together) {
            if (!contains(group, model)) continue;
            for (const auto& other : order) {  // load order within the stage
                if (other != model && contains(group, other) && placed.count(other) == 0 && !contains(stage, other)) {
                    stage.push_back(other);
                }
            }
        }
        std::sort(stage.begin(), stage.end(), [&](const std::string& a, const std::string& b) {
            return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
        });
        placed.insert(stage.begin(), stage.end());
        stages.push_back(std::move(stage));
    }
    return stages;
}

std::optional<std::vector<std::string>> next_stage(const std::vector<std::vector<std::string>>& stages,
                                                   const std::function<bool(const std::string& model)>& has_ready) {
    for (const auto& stage : stages) {
        if (std::any_of(stage.begin(), stage.end(), has_ready)) return stage;
    }
    return std::nullopt;
}

std::vector<std::vector<std::size_t>> slot_groups(const std::vector<SlotWork>& work, std::size_t slots) {
    std::map<std::size_t, std::vector<const SlotWork*>> by_track;
    for (const auto& w : work) by_track[w.track].push_back(&w);
    std::vector<std::vector<const SlotWork*>> groups;
    for (auto& [track, steps] : by_track) {
        std::stable_sort(steps.begin(), steps.end(), [](const SlotWork* a, const SlotWork* b) { return a->audio > b->audio; });
        groups.push_back(std::move(steps));
    }
    while (groups.size() < slots) {
        std::size_t chosen = groups.size();
        for (std::size_t g = 0; g < groups.size(); ++g) {
            if (cut_point(groups[g]) != 0 && (chosen == groups.size() || groups[g].size() > groups[chosen].size())) chosen = g;
        }
        if (chosen == groups.size()) break;
        auto& group = groups[chosen];
        const auto cut = static_cast<std::ptrdiff_t>(cut_point(group));
        std::vector<const SlotWork*> tail(group.begin() + cut, group.end());
        group.resize(static_cast<std::size_t>(cut));
        groups.push_back(std::move(tail));
    }
    std::vector<std::vector<std::size_t>> out;
    for (const auto& group : groups) {
        auto& indices = out.emplace_back();
        for (const auto* w : group) indices.push_back(w->step);
    }
    return out;
}

}  // namespace tunecap::pipeline
