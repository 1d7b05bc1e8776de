// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tunecap::core {

// SHA-256 of a file's bytes, lower-case hex; the identity of a track's audio content.
Result<std::string> sha256_file(const std::filesystem::path& path);
// SHA-256 of a string, lower-case hex.
std::string sha256_hex(std::string_view data);

}  // namespace tunecap::core
