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

void GroupQueue::push(Group group, bool share) {
    if (group.audio && share) {
        if (const auto slot = m_audio_slot.find(group.track); slot != m_audio_slot.end()) {
            m_own[slot->second].push_back(std::move(group));
            return;
        }
        if (const auto waiting = m_waiting_audio.find(group.track); waiting != m_waiting_audio.end()) {
            auto& steps = waiting->second->steps;
            steps.insert(steps.end(), group.steps.begin(), group.steps.end());
            return;
        }
        m_any.push_back(std::move(group));
        m_waiting_audio[m_any.back().track] = &m_any.back();
        return;
    }
    m_any.push_back(std::move(group));  // text, or part of a split track
}

void GroupQueue::push_front(Group group) { m_any.push_front(std::move(group)); }

std::size_t GroupQueue::shared_groups() const {
    std::size_t n = m_any.size();
    for (const auto& [other, groups] : m_own) {
        if (m_busy.count(other) != 0) n += groups.size();
    }
    return n;
}

const std::deque<GroupQueue::Group>* GroupQueue::source(const Slot& slot, std::size_t floor) const {
    if (auto own = m_own.find(slot); own != m_own.end() && !own->second.empty()) return &own->second;
    if (floor > 0 && shared_groups() < floor) return nullptr;
    if (!m_any.empty()) return &m_any;
    const std::deque<Group>* from = nullptr;
    for (auto& [other, groups] : m_own) {
        if (!groups.empty() && m_busy.count(other) != 0 && (!from || groups.size() > from->size())) from = &groups;
    }
    return from;
}

bool GroupQueue::available(const Slot& slot, std::size_t floor) const { return source(slot, floor) != nullptr; }

void GroupQueue::finished(const Slot& slot) { m_busy.erase(slot); }

std::optional<GroupQueue::Group> GroupQueue::take(const Slot& slot, std::size_t floor) {
    auto* from = const_cast<std::deque<Group>*>(source(slot, floor));  // one of this queue's own deques
    if (!from) return std::nullopt;
    if (const auto waiting = m_waiting_audio.find(from->front().track);
        waiting != m_waiting_audio.end() && waiting->second == &from->front()) {
        m_waiting_audio.erase(waiting);
    }
    auto group = std::move(from->front());
    from->pop_front();
    if (group.audio) m_audio_slot[group.track] = slot;
    m_busy.insert(slot);
    return group;
}

void GroupQueue::forget(std::size_t replica) {
    std::erase_if(m_audio_slot, [&](const auto& entry) { return entry.second.replica == replica; });
    for (auto& [slot, groups] : m_own) {
        if (slot.replica != replica) continue;
        for (auto& group : groups) push(std::move(group));
        groups.clear();
    }
}

bool GroupQueue::empty() const {
    return m_any.empty() && std::all_of(m_own.begin(), m_own.end(), [](const auto& own) { return own.second.empty(); });
}

std::vector<std::size_t> GroupQueue::drain() {
    std::vector<std::size_t> steps;
    for (auto& group : m_any) steps.insert(steps.end(), group.steps.begin(), group.steps.end());
    for (auto& [slot, groups] : m_own) {
        for (auto& group : groups) steps.insert(steps.end(), group.steps.begin(), group.steps.end());
    }
    m_any.clear();
    m_own.clear();
    m_waiting_audio.clear();
    return steps;
}

}  // namespace tunecap::pipeline
