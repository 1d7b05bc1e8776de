// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which models are loaded together (stages) and how many slots a `slots: auto` model gets, from
// the memory each model needs and runtime.vram_budget_gb. Pure: the memory needs and the per-slot
// context come in as functions.
//
// Stages: models in load order, each joining the stage before it while, on every GPU it uses, the
// stage's needs together stay within the budget. A model with `gpus:` runs one server on each of
// them and needs its whole size on each; a model without runs on whatever devices llama-server
// sees, so it is charged on every GPU the config names anywhere (GPU 0 when none does): on the safe
// side, as llama-server may split it across them or put it all on one. An external endpoint uses
// no local memory and joins whatever stage is open. A model whose need is unknown (its file is
// missing or unreadable) is loaded with no other managed model. runtime.side_by_side false: one
// model a stage.
//
// `slots: auto`: the model enters its stage with one slot of the context the longest track needs
// (ctx = that context), then the memory the stage leaves free goes to the stage's auto models one
// slot at a time, in turn, up to slot_cap each (4 alone on a GPU, 8 sharing one). With `ctx:` set,
// the context is fixed: the model gets as many slots of that context as ctx holds, up to slot_cap.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace tunecap::pipeline {

// The most slots `slots: auto` gives a model alone on its GPUs. Measured on an H100, a server
// reached 75% of its kernel throughput at 4 slots, and on an H200 8 slots gained 3% on the audio
// model; the calibrated bench gains 7% from 4 to 8 and 5% from 8 to 16, while each request takes
// twice as long and each slot's context halves. Why 4: docs/slots.md.
inline constexpr int kSlotCap = 4;
// The most for a model that shares a GPU with another model of its stage. There the GPU, not the
// server, is the limit, and a decode step of more streams costs it less per token: in the
// calibrated bench, all five models side by side on one GPU take 30.8, 27.6 and 26.8 s a track with
// 4, 6 and 8 slots each (3.8x to 4.4x the prototype order), and 16 only 2% less (docs/slots.md).
inline constexpr int kSharedSlotCap = 8;

// The GPU memory of one of a model's servers: fixed + kv_bytes_per_token x ctx +
// state_bytes_per_slot x slots, and never less than a peak measured in an earlier run.
struct MemoryNeed {
    std::uint64_t fixed_bytes = 0;           // weights, projector, compute allowance
    std::uint64_t kv_bytes_per_token = 0;    // the KV cache of one context token at the model's cache types
    std::uint64_t state_bytes_per_slot = 0;  // recurrent state, kept per slot
    // The last peak measured while the model was loaded alone, per server (0: none). A floor only:
    // it was measured at that run's ctx and slots.
    std::uint64_t measured_peak_bytes = 0;

    std::uint64_t bytes(std::uint64_t ctx, int slots) const;
};

// A model's need, or why it is unknown ("/models/x.gguf: file not found"). Not asked for an
// external model.
using MemoryNeedOf = std::function<core::Result<MemoryNeed>(const config::Model& model)>;
// The per-slot context (tokens) the model's longest request needs: the longest track's audio, the
// longest text it sends and its answer (audio_budget.hpp, slot_context_needed).
using SlotContextOf = std::function<int(const config::Model& model)>;

struct PlacedModel {
    std::string name;
    bool external = false;
    std::vector<int> gpus;              // the GPUs it is charged on; empty when external
    std::optional<std::uint64_t> bytes; // on each of its GPUs; nullopt: unknown (see unknown_reason)
    std::string unknown_reason;
    int ctx = 0;    // llama-server -c as it will run (resolved for `slots: auto`)
    int slots = 1;  // -np, likewise
    bool slots_auto = false;
    int slot_context = 0;  // for `slots: auto`: the per-slot context the longest track needs
};

struct Stage {
    std::vector<PlacedModel> models;  // load order

    // The GPUs its managed models use, ascending; what the stage holds on one of them.
    std::vector<int> gpus() const;
    std::uint64_t bytes_on(int gpu) const;
    bool over_budget(std::uint64_t budget_bytes) const;
};

// The slot cap of a model of the stage: kSharedSlotCap when another managed model of the stage uses
// one of its GPUs, else kSlotCap. One cap for all its servers: with `gpus: [0, 1]` beside a model
// on GPU 0, the server on GPU 1 gets 8 too (a server's slots are the model's `slots`).
int slot_cap(const Stage& stage, const PlacedModel& model);

struct Placement {
    std::uint64_t budget_bytes = 0;  // runtime.vram_budget_gb, read as GiB, on each GPU
    bool side_by_side = true;
    std::vector<Stage> stages;

    // For RunOptions::stages: each stage's model names.
    std::vector<std::vector<std::string>> stage_names() const;
    // Sets slots (and ctx where it was unset) of every `slots: auto` model; slots_auto stays set.
    void apply_to(config::Config& config) const;
};

// `order` is model_load_order's, or the part of it that has work; a name the config does not know
// is left out.
Placement place_models(const config::Config& config, const std::vector<std::string>& order, const MemoryNeedOf& need,
                       const SlotContextOf& slot_context);

// "stage 1: music_flamingo + qwen3_14b on GPU 0 (7.30 + 10.40 = 17.70 of 24.0 GiB)" and a line per
// model with its size, ctx and slots, for `tunecap plan`.
std::vector<std::string> describe_placement(const Placement& placement);

}  // namespace tunecap::pipeline
