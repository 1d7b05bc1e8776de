// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/path_json.hpp"

#include "core/text.hpp"

namespace tunecap::report {

void put_path(nlohmann::ordered_json& object, const std::string& key, const std::filesystem::path& path) {
    const std::string& bytes = path.native();
    if (!core::invalid_utf8_at(bytes)) {
        object[key] = bytes;
        return;
    }
    object[key] = core::replace_invalid_utf8(bytes);
    object[key + "_hex"] = hex_bytes(bytes);
}

std::string hex_bytes(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes.size());
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        out += kDigits[byte >> 4];
        out += kDigits[byte & 0x0F];
    }
    return out;
}

std::string dump_text(const nlohmann::ordered_json& document, int indent) {
    return document.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace tunecap::report
