// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Integrated loudness as ffmpeg's ebur128 filter reports it: an independent meter to check ours
// against (corpus tests, bench_facts).

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace tunecap::testing {

// NaN when ffmpeg cannot read the file or prints no summary.
inline double ffmpeg_integrated_lufs(const std::filesystem::path& file) {
    const std::string command = "timeout 120 ffmpeg -nostats -hide_banner -i '" + file.string() +
                                "' -af ebur128 -f null - 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return NAN;
    double lufs = NAN;
    bool summary = false;
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) {
        const std::string text(line);
        if (text.find("Summary:") != std::string::npos) summary = true;
        if (const auto at = text.find(" I:"); summary && at != std::string::npos) lufs = std::strtod(line + at + 3, nullptr);
    }
    ::pclose(pipe);
    return lufs;
}

}  // namespace tunecap::testing
