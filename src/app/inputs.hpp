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
    std::vector<report::TrackFailure> failures;  // paths that do not exist or cannot be listed
};

// Folders are searched recursively for audio extensions (sorted); files named explicitly are taken
// as given; a file named twice is taken once.
Inputs collect_inputs(const std::vector<std::string>& args);

}  // namespace tunecap::app
