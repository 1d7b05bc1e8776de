// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/caption.hpp"

#include <algorithm>
#include <cctype>
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

bool has_letters_or_digits(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

// Why a step whose output holds no caption failed, from what the cleaner found.
std::string failure_reason(const clean::CleanResult& cleaned, bool cut_off) {
    using clean::Flag;
    if (cleaned.has(Flag::refusal)) return "the model refused to describe the audio (an apology or \"I can't\")";
    if (cleaned.has(Flag::chat_reply)) return "the model replied as a chat assistant instead of describing the audio";
    if (cleaned.has(Flag::no_answer)) {
        std::string reason = cleaned.has(Flag::reasoning_removed) || cleaned.has(Flag::no_final_channel)
                                 ? "the model gave no answer, only reasoning"
                                 : "the model gave no answer, only an echo of the prompt";
        if (cleaned.has(Flag::no_final_channel)) reason += " (Harmony output without a final channel)";
        if (cut_off) reason += "; the token limit cut it off";
        return reason;
    }
    if (cleaned.has(Flag::cut_off)) return "the token limit cut the output off before its first sentence ended";
    return "the model's output holds no usable caption";
}

}  // namespace

void derive_caption(store::StepRow& row, clean::CleanOptions options, const std::optional<analysis::Facts>& facts) {
    options.cut_off = clean::is_cut_off(row.finish_reason);
    auto cleaned = clean::clean_caption(row.raw_output, options);
    // A server that splits reasoning from the answer (reasoning_content) leaves an empty answer when
    // the model only reasoned: the same failure as an unclosed think block in the text.
    if (!cleaned.usable() && !cleaned.has(clean::Flag::no_answer) && !has_letters_or_digits(row.raw_output) &&
        has_letters_or_digits(row.reasoning)) {
        cleaned.flags.push_back(clean::Flag::reasoning_removed);
        cleaned.flags.push_back(clean::Flag::no_answer);
        std::sort(cleaned.flags.begin(), cleaned.flags.end());
        cleaned.flags.erase(std::unique(cleaned.flags.begin(), cleaned.flags.end()), cleaned.flags.end());
    }
    std::erase_if(row.flags, [](const std::string& flag) { return is_cleaning_flag(flag); });
    for (auto flag : cleaned.flags) row.flags.emplace_back(clean::to_string(flag));
    row.caption = cleaned.caption;
    row.outcome = store::StepOutcome::done;
    row.error.clear();
    if (!cleaned.usable()) {
        row.outcome = store::StepOutcome::failed;
        row.error = failure_reason(cleaned, options.cut_off);
    }
    const auto checked = facts ? std::optional(claim_facts(*facts)) : std::nullopt;
    row.claims = claims::to_json(row.caption, checked ? &*checked : nullptr);
}

claims::Facts claim_facts(const analysis::Facts& facts) { return claims::measured_facts(facts); }

}  // namespace tunecap::pipeline
