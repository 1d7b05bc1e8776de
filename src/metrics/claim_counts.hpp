// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The tempo and key claims of one caption, counted by verdict.

#include "claims/claims.hpp"
#include "metrics/metrics.hpp"
#include "store/store.hpp"

namespace tunecap::metrics {

// Adds the claims of a done step to the counts: those stored with the step, or, for a row stored
// before steps kept their claims (claims empty), the caption's checked now against facts (nullptr:
// nothing measured, so every claim is unverified). A claim without a verdict counts as unverified.
void count_claims(const store::StepRow& row, const claims::Facts* facts, Count& tempo, Count& key);

}  // namespace tunecap::metrics
