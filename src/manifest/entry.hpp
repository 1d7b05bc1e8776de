// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A selected caption with what the store knows of its track: the file and the track's info.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "report/facts_json.hpp"
#include "store/store.hpp"

namespace tunecap::manifest {

struct Entry {
    store::StepRow row;
    // The track's file as the run stored it (absolute, or relative to where the run started), and
    // the same joined to the base folder when relative, lexically normal: the bytes as stored, so
    // names that are not UTF-8 still open.
    std::filesystem::path stored_file;
    std::filesystem::path file;
    report::TrackInfo info;
};

// An entry per row; a row whose track is not in the store (nothing says where its file is) is one
// line in `errors`.
struct Gathered {
    std::vector<Entry> entries;
    std::vector<std::string> errors;
};

using FindTrack = std::function<std::optional<store::TrackRow>(const std::string& track_id)>;

// `base` resolves relative file names: the folder the export runs in (absolute).
Gathered gather(const std::vector<store::StepRow>& rows, const FindTrack& find_track, const std::filesystem::path& base);

// For formats that give each audio file one text: when the same file is more than one track (its
// content changed between runs, so it has a track id per version), none of its entries is kept and
// it is one line in `errors`; guessing which version the caption describes would mislabel audio.
Gathered one_track_per_file(Gathered gathered);

}  // namespace tunecap::manifest
