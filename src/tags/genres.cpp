// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting, merging and the source chain. File formats live in info_file.cpp and tag_reader.cpp.
#include "tags/genres.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "core/text.hpp"

namespace tunecap::tags {
namespace {

constexpr std::string_view kSeparators{",;/|\0", 5};
constexpr std::string_view kFallbackGenre = "Unknown";

// Appends each non-empty, trimmed piece of text unless an ASCII-case-insensitive equal is already
// present, so the first spelling seen wins. `folded` holds the lower-cased spellings kept so far:
// one hash lookup per piece, where comparing with every kept name made 100,000 genres quadratic.
void append_split(std::string_view text, std::vector<std::string>& out, std::unordered_set<std::string>& folded) {
    while (true) {
        const std::size_t end = text.find_first_of(kSeparators);
        const std::string_view piece = core::trim(text.substr(0, end));
        if (!piece.empty() && folded.insert(core::to_lower_ascii(piece)).second) out.emplace_back(piece);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

// The first kMaxGenres of names; more is a warning naming where they came from.
std::vector<std::string> first_genres(const std::vector<std::string>& names, std::string_view origin,
                                      std::vector<std::string>& warnings) {
    if (names.size() <= kMaxGenres) return names;
    warnings.push_back(fmt::format("{}: {} genres; only the first {} are kept", origin, names.size(), kMaxGenres));
    return {names.begin(), names.begin() + kMaxGenres};
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
    std::unordered_set<std::string> folded;
    append_split(text, out, folded);
    return out;
}

std::vector<std::string> normalise_genres(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    std::unordered_set<std::string> folded;
    for (const std::string& value : values) append_split(value, out, folded);
    return out;
}

// A source that is present but unusable (unreadable or invalid .INFO, a file TagLib cannot open)
// adds one warning and the chain moves on; a source that is valid but empty moves on silently,
// because a side-car or a tag set without genres is normal, not a fault.
// --info replaces the co-located .INFO lookup rather than preceding it: the user named the file
// to use, so a broken --info falls through to the tags, never to a side-car the user did not pick.
// The source that wins gives at most kMaxGenres genres, with a warning when it had more.
GenreResult resolve_genres(const std::filesystem::path& track, const GenreOptions& options, InfoIndex& index) {
    GenreResult result;

    if (options.cli) {
        const std::vector<std::string> names = split_genres(*options.cli);
        if (!names.empty()) {
            result.genres = {first_genres(names, "--genre", result.warnings), GenreSource::cli, {}};
            return result;
        }
    }

    const std::optional<std::filesystem::path> info = options.info ? options.info : index.find(track);
    if (info) {
        const core::Result<std::vector<std::string>>& names = index.genres(*info);
        if (!names.ok()) {
            result.warnings.push_back(names.error().message);
        } else if (!names->empty()) {
            result.genres = {first_genres(names.value(), info->string(), result.warnings), GenreSource::info,
                             info->string()};
            return result;
        }
    }

    core::Result<std::vector<std::string>> names = read_tag_genres(track);
    if (!names.ok()) {
        result.warnings.push_back(names.error().message);
    } else if (!names->empty()) {
        result.genres = {first_genres(names.value(), track.string(), result.warnings), GenreSource::tags,
                         track.string()};
        return result;
    }

    result.genres = {{std::string(kFallbackGenre)}, GenreSource::fallback, {}};
    return result;
}

GenreResult resolve_genres(const std::filesystem::path& track, const GenreOptions& options) {
    InfoIndex index;
    return resolve_genres(track, options, index);
}

}  // namespace tunecap::tags
