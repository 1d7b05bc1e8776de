// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/placement.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/text.hpp"

namespace tunecap::pipeline {
namespace {

constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;
// An auto model's per-slot context is rounded up to a multiple of this: round figures in the
// server's flags and logs, and never less than the longest track needs.
constexpr int kContextGranule = 256;

double gib(std::uint64_t bytes) { return static_cast<double>(bytes) / kBytesPerGiB; }

int round_up(int tokens, int granule) { return (std::max(tokens, 1) + granule - 1) / granule * granule; }

// Every GPU a managed model of the config names, ascending; {0} when none does.
std::vector<int> named_gpus(const config::Config& config) {
    std::set<int> gpus;
    for (const auto& model : config.models) {
        if (!model.external()) gpus.insert(model.gpus.begin(), model.gpus.end());
    }
    if (gpus.empty()) gpus.insert(0);
    return {gpus.begin(), gpus.end()};
}

struct Entry {
    PlacedModel placed;
    std::optional<MemoryNeed> need;
    bool growable = false;   // `slots: auto` without ctx and of known size: may take more slots
    bool fixed_ctx = false;  // `slots: auto` with ctx: as many slots as ctx holds, up to the cap
};

struct Open {
    std::vector<Entry> entries;
    bool closed = false;  // holds a model of unknown size: only endpoints may join

    Stage stage() const {
        Stage s;
        for (const auto& e : entries) s.models.push_back(e.placed);
        return s;
    }
};

bool fits(const Stage& stage, const PlacedModel& model, std::uint64_t extra, std::uint64_t budget) {
    return std::all_of(model.gpus.begin(), model.gpus.end(), [&](int gpu) { return stage.bytes_on(gpu) + extra <= budget; });
}

// Gives the stage's free memory to its growable auto models one slot at a time, in turn.
void grow_slots(Open& open, std::uint64_t budget) {
    for (bool grew = true; grew;) {
        grew = false;
        for (auto& entry : open.entries) {
            auto& placed = entry.placed;
            if (!entry.growable || placed.slots >= slot_cap(open.stage(), placed)) continue;
            const auto ctx = static_cast<std::uint64_t>(placed.slot_context) * static_cast<std::uint64_t>(placed.slots + 1);
            const auto bytes = entry.need->bytes(ctx, placed.slots + 1);
            if (!fits(open.stage(), placed, bytes - *placed.bytes, budget)) continue;
            placed.slots += 1;
            placed.ctx = static_cast<int>(ctx);
            placed.bytes = bytes;
            grew = true;
        }
    }
}

Entry place_one(const config::Model& model, const std::vector<int>& all_gpus,
                const MemoryNeedOf& need_of, const SlotContextOf& slot_context) {
    Entry entry;
    auto& placed = entry.placed;
    placed.name = model.name;
    placed.external = model.external();
    placed.slots_auto = model.slots_auto;
    placed.ctx = model.ctx.value_or(config::kDefaultContext);
    placed.slots = model.slots.value_or(1);
    if (model.slots_auto) {
        placed.slot_context = round_up(slot_context(model), kContextGranule);
        if (model.ctx) {
            placed.slots = std::clamp(*model.ctx / placed.slot_context, 1, kSlotCap);  // its stage may give more (fix_slots)
            entry.fixed_ctx = true;
        } else {
            placed.slots = 1;
            placed.ctx = placed.slot_context;
        }
    }
    if (placed.external) {
        placed.bytes = 0;
        return entry;
    }
    placed.gpus = model.gpus.empty() ? all_gpus : model.gpus;
    auto need = need_of(model);
    if (!need) {
        placed.unknown_reason = need.error().message;
        return entry;
    }
    entry.need = *need;
    placed.bytes = need->bytes(static_cast<std::uint64_t>(placed.ctx), placed.slots);
    entry.growable = model.slots_auto && !model.ctx;
    return entry;
}

// An auto model with ctx set, sharing a GPU: more of the slots its ctx holds, up to the cap its
// stage gives it, while the budget holds their per-slot state (place_one gave it up to kSlotCap).
void fix_slots(Open& open, std::uint64_t budget) {
    for (auto& entry : open.entries) {
        auto& placed = entry.placed;
        if (!entry.fixed_ctx || !entry.need) continue;
        const int most = std::clamp(placed.ctx / placed.slot_context, 1, slot_cap(open.stage(), placed));
        while (placed.slots < most) {
            const auto bytes = entry.need->bytes(static_cast<std::uint64_t>(placed.ctx), placed.slots + 1);
            if (!fits(open.stage(), placed, bytes - *placed.bytes, budget)) break;
            placed.slots += 1;
            placed.bytes = bytes;
        }
    }
}

}  // namespace

int slot_cap(const Stage& stage, const PlacedModel& model) {
    if (model.external) return kSlotCap;
    const bool shares = std::any_of(stage.models.begin(), stage.models.end(), [&](const PlacedModel& other) {
        return other.name != model.name && !other.external &&
               std::any_of(model.gpus.begin(), model.gpus.end(),
                           [&](int gpu) { return std::find(other.gpus.begin(), other.gpus.end(), gpu) != other.gpus.end(); });
    });
    return shares ? kSharedSlotCap : kSlotCap;
}

std::uint64_t MemoryNeed::bytes(std::uint64_t ctx, int slots) const {
    const auto linear = fixed_bytes + kv_bytes_per_token * ctx + state_bytes_per_slot * static_cast<std::uint64_t>(std::max(slots, 1));
    return std::max(linear, measured_peak_bytes);
}

std::vector<int> Stage::gpus() const {
    std::set<int> all;
    for (const auto& m : models) all.insert(m.gpus.begin(), m.gpus.end());
    return {all.begin(), all.end()};
}

std::uint64_t Stage::bytes_on(int gpu) const {
    std::uint64_t total = 0;
    for (const auto& m : models) {
        if (m.bytes && std::find(m.gpus.begin(), m.gpus.end(), gpu) != m.gpus.end()) total += *m.bytes;
    }
    return total;
}

bool Stage::over_budget(std::uint64_t budget_bytes) const {
    const auto all = gpus();
    return std::any_of(all.begin(), all.end(), [&](int gpu) { return bytes_on(gpu) > budget_bytes; });
}

std::vector<std::vector<std::string>> Placement::stage_names() const {
    std::vector<std::vector<std::string>> names;
    for (const auto& stage : stages) {
        auto& list = names.emplace_back();
        for (const auto& m : stage.models) list.push_back(m.name);
    }
    return names;
}

void Placement::apply_to(config::Config& config) const {
    for (const auto& stage : stages) {
        for (const auto& placed : stage.models) {
            if (!placed.slots_auto) continue;
            for (auto& model : config.models) {
                if (model.name != placed.name) continue;
                model.slots = placed.slots;
                model.ctx = placed.ctx;
            }
        }
    }
}

Placement place_models(const config::Config& config, const std::vector<std::string>& order, const MemoryNeedOf& need,
                       const SlotContextOf& slot_context) {
    Placement placement;
    placement.budget_bytes = static_cast<std::uint64_t>(config.runtime.vram_budget_gb * kBytesPerGiB);
    placement.side_by_side = config.runtime.side_by_side;
    const auto all_gpus = named_gpus(config);

    Open open;
    auto close = [&] {
        if (open.entries.empty()) return;
        fix_slots(open, placement.budget_bytes);
        grow_slots(open, placement.budget_bytes);
        placement.stages.push_back(open.stage());
        open = Open{};
    };
    for (const auto& name : order) {
        const auto* model = config.find_model(name);
        if (!model) continue;
        auto entry = place_one(*model, all_gpus, need, slot_context);
        const bool unknown = !entry.placed.bytes;
        bool joins = placement.side_by_side && !open.entries.empty();
        if (joins && !entry.placed.external) {
            const bool others_managed = std::any_of(open.entries.begin(), open.entries.end(),
                                                    [](const Entry& e) { return !e.placed.external; });
            joins = !open.closed && (unknown ? !others_managed
                                             : fits(open.stage(), entry.placed, *entry.placed.bytes, placement.budget_bytes));
        }
        if (!joins) close();
        if (unknown) open.closed = true;
        open.entries.push_back(std::move(entry));
    }
    close();
    return placement;
}

std::vector<std::string> describe_placement(const Placement& placement) {
    std::vector<std::string> lines;
    if (placement.stages.empty()) return {"model stages: none (no model has a step to run)"};
    const double budget = gib(placement.budget_bytes);
    lines.push_back(fmt::format("model stages (runtime.vram_budget_gb {:g} GiB a GPU; side by side {}):", budget,
                                placement.side_by_side ? "on" : "off, runtime.side_by_side"));
    for (std::size_t i = 0; i < placement.stages.size(); ++i) {
        const auto& stage = placement.stages[i];
        std::vector<std::string> names;
        for (const auto& m : stage.models) names.push_back(m.name);
        std::vector<std::string> per_gpu;
        for (const int gpu : stage.gpus()) {
            std::vector<std::string> parts;
            bool unknown = false;
            for (const auto& m : stage.models) {
                if (std::find(m.gpus.begin(), m.gpus.end(), gpu) == m.gpus.end()) continue;
                if (m.bytes) {
                    parts.push_back(fmt::format("{:.2f}", gib(*m.bytes)));
                } else {
                    unknown = true;
                }
            }
            std::string text = fmt::format("GPU {} (", gpu);
            if (unknown) {
                text += "size unknown";
            } else if (parts.size() == 1) {
                text += fmt::format("{} of {:g} GiB", parts.front(), budget);
            } else {
                text += fmt::format("{} = {:.2f} of {:g} GiB", core::join(parts, " + "), gib(stage.bytes_on(gpu)), budget);
            }
            if (!unknown && stage.bytes_on(gpu) > placement.budget_bytes) text += ", over budget";
            per_gpu.push_back(text + ")");
        }
        lines.push_back(fmt::format("  stage {}: {}{}", i + 1, core::join(names, " + "),
                                    per_gpu.empty() ? " (endpoints: no local memory)" : " on " + core::join(per_gpu, ", ")));
        for (const auto& m : stage.models) {
            std::string text = fmt::format("    {}: ", m.name);
            if (m.external) {
                text += "external endpoint, no local memory";
            } else {
                text += m.bytes ? fmt::format("{:.2f} GiB a server", gib(*m.bytes))
                                : fmt::format("size unknown ({}), loaded with no other managed model", m.unknown_reason);
                text += fmt::format(", ctx {}, {} slot(s)", m.ctx, m.slots);
                if (m.slots_auto) text += fmt::format(" (slots: auto, {} tokens a slot, at most {})", m.slot_context, slot_cap(stage, m));
            }
            lines.push_back(std::move(text));
        }
    }
    return lines;
}

}  // namespace tunecap::pipeline
