// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/report: the JSON values the public functions serialise, for the writers that
// embed them in a larger document (a track file) without a round trip through text.

#include <string_view>

#include <nlohmann/json.hpp>

#include "analysis/facts.hpp"

namespace tunecap::report {

nlohmann::ordered_json facts_object(const analysis::Facts& facts);

}  // namespace tunecap::report
