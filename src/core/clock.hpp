// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace tunecap::core {

// Now as ISO 8601 UTC to the second: "2026-11-26T01:05:09Z".
std::string utc_now_iso();

}  // namespace tunecap::core
