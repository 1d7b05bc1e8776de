// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How measured facts are scored against ground truth (MIREX conventions), shared by the corpus
// tests and bench_facts.

#include "analysis/facts.hpp"

namespace tunecap::analysis {

// A tempo agrees within 4% at x1 (Accuracy1), or with `octaves` also at x2, x1/2, x3, x1/3
// (Accuracy2).
bool tempo_agrees(double estimate, double truth, bool octaves);

// MIREX key weighting: the same key 1, a fifth apart 0.5, relative 0.3, parallel 0.2, else 0.
double key_score(const Key& estimate, int truth_tonic, bool truth_minor);

}  // namespace tunecap::analysis
