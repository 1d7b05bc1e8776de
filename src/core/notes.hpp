// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Note spelling, shared by what tunecap measures (analysis) and what captions claim (claims).

#include <string_view>

namespace tunecap::core {

// n folded into 0..11.
inline int mod12(int n) { return ((n % 12) + 12) % 12; }

// The pitch class (C = 0 ... B = 11) of a note letter (A-G, upper case) with an accidental as
// written: "#", "♯", "-sharp", " sharp" raise; "b", "♭", "-flat", " flat" lower; empty leaves it.
int pitch_class(char letter, std::string_view accidental);

}  // namespace tunecap::core
