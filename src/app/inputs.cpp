// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/inputs.hpp"

#include <algorithm>
#include <set>

#include "audio/audio.hpp"

namespace tunecap::app {

namespace fs = std::filesystem;

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
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> found;
            fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                if (it->is_regular_file(ec) && audio::is_audio_extension(it->path())) found.push_back(it->path());
            }
            if (ec) {
                inputs.failures.push_back({path, path.string() + ": cannot list folder: " + ec.message()});
                continue;
            }
            if (found.empty()) {
                inputs.failures.push_back({path, path.string() + ": no audio files found in this folder"});
                continue;
            }
            std::sort(found.begin(), found.end());
            for (const auto& file : found) add(file);
        } else if (fs::exists(path, ec)) {
            add(path);
        } else {
            inputs.failures.push_back({path, path.string() + ": no such file or folder"});
        }
    }
    return inputs;
}

}  // namespace tunecap::app
