// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `tunecap export --format info`: a caption written into a track's .INFO side-car, the JSON object
// the prototype's toolchain keeps beside each track, under a key of its own.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace tunecap::manifest {

// "tunecap_<phase>_<model>_<prompt>", the names exactly as the config and the store spell them.
std::string info_key(const store::StepRow& row);

// The side-car of a track is the .INFO the genre chain reads (tags::find_info_file): "<stem>.INFO"
// beside the track, else "<folder>.INFO" beside its folder, else the only *.INFO in its folder.
// nullopt when there is none.
std::optional<std::filesystem::path> info_file_of(const std::filesystem::path& track);
// The side-cars of many tracks, in their order, each folder listed once.
std::vector<std::optional<std::filesystem::path>> info_files_of(const std::vector<std::filesystem::path>& tracks);

// The side-car text with `key` set to `caption`: every other key keeps its place and value, a new
// key comes last, and the layout (one line or indented, ASCII-only or not, a final newline) is the
// original's. nullopt when the key already holds the caption. An error (the reason alone) when the
// text is not a JSON object, or when rewriting it would change a value: an integer beyond 64 bits,
// a number too small for a double, or a key given twice.
core::Result<std::optional<std::string>> with_caption(std::string_view text, std::string_view key, std::string_view caption);

enum class InfoUpdate { written, unchanged };

struct InfoWrite {
    InfoUpdate update = InfoUpdate::unchanged;
    bool backed_up = false;  // this write made <file>.bak
};

// Sets `key` in the side-car at `path`. Before the first change to a file, its bytes are kept in
// "<file>.bak" (an existing .bak is never replaced: it stays the file as it was before tunecap
// first wrote to it). Both files are written atomically (core/atomic_file.hpp); a side-car that is a
// symbolic link is updated at its target. An error names the file and the reason.
core::Result<InfoWrite> write_caption(const std::filesystem::path& path, std::string_view key, std::string_view caption);

}  // namespace tunecap::manifest
