// SPDX-License-Identifier: GPL-3.0-or-later
// Which .INFO belongs to a track. The rules, in order (README.md, "What a run does", step 1):
//   1. its own "<stem>.INFO" beside it;
//   2. "<folder>.INFO" beside its folder, the prototype's layout (my_music/Artist - Track/full_mix.flac
//      and my_music/Artist - Track.INFO), unless an audio file there has that stem;
//   3. the only *.INFO in its folder, unless that .INFO is named after an audio file or a subfolder
//      there: then it belongs to that file or that folder's tracks, not to the others.
// ".INFO" matches in any letter case; of several spellings of one stem, ".INFO" comes before
// ".info" before the rest, so the choice is stable. Only regular files (or links to them) count.
// A folder that cannot be listed yields none; read errors are reported by read_info_file.
#include "tags/info_index.hpp"

#include <system_error>
#include <utility>

#include "audio/audio.hpp"
#include "core/text.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kInfoExtension = ".INFO";

bool is_info_name(const fs::path& name) { return core::iequals_ascii(name.extension().string(), kInfoExtension); }

int spelling_rank(const fs::path& name) {
    const std::string extension = name.extension().string();
    return extension == kInfoExtension ? 0 : extension == core::to_lower_ascii(kInfoExtension) ? 1 : 2;
}

bool is_preferred(const fs::path& name, const fs::path& current) {
    return std::pair(spelling_rank(name), name) < std::pair(spelling_rank(current), current);
}

// "", "." and ".." do not say what the folder is called.
bool names_a_folder(const fs::path& folder) {
    const fs::path name = folder.filename();
    return !name.empty() && name != "." && name != "..";
}

}  // namespace

std::optional<fs::path> find_info_file(const fs::path& track) {
    InfoIndex index;
    return index.find(track);
}

std::optional<fs::path> InfoIndex::find(const fs::path& track) {
    const fs::path folder = track.parent_path();
    const Folder& here = listing(folder);
    if (const auto own = here.info_by_stem.find(track.stem().native()); own != here.info_by_stem.end()) {
        return folder / own->second;
    }
    if (std::optional<fs::path> named = named_after(folder)) return named;
    if (here.info_count != 1) return std::nullopt;
    const auto& [stem, name] = *here.info_by_stem.begin();
    if (here.audio_stems.contains(stem) || here.subfolders.contains(stem)) return std::nullopt;
    return folder / name;
}

// Rule 2. Spelled as the track's path spells its folder ("Artist - Track/full_mix.flac" finds
// "Artist - Track.INFO"); a path that does not name its folder ("full_mix.flac", "./full_mix.flac")
// is made absolute, so running from inside the folder finds the same file.
std::optional<fs::path> InfoIndex::named_after(const fs::path& folder) {
    fs::path named = folder;
    if (!names_a_folder(named)) {
        std::error_code error;
        named = fs::absolute(folder.empty() ? fs::path(".") : folder, error).lexically_normal();
        if (error) return std::nullopt;
        if (!named.has_filename()) named = named.parent_path();  // "/music/Artist - Track/"
        if (!names_a_folder(named)) return std::nullopt;         // the root
    }
    const fs::path parent = named.parent_path();
    const std::string name = named.filename().native();
    const Folder& above = listing(parent);
    const auto found = above.info_by_stem.find(name);
    if (found == above.info_by_stem.end() || above.audio_stems.contains(name)) return std::nullopt;
    return parent / found->second;
}

const InfoIndex::Folder& InfoIndex::listing(const fs::path& folder) {
    const auto [entry, added] = m_folders.try_emplace(folder);
    if (!added) return entry->second;
    Folder listed;
    std::error_code error;
    for (fs::directory_iterator it(folder.empty() ? fs::path(".") : folder, error), end; !error && it != end;
         it.increment(error)) {
        const fs::path name = it->path().filename();
        std::error_code type_error;
        if (it->is_directory(type_error)) {
            listed.subfolders.insert(name.native());
            continue;
        }
        if (!it->is_regular_file(type_error)) continue;
        if (audio::is_audio_extension(name)) listed.audio_stems.insert(name.stem().native());
        if (!is_info_name(name)) continue;
        ++listed.info_count;
        const auto [best, first] = listed.info_by_stem.try_emplace(name.stem().native(), name.native());
        if (!first && is_preferred(name, best->second)) best->second = name.native();
    }
    if (!error) entry->second = std::move(listed);
    return entry->second;
}

const core::Result<std::vector<std::string>>& InfoIndex::genres(const fs::path& info) {
    auto found = m_genres.find(info);
    if (found == m_genres.end()) found = m_genres.emplace(info, read_info_file(info)).first;
    return found->second;
}

}  // namespace tunecap::tags
