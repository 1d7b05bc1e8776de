// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test audio written at test time by Debian tools, so no binary fixtures live in the repo.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "temp_dir.hpp"

namespace tunecap::tags::testing {

using tunecap::testing::run_tool;
using tunecap::testing::TempDir;

// Single-quoted for /bin/sh; TempDir paths are plain but a test may pick any name.
inline std::string quote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out.push_back(c);
        }
    }
    return out + "'";
}
inline std::string quote(const std::filesystem::path& path) { return quote(path.string()); }

// A 0.1 s silent 8 kHz mono clip encoded by ffmpeg; `arguments` choose codec and metadata, e.g.
// "-c:a flac" or "-c:a aac -metadata genre=Dub". Short and quiet so the suite stays fast under ASan.
inline std::filesystem::path make_audio(const TempDir& dir, const std::string& name, const std::string& arguments) {
    const std::filesystem::path path = dir / name;
    run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i anullsrc=r=8000:cl=mono -t 0.1 -map_metadata -1 " +
             arguments + " " + quote(path));
    return path;
}

inline std::filesystem::path make_mp3(const TempDir& dir, const std::string& name) {
    return make_audio(dir, name, "-c:a libmp3lame -b:a 32k");
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream stream(path, std::ios::binary);
    stream << content;
    ASSERT_TRUE(stream.good()) << path;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Deterministic noise, so a failure on a "corrupt" file reproduces.
inline std::string noise(std::size_t size, unsigned seed) {
    std::mt19937 engine(seed);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(engine() & 0xFFu);
    return out;
}

}  // namespace tunecap::tags::testing
