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
    "fallback_used",     "no_answer",          "cut_off",                "refusal",
    "chat_reply",        "json_unwrapped",     "repetition",             "empty"};

constexpr std::array<std::string_view, 14> kStageNames{
    "fold",  "structure", "reasoning", "special_tokens", "unfinished", "code_fences", "json",
    "noise", "markdown",  "lead_in",   "chat",           "notes",      "repetition",  "normalise"};

// Flags that keep a caption out of training (is_flagged).
constexpr std::array<Flag, 7> kQualityFlags{Flag::fallback_used, Flag::empty,      Flag::no_final_channel,
                                            Flag::no_answer,     Flag::refusal,    Flag::chat_reply,
                                            Flag::repetition};

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

// How the text a pass reads ends: the raw output the token limit cut, or anything else (a later
// pass reads a caption, which ends with a period and is complete).
enum class Ending { complete, cut_by_limit };

Pass run_pass(std::string_view input, Family family, Ending ending) {
    const bool cut_off = ending == Ending::cut_by_limit;
    StageOutput folded = fold_stage(input);
    Pass pass{std::move(folded.text), folded.flags, {}};
    const std::string folded_raw = cut_off ? pass.text : std::string();
    apply(Stage::structure, structure_stage(pass.text, family), pass);
    apply(Stage::reasoning, reasoning_stage(pass.text, family), pass);
    apply(Stage::special_tokens, special_tokens_stage(pass.text), pass);
    if (cut_off) apply(Stage::unfinished, unfinished_stage(pass.text, folded_raw), pass);
    apply(Stage::code_fences, code_fences_stage(pass.text), pass);
    apply(Stage::json, json_stage(pass.text), pass);
    apply(Stage::noise, noise_stage(pass.text), pass);
    apply(Stage::markdown, markdown_stage(pass.text), pass);
    apply(Stage::lead_in, lead_in_stage(pass.text), pass);
    apply(Stage::chat, chat_stage(pass.text), pass);
    apply(Stage::notes, notes_stage(pass.text), pass);
    apply(Stage::repetition, repetition_stage(pass.text), pass);
    apply(Stage::normalise, normalise_stage(pass.text), pass);
    return pass;
}

// Runs passes until the text is a fixed point, so that cleaning a caption again changes nothing.
void run_to_fixed_point(Pass& total, Family family, Ending ending) {
    for (int i = 0; i < kMaxPasses; ++i) {
        Pass pass = run_pass(total.text, family, i == 0 ? ending : Ending::complete);
        total.flags |= pass.flags;
        total.fallbacks.insert(total.fallbacks.end(), pass.fallbacks.begin(), pass.fallbacks.end());
        if (pass.text == total.text) return;
        total.text = std::move(pass.text);
    }
}

// Cuts until the caption fits: the budget is a promise whatever the input. A cut caption is cleaned
// again (a cut can expose a wrapper), which almost always leaves it as it is; should rounds of
// cutting and cleaning not settle, nothing is kept rather than a caption over the budget.
void fit_budget(Pass& total, int budget, const TokenCounter& counter, Family family) {
    for (int cut = 0; counter.count(total.text) > budget; ++cut) {
        total.flags.add(Flag::truncated);
        if (cut == kMaxCuts) {
            total.text.clear();
            return;
        }
        total.text = truncate_to_budget(total.text, budget, counter);
        run_to_fixed_point(total, family, Ending::complete);
    }
}

// Nothing remains of an output that held reasoning or a prompt echo, and no refusal, chat reply,
// cut answer or budget explains it: the model never answered.
bool never_answered(const FlagSet& flags) {
    const bool held_reasoning = flags.has(Flag::reasoning_removed) || flags.has(Flag::no_final_channel) ||
                                flags.has(Flag::prompt_echo_removed);
    const bool other_cause = flags.has(Flag::refusal) || flags.has(Flag::chat_reply) ||
                             flags.has(Flag::cut_off) || flags.has(Flag::truncated);
    return held_reasoning && !other_cause;
}

}  // namespace

std::string_view to_string(Flag flag) { return kFlagNames.at(static_cast<std::size_t>(flag)); }
std::string_view to_string(Stage stage) { return kStageNames.at(static_cast<std::size_t>(stage)); }

bool is_flagged(std::string_view flag_name) {
    return flag_name == kTruncatedAudioFlag || std::any_of(kQualityFlags.begin(), kQualityFlags.end(),
                       [&](Flag flag) { return to_string(flag) == flag_name; });
}

bool CleanResult::has(Flag flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

CleanResult clean_caption(std::string_view raw, const CleanOptions& options) {
    const EstimateCounter estimate;
    const TokenCounter& counter = options.counter ? *options.counter : estimate;

    Pass total{std::string(raw), {}, {}};
    run_to_fixed_point(total, options.family, options.cut_off ? Ending::cut_by_limit : Ending::complete);
    if (options.max_t5_tokens) fit_budget(total, *options.max_t5_tokens, counter, options.family);
    if (total.text.empty()) {
        total.flags.add(Flag::empty);
        if (never_answered(total.flags)) total.flags.add(Flag::no_answer);
    }

    CleanResult result;
    result.caption = std::move(total.text);
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
