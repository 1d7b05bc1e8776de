// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// File names into JSON, the one way every JSON writer of tunecap does it. A file name is bytes;
// JSON text is UTF-8. A name that is UTF-8 is written as it is, under `key`. A name that is not
// is written twice: under `key` as UTF-8 with each invalid byte shown as U+FFFD (for people and
// search; it names no file), and under `key` + "_hex" as its exact bytes in lower-case hex. In
// Python, the exact bytes of an object `d` with a "file":
//     name = bytes.fromhex(d["file_hex"]) if "file_hex" in d else d["file"].encode()

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tunecap::report {

void put_path(nlohmann::ordered_json& object, const std::string& key, const std::filesystem::path& path);

// Lower-case hex of the bytes, two digits each.
std::string hex_bytes(std::string_view bytes);

// Text of a JSON document that holds no file name unencoded: any invalid UTF-8 left in it (from
// tags, model output) becomes U+FFFD instead of an exception.
std::string dump_text(const nlohmann::ordered_json& document, int indent = -1);

}  // namespace tunecap::report
