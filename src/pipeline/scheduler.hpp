// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which model is loaded next and which steps go to which slot. Pure.

#include <cstddef>
#include <deque>
#include <map>
#include <set>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace tunecap::pipeline {

// The order models are loaded in: a model comes after every model whose output it reads, ties in
// config order. With the default graph: music_flamingo, qwen_omni, qwen3_14b, gpt_oss_20b, granite_tiny.
std::vector<std::string> model_load_order(const config::Config& config);

// The stages models are loaded in: `together` lists models loaded side by side; every model of
// `order` is in exactly one stage, alone unless `together` names it with others (a name not in
// `order` is left out). Each stage lists its models in load order; stages come in the order of their
// first model.
std::vector<std::vector<std::string>> load_stages(const std::vector<std::string>& order,
                                                  const std::vector<std::vector<std::string>>& together);

// The first stage with a model that has ready steps; nullopt when none has.
std::optional<std::vector<std::string>> next_stage(const std::vector<std::vector<std::string>>& stages,
                                                   const std::function<bool(const std::string& model)>& has_ready);

// A ready step as the scheduler sees it.
struct SlotWork {
    std::size_t step = 0;   // the caller's index
    std::size_t track = 0;
    std::string phase;
    bool audio = false;
};

// Groups of steps, each run in order on one slot. One group per track, audio steps first and then
// in the given order, so the slot keeps the track's audio in its cache from one prompt to the
// next. With fewer groups than slots the largest group is split until every slot has work: audio
// groups only between phases (each part costs the server one more encoding of the track, worth it
// once per phase, not per prompt), text groups anywhere, nearest the middle.
std::vector<std::vector<std::size_t>> slot_groups(const std::vector<SlotWork>& work, std::size_t slots);

// The groups of one loaded model waiting for a slot. A server keeps the track whose audio a slot
// last sent in that slot's cache, so a group sending a track's audio goes to that slot when there is
// one, or joins the same track's audio group still waiting; otherwise it waits for any slot. A slot
// takes its own groups first, then any slot's, then those of a busy slot (the one with most
// waiting): no slot idles while a busy one has work waiting, and an idle slot's groups wait for it.
// Not thread-safe: the runner holds its lock around it.
class GroupQueue {
public:
    struct Slot {
        std::size_t replica = 0;
        int slot = 0;
        auto operator<=>(const Slot&) const = default;
    };
    struct Group {
        std::vector<std::size_t> steps;
        std::size_t track = 0;
        bool audio = false;  // sends the track's audio
    };

    // share: false for a part of a track's steps split over slots (slot_groups): it waits for any slot.
    void push(Group group, bool share = true);
    // First to go, to any slot: a group handed back by a replica out of service.
    void push_front(Group group);
    // The next group for the slot, which is busy until finished(slot). A slot with no group of its
    // own takes another's only while at least `floor` groups wait that it may take (the runner's
    // batch floor).
    std::optional<Group> take(const Slot& slot, std::size_t floor = 0);
    void finished(const Slot& slot);
    // Whether take(slot, floor) would give a group.
    bool available(const Slot& slot, std::size_t floor = 0) const;
    std::size_t busy() const { return m_busy.size(); }
    // The replica is gone: its slots' groups go to any slot, and its tracks have no slot.
    void forget(std::size_t replica);
    bool empty() const;
    // Every waiting step, in order; the queue is left empty.
    std::vector<std::size_t> drain();

private:
    const std::deque<Group>* source(const Slot& slot, std::size_t floor) const;  // where take(slot) takes from; nullptr: nowhere
    std::size_t shared_groups() const;  // groups waiting that any slot may take: not an idle slot's own

    std::deque<Group> m_any;
    std::map<Slot, std::deque<Group>> m_own;
    std::map<std::size_t, Slot> m_audio_slot;       // track -> the slot that last took its audio
    std::set<Slot> m_busy;                          // slots running a group they took
    std::map<std::size_t, Group*> m_waiting_audio;  // track -> its audio group in m_any (deque
                                                     // elements stay put when others are pushed or popped at the ends)
};

}  // namespace tunecap::pipeline
