// SPDX-License-Identifier: GPL-3.0-or-later
#include "files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tunecap::fake_llama_server {
namespace {

void write_to(const std::string& path, const std::string& text, int flags) {
    if (path.empty()) return;
    const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

}  // namespace

void append_line(const std::string& path, const std::string& line) { write_to(path, line + "\n", O_APPEND); }

void write_text(const std::string& path, const std::string& text) { write_to(path, text, O_TRUNC); }

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    write_to(path, text, O_TRUNC);
}

bool readable_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

}  // namespace tunecap::fake_llama_server
