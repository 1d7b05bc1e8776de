// SPDX-License-Identifier: GPL-3.0-or-later
// .INFO side-cars: finding the one that belongs to a track, and reading its genres.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "core/text.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kGenresKey = "genres";
constexpr std::string_view kMusicBrainzGenresKey = "musicbrainz_genres";
constexpr std::string_view kInfoExtension = ".INFO";

bool is_info_name(const fs::path& name) { return core::iequals_ascii(name.extension().string(), kInfoExtension); }

// Warnings are one line each: bytes quoted back from a broken file must not break that.
std::string one_line(std::string_view text) {
    std::string out(text);
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

// "<stem>.INFO" in any letter case comes first (".INFO" before ".info" before other spellings, so
// the choice is stable when several exist). Otherwise exactly one *.INFO (any letter case) in the
// folder is the folder's; several are ambiguous, so none is used. Only regular files (or links to
// them) count. An unreadable folder yields none; read errors are reported by read_info_file.
std::optional<fs::path> find_info_file(const fs::path& track) {
    // Results are spelled relative to the track as given ("song.INFO" for "song.flac").
    const fs::path folder = track.parent_path();
    const fs::path stem = track.stem();

    std::vector<fs::path> infos;
    std::error_code error;
    for (fs::directory_iterator it(folder.empty() ? fs::path(".") : folder, error), end; !error && it != end; it.increment(error)) {
        const fs::path name = it->path().filename();
        std::error_code type_error;
        if (it->is_regular_file(type_error) && is_info_name(name)) infos.push_back(name);
    }
    if (error) return std::nullopt;

    const auto rank = [](const fs::path& name) {
        const std::string extension = name.extension().string();
        return extension == kInfoExtension ? 0 : extension == core::to_lower_ascii(kInfoExtension) ? 1 : 2;
    };
    std::optional<fs::path> same_stem;
    for (const fs::path& name : infos) {
        if (name.stem() != stem) continue;
        if (!same_stem || std::pair(rank(name), name) < std::pair(rank(*same_stem), *same_stem)) same_stem = name;
    }
    if (same_stem) return folder / *same_stem;

    if (infos.size() == 1) return folder / infos.front();
    return std::nullopt;
}

}  // namespace tunecap::tags
