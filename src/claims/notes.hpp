// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Note spelling shared by extraction and --key parsing (private to the module).

#include <string_view>

namespace tunecap::claims {

// The pitch class of a note letter (A-G, upper case) with an accidental as written: "#", "♯",
// "-sharp", " sharp" raise; "b", "♭", "-flat", " flat" lower; empty leaves it.
int pitch_class(char letter, std::string_view accidental);

}  // namespace tunecap::claims
