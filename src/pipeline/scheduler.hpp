// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which model is loaded next and which steps go to which slot. Pure.

#include <cstddef>
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

}  // namespace tunecap::pipeline
