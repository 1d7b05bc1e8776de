// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest/entry.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/text.hpp"

namespace tunecap::manifest {

Gathered gather(const std::vector<store::StepRow>& rows, const FindTrack& find_track, const std::filesystem::path& base) {
    Gathered out;
    std::map<std::string, std::optional<store::TrackRow>> tracks;  // each track is looked up once
    for (const auto& row : rows) {
        auto [it, added] = tracks.try_emplace(row.track_id);
        if (added) {
            it->second = find_track(row.track_id);
            if (!it->second) {
                out.errors.push_back(
                    fmt::format("track '{}': no track row in the store, so its file is unknown", row.track_id));
            }
        }
        if (!it->second) continue;
        const std::filesystem::path stored = it->second->file;
        const auto file = (stored.is_absolute() ? stored : base / stored).lexically_normal();
        out.entries.push_back(Entry{row, stored, file, report::read_track_info(it->second->info_json)});
    }
    return out;
}

Gathered one_track_per_file(Gathered gathered) {
    std::map<std::filesystem::path, std::set<std::string>> tracks_of_file;
    for (const auto& entry : gathered.entries) tracks_of_file[entry.file].insert(entry.row.track_id);
    Gathered out;
    out.errors = std::move(gathered.errors);
    for (const auto& [file, tracks] : tracks_of_file) {
        if (tracks.size() < 2) continue;
        out.errors.push_back(fmt::format("{}: the store holds {} tracks of this file ({}: its content changed between "
                                         "runs), so which caption describes it now is unknown",
                                         file.string(), tracks.size(), core::join({tracks.begin(), tracks.end()}, ", ")));
    }
    for (auto& entry : gathered.entries) {
        if (tracks_of_file[entry.file].size() < 2) out.entries.push_back(std::move(entry));
    }
    return out;
}

}  // namespace tunecap::manifest
