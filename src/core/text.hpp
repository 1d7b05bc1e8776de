// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small string helpers shared by several modules.

#include <string>
#include <string_view>
#include <vector>

namespace tunecap::core {

std::string_view trim(std::string_view text);
std::string to_lower_ascii(std::string_view text);
bool iequals_ascii(std::string_view a, std::string_view b);
// Lower-case ASCII letters and digits, other runs become one '-', at most max_length characters.
std::string slug(std::string_view text, std::size_t max_length = 48);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace tunecap::core
