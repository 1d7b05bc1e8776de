// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tunecap::core {

// Standard alphabet with '=' padding (RFC 4648), as llama-server's input_audio expects.
std::string base64_encode(std::span<const std::uint8_t> bytes);

}  // namespace tunecap::core
