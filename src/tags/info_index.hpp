// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The .INFO side-cars of a run's tracks: which one belongs to a track, and its genres. Each folder
// is listed once and each .INFO read once, however many tracks share them: listing a folder of
// 2,000 tracks once per track, and parsing a 10 MB folder-wide .INFO once per track, made planning
// take minutes.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tunecap::tags {

// One per run or command, used from one thread. It answers from what it first saw: a .INFO added,
// removed or changed while it lives is not seen (a run does not change its inputs).
class InfoIndex {
public:
    // The side-car of `track` by the rules of find_info_file (genres.hpp), spelled from the track's
    // path as given.
    std::optional<std::filesystem::path> find(const std::filesystem::path& track);
    // read_info_file(info), read on the first call for this path only.
    const core::Result<std::vector<std::string>>& genres(const std::filesystem::path& info);

private:
    // What one listing of a folder tells the rules. Names are bytes (native strings).
    struct Folder {
        std::map<std::string, std::string> info_by_stem;  // stem -> its preferred *.INFO file name
        std::size_t info_count = 0;                       // every *.INFO, all spellings
        std::set<std::string> audio_stems;                // a .INFO so named is that audio file's own
        std::set<std::string> subfolders;                 // a .INFO so named is that folder's tracks'
    };

    const Folder& listing(const std::filesystem::path& folder);
    std::optional<std::filesystem::path> named_after(const std::filesystem::path& folder);

    std::map<std::filesystem::path, Folder> m_folders;
    std::map<std::filesystem::path, core::Result<std::vector<std::string>>> m_genres;
};

}  // namespace tunecap::tags
