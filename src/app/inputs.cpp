// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/inputs.hpp"

#include <fnmatch.h>

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

bool matches(const std::string& glob, const fs::path& below_folder) {
    const fs::path subject = glob.find('/') == std::string::npos ? below_folder.filename() : below_folder;
    return ::fnmatch(glob.c_str(), subject.c_str(), 0) == 0;
}

// One folder given on the command line being searched.
struct Search {
    const InputFilter& filter;
    std::vector<fs::path> found;
    std::size_t left_out = 0;  // audio files the filter did not take
    std::vector<report::TrackFailure>& failures;
};

// The audio files under a folder, recursively; each folder that cannot be listed is a failure
// naming it, and the others are still searched. Symbolic links to folders are not followed (a
// link to a parent would loop); links to files are. `below` is `folder` spelled from the folder
// given, for the filter.
void find_audio(const fs::path& folder, const fs::path& below, Search& search) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        const fs::path name = it->path().filename();
        if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
            find_audio(it->path(), below / name, search);
        } else if (it->is_regular_file(type_ec) && audio::is_audio_extension(it->path())) {
            if (search.filter.takes(below / name)) {
                search.found.push_back(it->path());
            } else {
                ++search.left_out;
            }
        }
    }
    if (ec) search.failures.push_back({folder, folder.string() + ": cannot list folder: " + ec.message()});
}

std::string nothing_found(std::size_t left_out) {
    if (left_out == 0) return ": no audio files found in this folder";
    return ": no audio file in this folder passes --include/--exclude (" + std::to_string(left_out) + " left out)";
}

}  // namespace

bool InputFilter::takes(const fs::path& below_folder) const {
    const auto match = [&below_folder](const std::string& glob) { return matches(glob, below_folder); };
    if (!include.empty() && std::none_of(include.begin(), include.end(), match)) return false;
    return std::none_of(exclude.begin(), exclude.end(), match);
}

InputFilter input_filter(const CommandLine& line) { return {line.all("--include"), line.all("--exclude")}; }

Inputs collect_inputs(const std::vector<std::string>& args, const InputFilter& filter) {
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
            Search search{filter, {}, 0, inputs.failures};
            const auto failures_before = inputs.failures.size();
            find_audio(path, {}, search);
            if (search.found.empty() && inputs.failures.size() == failures_before) {
                inputs.failures.push_back({path, path.string() + nothing_found(search.left_out)});
            }
            std::sort(search.found.begin(), search.found.end());
            for (const auto& file : search.found) add(file);
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
