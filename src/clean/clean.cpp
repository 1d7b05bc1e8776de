// SPDX-License-Identifier: GPL-3.0-or-later
#include "clean/clean.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr std::array<std::string_view, kFlagCount> kFlagNames{
    "reasoning_removed", "no_final_channel",   "special_tokens_removed", "prompt_echo_removed",
    "wrapper_removed",   "preamble_removed",   "note_removed",           "noise_removed",
    "markdown_flattened", "characters_folded", "characters_removed",     "truncated",
    "fallback_used",     "empty"};

constexpr std::array<std::string_view, 10> kStageNames{
    "fold",     "structure", "reasoning", "special_tokens", "code_fences",
    "noise",    "markdown",  "lead_in",   "notes",          "normalise"};

// A pass is idempotent on almost every input after the first; the bound only guards against a
// rule interaction that would oscillate, which the fuzzer looks for.
constexpr int kMaxPasses = 8;
// Re-cleaning a cut caption may change it slightly (a wrapper exposed by the cut); a second cut
// always fits, the third is a guard.
constexpr int kMaxCuts = 3;

struct Pass {
    std::string text;
    FlagSet flags;
    std::vector<Stage> fallbacks;
};

// Keeps the stage's output unless it would blank content: then keeps the stage's salvage (or its
// input) and records the fallback.
void apply(Stage stage, StageOutput out, Pass& pass) {
    if (has_content(out.text) || !has_content(pass.text)) {
        pass.text = std::move(out.text);
        pass.flags |= out.flags;
        return;
    }
    if (out.salvage) {
        if (!has_content(*out.salvage)) {
            pass.text = std::move(out.text);
            pass.flags |= out.flags;
            return;
        }
        pass.text = std::move(*out.salvage);
    }
    pass.flags |= out.salvage_flags;
    pass.flags.add(Flag::fallback_used);
    pass.fallbacks.push_back(stage);
}

Pass run_pass(std::string_view input, Family family) {
    StageOutput folded = fold_stage(input);
    Pass pass{std::move(folded.text), folded.flags, {}};
    apply(Stage::structure, structure_stage(pass.text, family), pass);
    apply(Stage::reasoning, reasoning_stage(pass.text, family), pass);
    apply(Stage::special_tokens, special_tokens_stage(pass.text), pass);
    apply(Stage::code_fences, code_fences_stage(pass.text), pass);
    apply(Stage::noise, noise_stage(pass.text), pass);
    apply(Stage::markdown, markdown_stage(pass.text), pass);
    apply(Stage::lead_in, lead_in_stage(pass.text), pass);
    apply(Stage::notes, notes_stage(pass.text), pass);
    apply(Stage::normalise, normalise_stage(pass.text), pass);
    return pass;
}

// Runs passes until the text is a fixed point, so that cleaning a caption again changes nothing.
void run_to_fixed_point(Pass& total, Family family) {
    for (int i = 0; i < kMaxPasses; ++i) {
        Pass pass = run_pass(total.text, family);
        total.flags |= pass.flags;
        total.fallbacks.insert(total.fallbacks.end(), pass.fallbacks.begin(), pass.fallbacks.end());
        if (pass.text == total.text) return;
        total.text = std::move(pass.text);
    }
}

}  // namespace

std::string_view to_string(Flag flag) { return kFlagNames.at(static_cast<std::size_t>(flag)); }
std::string_view to_string(Stage stage) { return kStageNames.at(static_cast<std::size_t>(stage)); }

bool is_flagged(std::string_view flag_name) {
    return flag_name == to_string(Flag::fallback_used) || flag_name == to_string(Flag::empty) ||
           flag_name == to_string(Flag::no_final_channel);
}

bool CleanResult::has(Flag flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

CleanResult clean_caption(std::string_view raw, const CleanOptions& options) {
    const EstimateCounter estimate;
    const TokenCounter& counter = options.counter ? *options.counter : estimate;

    Pass total{std::string(raw), {}, {}};
    run_to_fixed_point(total, options.family);
    if (options.max_t5_tokens) {
        for (int cut = 0; cut < kMaxCuts && counter.count(total.text) > *options.max_t5_tokens;
             ++cut) {
            total.text = truncate_to_budget(total.text, *options.max_t5_tokens, counter);
            total.flags.add(Flag::truncated);
            run_to_fixed_point(total, options.family);
        }
    }

    CleanResult result;
    result.caption = std::move(total.text);
    if (result.caption.empty()) total.flags.add(Flag::empty);
    for (std::size_t i = 0; i < kFlagCount; ++i) {
        if (total.flags.has(static_cast<Flag>(i))) result.flags.push_back(static_cast<Flag>(i));
    }
    std::sort(total.fallbacks.begin(), total.fallbacks.end());
    total.fallbacks.erase(std::unique(total.fallbacks.begin(), total.fallbacks.end()),
                          total.fallbacks.end());
    result.fallbacks = std::move(total.fallbacks);
    result.t5_tokens = counter.count(result.caption);
    return result;
}

}  // namespace tunecap::clean
