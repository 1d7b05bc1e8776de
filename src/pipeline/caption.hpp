// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// From what a model returned to the caption a step keeps and how the step ended. The runner uses it
// when a step finishes and `tunecap clean --results` when the cleaning rules change, so a stored
// output is judged the same way by both.

#include <optional>
#include <string_view>

#include "analysis/facts.hpp"
#include "claims/claims.hpp"
#include "clean/clean.hpp"
#include "store/store.hpp"

namespace tunecap::pipeline {

// Flags that say how the request was made, not what the cleaner did; re-deriving keeps them.
inline constexpr std::string_view kAudioCutFlag = "audio_cut";
// Every step of a track whose file ends well before its header says (TrackRecord::truncated).
inline constexpr std::string_view kTruncatedAudioFlag = clean::kTruncatedAudioFlag;

// Sets row.caption, row.flags (cleaning flags replace the previous ones; request flags such as
// audio_cut stay), row.outcome and row.error from row.raw_output (and row.reasoning), and row.claims
// from the caption and the track's facts (verdicts only when there are facts). `options` are
// completed from the row: row.finish_reason "length" cleans the output as cut off. A step is failed,
// with an error that says why, when no usable caption remains: the model gave only reasoning or a
// prompt echo (a Harmony output without a final channel, an unclosed think block, an empty answer
// beside reasoning_content), refused, chatted, was cut off before its first sentence ended, or left
// nothing; otherwise it is done with no error, its flags telling whether the caption may train.
void derive_caption(store::StepRow& row, clean::CleanOptions options, const std::optional<analysis::Facts>& facts);

// What tunecap measured, as the facts claims are checked against (with their confidences).
claims::Facts claim_facts(const analysis::Facts& facts);

}  // namespace tunecap::pipeline
