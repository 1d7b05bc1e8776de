// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text of each export format, from entries alone: no file is read or written here.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/entry.hpp"

namespace tunecap::manifest {

// A whole file's text and what went into it.
struct Document {
    std::string text;
    std::size_t rows = 0;
    std::vector<std::string> errors;  // an entry left out: one line naming its file and the reason
};

// One JSON object per line: file, track_id, caption, phase, model, prompt, genres, facts (object
// or null), flags. A file name that is not UTF-8 is written as report::put_path writes it (a
// display name and its exact bytes in "file_hex").
Document jsonl_document(const std::vector<Entry>& entries);

// RFC 4180: CRLF line ends, a header row, fields holding a comma, quote, CR or LF in quotes with
// quotes doubled. Genres and flags are joined with "; "; bpm, key and loudness_lufs are empty when
// not measured.
inline constexpr std::string_view kCsvHeader = "file,track_id,caption,phase,model,prompt,genres,bpm,key,loudness_lufs,flags";
Document csv_document(const std::vector<Entry>& entries);
std::string csv_field(std::string_view text);

// Hugging Face AudioFolder's metadata.jsonl for a metadata file in `folder` (absolute, lexically
// normal): file_name relative to it, text, phase, model, prompt, genres. AudioFolder takes only
// files in that folder or below it (no "../"), and its file_name is text: any other entry, or one
// whose name below the folder is not UTF-8, is an error.
Document audiofolder_document(const std::vector<Entry>& entries, const std::filesystem::path& folder);

// `file` relative to `folder` when it is inside it (both absolute, lexically normal).
std::optional<std::filesystem::path> path_under(const std::filesystem::path& file, const std::filesystem::path& folder);

// The deepest folder holding every entry's file; empty when there are no entries.
std::filesystem::path common_folder(const std::vector<Entry>& entries);

}  // namespace tunecap::manifest
