// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/notes.hpp"

#include <array>
#include <cstddef>

namespace tunecap::core {

int pitch_class(char letter, std::string_view accidental) {
    static constexpr std::array kNatural = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
    const int pc = kNatural[static_cast<std::size_t>(letter - 'A')];
    if (accidental.empty()) return pc;
    const bool sharp = accidental == "#" || accidental == "♯" || accidental.find("harp") != std::string_view::npos;
    return mod12(pc + (sharp ? 1 : -1));
}

}  // namespace tunecap::core
