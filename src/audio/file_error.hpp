// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/audio: the one-line form every audio error takes, "<path>: <reason>".

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"

namespace tunecap::audio {

inline core::Error file_error(const std::filesystem::path& path, std::string_view reason) {
    std::string message = path.string();
    message += ": ";
    message += reason;
    return core::Error{std::move(message)};
}

}  // namespace tunecap::audio
