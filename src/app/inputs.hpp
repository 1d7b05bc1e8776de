// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audio files named on a command line.

#include <filesystem>
#include <string>
#include <vector>

#include "report/json_output.hpp"

namespace tunecap::app {

struct Inputs {
    std::vector<std::filesystem::path> tracks;
    // Paths that do not exist, folders (or subfolders) that cannot be listed, and what is not a
    // regular file (a FIFO, a device): one line each, naming it and why.
    std::vector<report::TrackFailure> failures;
};

// Folders are searched recursively for audio extensions (sorted); regular files named explicitly
// are taken as given; a file named twice is taken once.
Inputs collect_inputs(const std::vector<std::string>& args);

}  // namespace tunecap::app
