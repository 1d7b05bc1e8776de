// SPDX-License-Identifier: GPL-3.0-or-later
// .INFO side-cars: reading their genres. Which one belongs to a track is info_index.cpp's.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>

#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kGenresKey = "genres";
constexpr std::string_view kMusicBrainzGenresKey = "musicbrainz_genres";

// nlohmann quotes the token it stopped at, whole: a reason is cut after this many bytes, so that a
// 100 KB token in a broken file still makes a short warning (the byte offset is given before it).
constexpr std::size_t kMaxReasonBytes = 200;

// Warnings are one short line each: bytes quoted back from a broken file must not break that.
std::string one_line(std::string_view text) {
    std::string out;
    if (text.size() > kMaxReasonBytes) {
        std::size_t cut = kMaxReasonBytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a code point
        out = std::string(text.substr(0, cut)) + "...";
    } else {
        out = text;
    }
    std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return out;
}

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: <reason>";
// the byte offset is reported separately, so only the reason is kept.
std::string parse_reason(const json::parse_error& error) {
    std::string_view what = error.what();
    const std::size_t colon = what.find(": ");
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
    return one_line(what);
}

// Any other nlohmann error: "[json.exception.out_of_range.406] number overflow parsing '1e400'"
// keeps what follows the bracket.
std::string other_reason(const json::exception& error) {
    std::string_view what = error.what();
    const std::size_t bracket = what.find("] ");
    if (bracket != std::string_view::npos) what.remove_prefix(bracket + 2);
    return one_line(what);
}

// Appends the genres under key. A missing key or null means "no genres"; any other shape is an
// error naming the key, so the user can fix the file.
core::Status collect(const json& object, std::string_view key, std::vector<std::string>& out) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return core::Ok{};
    const std::string shape = fmt::format("'{}' must be a string or a list of strings", key);
    if (found->is_string()) {
        out.push_back(found->get<std::string>());
        return core::Ok{};
    }
    if (!found->is_array()) return core::Error{fmt::format("{} (found {})", shape, found->type_name())};
    for (std::size_t i = 0; i < found->size(); ++i) {
        const json& item = (*found)[i];
        if (!item.is_string()) return core::Error{fmt::format("{} (item {} is {})", shape, i, item.type_name())};
        out.push_back(item.get<std::string>());
    }
    return core::Ok{};
}

}  // namespace

core::Result<std::vector<std::string>> read_info_file(const fs::path& path) {
    const auto fail = [&path](std::string_view reason) {
        return core::Error{fmt::format("{}: {}", path.string(), reason)};
    };

    std::error_code status_error;
    const fs::file_status status = fs::status(path, status_error);
    if (status_error) return fail(fmt::format("cannot read: {}", status_error.message()));
    if (!fs::is_regular_file(status)) return fail("cannot read: not a regular file");

    std::ifstream stream(path, std::ios::binary);
    if (!stream) return fail(fmt::format("cannot read: {}", std::generic_category().message(errno)));
    const std::string text{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
    if (stream.bad()) return fail("cannot read: I/O error");

    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& error) {
        return fail(fmt::format("invalid JSON at byte {}: {}", error.byte, parse_reason(error)));
    } catch (const json::exception& error) {
        // A number beyond a double is out_of_range (406), thrown by the same parse.
        return fail(fmt::format("invalid JSON: {}", other_reason(error)));
    }
    if (!document.is_object()) {
        return fail(fmt::format("the top level must be a JSON object (found {})", document.type_name()));
    }

    std::vector<std::string> values;
    for (const std::string_view key : {kGenresKey, kMusicBrainzGenresKey}) {
        const core::Status collected = collect(document, key, values);
        if (!collected.ok()) return fail(collected.error().message);
    }
    return normalise_genres(values);
}

}  // namespace tunecap::tags
