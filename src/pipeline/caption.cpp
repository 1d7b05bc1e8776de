// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/caption.hpp"

#include <algorithm>
#include <string>

#include "claims/claims_json.hpp"
#include "claims/measured_facts.hpp"

namespace tunecap::pipeline {
namespace {

bool is_cleaning_flag(std::string_view name) {
    for (std::size_t i = 0; i < clean::kFlagCount; ++i) {
        if (clean::to_string(static_cast<clean::Flag>(i)) == name) return true;
    }
    return false;
}

}  // namespace

void derive_caption(store::StepRow& row, const clean::CleanOptions& options, const std::optional<analysis::Facts>& facts) {
    const auto cleaned = clean::clean_caption(row.raw_output, options);
    std::erase_if(row.flags, [](const std::string& flag) { return is_cleaning_flag(flag); });
    for (auto flag : cleaned.flags) row.flags.emplace_back(clean::to_string(flag));
    row.caption = cleaned.caption;
    row.outcome = store::StepOutcome::done;
    row.error.clear();
    if (!cleaned.usable()) {
        row.outcome = store::StepOutcome::failed;
        row.error = "the model's output holds no usable caption";
    } else if (cleaned.has(clean::Flag::no_final_channel)) {
        row.outcome = store::StepOutcome::failed;
        row.error = "Harmony output without a final channel: the model never answered";
    }
    const auto checked = facts ? std::optional(claim_facts(*facts)) : std::nullopt;
    row.claims = claims::to_json(row.caption, checked ? &*checked : nullptr);
}

claims::Facts claim_facts(const analysis::Facts& facts) { return claims::measured_facts(facts); }

}  // namespace tunecap::pipeline
