// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting, merging and the source chain. File formats live in info_file.cpp and tag_reader.cpp.
#include "tags/genres.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "core/text.hpp"

namespace tunecap::tags {
namespace {

constexpr std::string_view kSeparators = ",;/|";
constexpr std::string_view kFallbackGenre = "Unknown";

// The length of the separator at text[i], 0 when there is none: one of kSeparators, or a control
// character (C0 with NUL and newlines, DEL, or C1 U+0080..U+009F, C2 80..C2 9F in UTF-8). A .INFO
// can spell any control as a \u escape and a tag can hold it raw; cut out, it cannot reach a
// prompt, a JSON file or a terminal.
std::size_t separator_at(std::string_view text, std::size_t i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F || kSeparators.find(text[i]) != std::string_view::npos) return 1;
    // 0xC2 only ever leads a sequence, so this never splits a character.
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return 2;
    return 0;
}

// Appends each non-empty, trimmed piece of text unless an ASCII-case-insensitive equal is already
// present, so the first spelling seen wins. `folded` holds the lower-cased spellings kept so far:
// one hash lookup per piece, where comparing with every kept name made 100,000 genres quadratic.
void append_split(std::string_view text, std::vector<std::string>& out, std::unordered_set<std::string>& folded) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size();) {
        const std::size_t separator = i == text.size() ? 1 : separator_at(text, i);
        if (separator == 0) {
            ++i;
            continue;
        }
        const std::string_view piece = core::trim(text.substr(start, i - start));
        if (!piece.empty() && folded.insert(core::to_lower_ascii(piece)).second) out.emplace_back(piece);
        i += separator;
        start = i;
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
