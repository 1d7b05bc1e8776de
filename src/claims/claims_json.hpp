// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A caption's tempo and key claims as JSON, checked against facts when there are any: kept with
// every stored step, shown in the track files and printed by `tunecap claims`.

#include <string>
#include <string_view>

#include "claims/claims.hpp"

namespace tunecap::claims {

// A JSON array: each claim's kind, value, the text it came from, and with facts its verdict.
std::string to_json(std::string_view caption, const Facts* facts);

}  // namespace tunecap::claims
