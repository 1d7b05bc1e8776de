// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/store (and its tests): a step's flags as the text of one column, a JSON array of
// strings, e.g. ["fallback_used","truncated"]. JSON so the column reads plainly in the sqlite3 shell
// and SQLite's json_each() can query it. Hand-written because the store must not link a JSON
// library (STYLE.md, "Parse at the edge") and needs only this one shape.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tunecap::store {

// Escapes '"', '\' and control bytes; every other byte is copied as is. Valid UTF-8 flags give
// valid JSON; any bytes at all round-trip through decode_flags.
std::string encode_flags(const std::vector<std::string>& flags);

// Reads what encode_flags writes, and any JSON array of strings (whitespace, \uXXXX escapes and
// surrogate pairs included, as a hand or a JSON function might write it). nullopt for anything else.
std::optional<std::vector<std::string>> decode_flags(std::string_view text);

}  // namespace tunecap::store
