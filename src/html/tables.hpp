// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The metrics and models tables. Each column says which way is better; the best value of a column
// is marked in every row that has it (rounded as shown, so equal-looking values are marked alike),
// unless fewer than two rows have a value or all of them are equal.

#include <string>

#include "metrics/metrics.hpp"

namespace tunecap::html {

// <table class="metrics"> with one row per group, and a legend naming the better direction of each
// column, generated from the same column list.
std::string render_metrics_table(const metrics::Metrics& metrics);
std::string render_models_table(const metrics::Metrics& metrics);
// The phrases every track gets: each group's most shared 4-grams and distinct-1/distinct-2.
std::string render_phrases_table(const metrics::Metrics& metrics);

// "phase / model" or "phase / model / prompt".
std::string group_label(const metrics::Group& group);

}  // namespace tunecap::html
