// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A caption's tempo and key claims as JSON, checked against facts when there are any: for
// `tunecap claims` and every step of the track files.

#include <optional>
#include <string>
#include <string_view>

#include "analysis/facts.hpp"
#include "claims/claims.hpp"

namespace tunecap::report {

// A JSON array: each claim's kind, value, the text it came from, and with facts its verdict.
std::string claims_json(std::string_view caption, const claims::Facts* facts);

// What tunecap measured, as the facts claims are checked against (with their confidences).
claims::Facts claim_facts(const analysis::Facts& facts);

}  // namespace tunecap::report
