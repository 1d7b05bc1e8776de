// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Replacing a file so that a reader, or a crash, sees either the old bytes or the new ones.

#include <filesystem>
#include <string_view>

#include "core/result.hpp"

namespace tunecap::core {

// Writes `bytes` to a new file in path's folder (created when missing), flushes it to disk (with
// `sync`; files tunecap can derive again need not wait for the disk) and renames it over `path`. The new file takes the permission bits and, where the process may set
// them, the owner and group of `like` (default: the file it replaces), else it is made like any new
// file. On any failure `path` is untouched, the temporary file is removed, and the error names the
// file and the reason.
enum class Sync { yes, no };
core::Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                   const std::filesystem::path& like = {}, Sync sync = Sync::yes);

}  // namespace tunecap::core
