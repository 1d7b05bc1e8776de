// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The report's charts: one bar chart per measure, one row per group (phase and model), each a
// <figure> holding an inline SVG.

#include <string>
#include <vector>

#include "html/chart.hpp"
#include "metrics/metrics.hpp"

namespace tunecap::html {

// Caption length, fact agreement, genre-hint following, outcomes, latency, tokens per second.
std::vector<BarChart> metric_charts(const metrics::Metrics& metrics);
std::string render_charts(const metrics::Metrics& metrics);

}  // namespace tunecap::html
