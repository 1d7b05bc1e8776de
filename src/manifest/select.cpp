// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest/select.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "clean/clean.hpp"
#include "core/text.hpp"

namespace tunecap::manifest {
namespace {

using Names = std::set<std::string>;

std::string listed(const Names& names) { return core::join(std::vector<std::string>(names.begin(), names.end()), ", "); }

bool has_flag_that_keeps_out(const store::StepRow& row) {
    return std::any_of(row.flags.begin(), row.flags.end(), [](const std::string& flag) { return clean::is_flagged(flag); });
}

// What the store holds of the phase, model and prompt asked for, to say which name is unknown and
// which ones would do.
std::optional<core::Error> unknown_name(const std::vector<store::StepRow>& steps, const Filter& filter) {
    Names phases, models, prompts;
    for (const auto& row : steps) {
        phases.insert(row.phase);
        if (row.phase != filter.phase) continue;
        models.insert(row.model);
        if (!filter.model || row.model == *filter.model) prompts.insert(row.prompt);
    }
    if (phases.empty()) return core::Error{fmt::format("no phase '{}': the store holds no steps", filter.phase)};
    if (!phases.contains(filter.phase)) {
        return core::Error{fmt::format("no phase '{}' in the store (phases: {})", filter.phase, listed(phases))};
    }
    if (filter.model && !models.contains(*filter.model)) {
        return core::Error{
            fmt::format("phase '{}' has no model '{}' (models: {})", filter.phase, *filter.model, listed(models))};
    }
    if (filter.prompt && !prompts.contains(*filter.prompt)) {
        const auto where = filter.model ? fmt::format("phase '{}' with model '{}'", filter.phase, *filter.model)
                                        : fmt::format("phase '{}'", filter.phase);
        return core::Error{fmt::format("{} has no prompt '{}' (prompts: {})", where, *filter.prompt, listed(prompts))};
    }
    return std::nullopt;
}

bool matches(const store::StepRow& row, const Filter& filter) {
    return row.phase == filter.phase && (!filter.model || row.model == *filter.model) &&
           (!filter.prompt || row.prompt == *filter.prompt);
}

}  // namespace

core::Result<Selection> select_rows(const std::vector<store::StepRow>& steps, const Filter& filter) {
    if (auto unknown = unknown_name(steps, filter)) return *unknown;
    Selection selection;
    std::set<std::tuple<std::string, std::string, std::string>> seen;  // (track, model, prompt)
    for (const auto& row : steps) {
        if (!matches(row, filter)) continue;
        // The first row of a unit is its newest: an older caption of a step that has since failed
        // or been re-run is no longer what the run produced, so it is never a fallback.
        if (!seen.emplace(row.track_id, row.model, row.prompt).second) continue;
        if (row.outcome == store::StepOutcome::failed) {
            ++selection.skipped.failed;
        } else if (row.caption.empty()) {
            ++selection.skipped.empty;
        } else if (!filter.include_flagged && has_flag_that_keeps_out(row)) {
            ++selection.skipped.flagged;
        } else {
            selection.rows.push_back(row);
        }
    }
    return selection;
}

std::optional<core::Error> check_one_caption_per_track(const Selection& selection) {
    std::map<std::string, std::size_t> per_track;
    Names models, prompts;
    for (const auto& row : selection.rows) {
        ++per_track[row.track_id];
        models.insert(row.model);
        prompts.insert(row.prompt);
    }
    const auto crowded =
        std::find_if(per_track.begin(), per_track.end(), [](const auto& entry) { return entry.second > 1; });
    if (crowded == per_track.end()) return std::nullopt;
    std::vector<std::string> narrow;
    if (models.size() > 1) narrow.push_back(fmt::format("--model (models: {})", listed(models)));
    if (prompts.size() > 1) narrow.push_back(fmt::format("--prompt (prompts: {})", listed(prompts)));
    return core::Error{fmt::format("this format takes one caption per track, but track '{}' has {}; choose one with {}",
                                   crowded->first, crowded->second, core::join(narrow, " and "))};
}

std::string skips_text(const Skips& skipped) {
    std::vector<std::string> parts;
    if (skipped.failed > 0) parts.push_back(fmt::format("{} failed", skipped.failed));
    if (skipped.empty > 0) parts.push_back(fmt::format("{} empty", skipped.empty));
    if (skipped.flagged > 0) {
        parts.push_back(fmt::format("{} flagged (use --include-flagged to keep them)", skipped.flagged));
    }
    return parts.empty() ? std::string() : "skipped " + core::join(parts, ", ");
}

}  // namespace tunecap::manifest
