// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The genre chain of DESIGN.md section 1 item 1: the first source that yields any genre wins.
//   1. --genre (comma separated)
//   2. --info FILE, else the track's .INFO side-car (find_info_file)
//   3. tags through TagLib
//   4. fallback ["Unknown"]

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "tags/info_index.hpp"

namespace tunecap::tags {

enum class GenreSource { cli, info, tags, fallback };
std::string_view to_string(GenreSource source);

struct Genres {
    std::vector<std::string> names;
    GenreSource source = GenreSource::fallback;
    std::string origin;  // the file that supplied them (.INFO or the track), empty for cli/fallback
};

struct GenreOptions {
    std::optional<std::string> cli;                // --genre
    std::optional<std::filesystem::path> info;     // --info
};

// The most genres a track keeps, from whichever source wins: a caption's genre hint needs a few,
// and a source with thousands is broken (the rest are dropped with a warning naming the source).
constexpr std::size_t kMaxGenres = 64;

struct GenreResult {
    Genres genres;
    std::vector<std::string> warnings;  // one line each, naming the file and the reason
};

// Splits on , ; / | and on control characters (NUL, newlines, ESC, DEL, C1), trims, drops empties,
// dedupes case-insensitively keeping the first spelling.
std::vector<std::string> split_genres(std::string_view text);
// Applies split_genres to each value and merges in order with the same dedupe.
std::vector<std::string> normalise_genres(const std::vector<std::string>& values);

// .INFO side-car: JSON object with "genres" and/or "musicbrainz_genres", each a string or a list of
// strings; both keys merge. Error when unreadable, not JSON, or of the wrong shape.
core::Result<std::vector<std::string>> read_info_file(const std::filesystem::path& path);
// The .INFO side-car of a track, the first of: "<stem>.INFO" beside it (any letter case);
// "<folder>.INFO" beside its folder; the only *.INFO in its folder, unless named after an audio file
// or a subfolder there (info_index.cpp has the details). Lists the folders for this call alone:
// for many tracks, share an InfoIndex.
std::optional<std::filesystem::path> find_info_file(const std::filesystem::path& track);

// Genre tags through TagLib's property map (FLAC/Vorbis/Opus/MP3/M4A...): GENRE (multi-valued),
// ID3v2 TCON with numeric "(17)" / "17" references resolved to names, MP4 ©gen/gnre, and
// MusicBrainz genre fields where present. Error only when the file cannot be opened by TagLib.
core::Result<std::vector<std::string>> read_tag_genres(const std::filesystem::path& track);
// ID3v1 genre number -> name (0..191 as TagLib knows them); nullopt when out of range.
std::optional<std::string> id3_genre_name(int number);

// The whole chain for one track; `index` is shared by the tracks of a run, so that each folder is
// listed and each .INFO parsed once.
GenreResult resolve_genres(const std::filesystem::path& track, const GenreOptions& options, InfoIndex& index);
// The same with an index of its own, for a single track.
GenreResult resolve_genres(const std::filesystem::path& track, const GenreOptions& options);

}  // namespace tunecap::tags
