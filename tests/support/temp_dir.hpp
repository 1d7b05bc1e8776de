// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A temp folder per test, removed when the test ends.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace tunecap::testing {

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tunecap-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

// Runs a shell command line built by the test (fixed tools: ffmpeg, sox, metaflac, id3v2...);
// throws when it fails so a broken generator never passes silently. A tool that has not finished
// after two minutes (each takes well under a second) is killed, which counts as failing.
inline void run_tool(const std::string& command) {
    std::string quoted = "'";
    for (char c : command) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    const std::string bounded = "timeout --kill-after=5 120 sh -c " + quoted + " >/dev/null 2>&1";
    if (std::system(bounded.c_str()) != 0) throw std::runtime_error("test tool failed: " + command);
}

}  // namespace tunecap::testing
