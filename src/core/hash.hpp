// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tunecap::core {

// SHA-256 of a file's bytes, lower-case hex; the identity of a track's audio content.
Result<std::string> sha256_file(const std::filesystem::path& path);
// A model file's identity without reading gigabytes: its size and the SHA-256 of its first
// head_bytes (a GGUF's metadata: architecture, tokenizer, chat template, tensor layout) and last
// tail_bytes (the last tensor's weights, which differ between fine-tunes of one layout). Stable
// when the file is moved, copied or touched. "size:hex".
Result<std::string> file_fingerprint(const std::filesystem::path& path, std::uint64_t head_bytes = 16u << 20,
                                     std::uint64_t tail_bytes = 1u << 20);
// SHA-256 of a string, lower-case hex.
std::string sha256_hex(std::string_view data);

}  // namespace tunecap::core
