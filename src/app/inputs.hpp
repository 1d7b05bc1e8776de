// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audio files named on a command line.

#include <filesystem>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "report/json_output.hpp"

namespace tunecap::app {

struct Inputs {
    std::vector<std::filesystem::path> tracks;
    // Paths that do not exist, folders (or subfolders) that cannot be listed, and what is not a
    // regular file (a FIFO, a device): one line each, naming it and why.
    std::vector<report::TrackFailure> failures;
};

// --include / --exclude: which audio files found in folders are tracks (the stems beside a
// full_mix, say, are not). Globs as fnmatch(3) takes them, on bytes, case-sensitive; '*' and '?'
// also match '/' and a leading '.'. A glob without '/' is matched against the file name, one with
// '/' against the path below the folder given ("*/full_mix.*" at any depth below it).
struct InputFilter {
    std::vector<std::string> include;  // empty: every audio file; else one must match
    std::vector<std::string> exclude;  // none may match

    bool takes(const std::filesystem::path& below_folder) const;
};

// --include and --exclude as `line` gives them.
InputFilter input_filter(const CommandLine& line);

// Folders are searched recursively for audio extensions (sorted) that pass `filter`; regular files
// named explicitly are taken as given, whatever the filter; a file named twice is taken once.
Inputs collect_inputs(const std::vector<std::string>& args, const InputFilter& filter = {});

}  // namespace tunecap::app
