// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/inputs.hpp"

#include <algorithm>
#include <set>

#include "audio/audio.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

std::string kind_of(fs::file_type type) {
    switch (type) {
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    default: return "not a regular file";
    }
}

// The audio files under a folder, recursively; each folder that cannot be listed is a failure
// naming it, and the others are still searched. Symbolic links to folders are not followed (a
// link to a parent would loop); links to files are.
void find_audio(const fs::path& folder, std::vector<fs::path>& found, std::vector<report::TrackFailure>& failures) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
            find_audio(it->path(), found, failures);
        } else if (it->is_regular_file(type_ec) && audio::is_audio_extension(it->path())) {
            found.push_back(it->path());
        }
    }
    if (ec) failures.push_back({folder, folder.string() + ": cannot list folder: " + ec.message()});
}

}  // namespace

Inputs collect_inputs(const std::vector<std::string>& args) {
    Inputs inputs;
    std::set<fs::path> seen;
    auto add = [&](const fs::path& path) {
        std::error_code ec;
        auto key = fs::weakly_canonical(path, ec);
        if (ec) key = path;
        if (seen.insert(key).second) inputs.tracks.push_back(path);
    };
    for (const auto& arg : args) {
        const fs::path path(arg);
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (fs::is_directory(status)) {
            std::vector<fs::path> found;
            const auto failures_before = inputs.failures.size();
            find_audio(path, found, inputs.failures);
            if (found.empty() && inputs.failures.size() == failures_before) {
                inputs.failures.push_back({path, path.string() + ": no audio files found in this folder"});
            }
            std::sort(found.begin(), found.end());
            for (const auto& file : found) add(file);
        } else if (fs::is_regular_file(status)) {
            add(path);
        } else if (fs::exists(status)) {
            // A FIFO or a device would be read forever: only regular files are tracks.
            inputs.failures.push_back({path, path.string() + ": " + kind_of(status.type()) + ", not an audio file"});
        } else {
            inputs.failures.push_back({path, path.string() + ": no such file or folder"});
        }
    }
    return inputs;
}

}  // namespace tunecap::app
