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

// Sets row.caption, row.flags (cleaning flags replace the previous ones; request flags such as
// audio_cut stay), row.outcome and row.error from row.raw_output, and row.claims from the caption
// and the track's facts (verdicts only when there are facts). A step is failed when no usable
// caption remains, or when a Harmony output never reached its final channel (what is left is the
// model's analysis, not an answer to train on); otherwise done with no error.
void derive_caption(store::StepRow& row, const clean::CleanOptions& options, const std::optional<analysis::Facts>& facts);

// What tunecap measured, as the facts claims are checked against (with their confidences).
claims::Facts claim_facts(const analysis::Facts& facts);

}  // namespace tunecap::pipeline
