// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting, merging and the source chain. File formats live in info_file.cpp and tag_reader.cpp.
#include "tags/genres.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace tunecap::tags {
namespace {

constexpr std::string_view kSeparators{",;/|\0", 5};
constexpr std::string_view kFallbackGenre = "Unknown";

// Appends each non-empty, trimmed piece of text unless an ASCII-case-insensitive equal is already
// present, so the first spelling seen wins.
void append_split(std::string_view text, std::vector<std::string>& out) {
    while (true) {
        const std::size_t end = text.find_first_of(kSeparators);
        const std::string_view piece = core::trim(text.substr(0, end));
        const bool seen = std::any_of(out.begin(), out.end(), [piece](const std::string& existing) {
            return core::iequals_ascii(existing, piece);
        });
        if (!piece.empty() && !seen) out.emplace_back(piece);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

}  // namespace

std::string_view to_string(GenreSource source) {
    switch (source) {
        case GenreSource::cli: return "cli";
        case GenreSource::info: return "info";
        case GenreSource::tags: return "tags";
        case GenreSource::fallback: return "fallback";
    }
    return "fallback";
}

std::vector<std::string> split_genres(std::string_view text) {
    std::vector<std::string> out;
    append_split(text, out);
    return out;
}

std::vector<std::string> normalise_genres(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const std::string& value : values) append_split(value, out);
    return out;
}

// A source that is present but unusable (unreadable or invalid .INFO, a file TagLib cannot open)
// adds one warning and the chain moves on; a source that is valid but empty moves on silently,
// because a side-car or a tag set without genres is normal, not a fault.
// --info replaces the co-located .INFO lookup rather than preceding it: the user named the file
// to use, so a broken --info falls through to the tags, never to a side-car the user did not pick.
GenreResult resolve_genres(const std::filesystem::path& track, const GenreOptions& options) {
    GenreResult result;

    if (options.cli) {
        std::vector<std::string> names = split_genres(*options.cli);
        if (!names.empty()) {
            result.genres = {std::move(names), GenreSource::cli, {}};
            return result;
        }
    }

    const std::optional<std::filesystem::path> info = options.info ? options.info : find_info_file(track);
    if (info) {
        core::Result<std::vector<std::string>> names = read_info_file(*info);
        if (!names.ok()) {
            result.warnings.push_back(names.error().message);
        } else if (!names->empty()) {
            result.genres = {std::move(names).value(), GenreSource::info, info->string()};
            return result;
        }
    }

    core::Result<std::vector<std::string>> names = read_tag_genres(track);
    if (!names.ok()) {
        result.warnings.push_back(names.error().message);
    } else if (!names->empty()) {
        result.genres = {std::move(names).value(), GenreSource::tags, track.string()};
        return result;
    }

    result.genres = {{std::string(kFallbackGenre)}, GenreSource::fallback, {}};
    return result;
}

}  // namespace tunecap::tags
