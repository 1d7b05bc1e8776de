// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Makes writes fail for real, as a full disk would, even for root (who ignores permissions): while
// it lives, this process may not grow a file past `bytes`, and a write that would gets EFBIG
// instead of the SIGXFSZ that would end the test.

#include <sys/resource.h>

#include <csignal>
#include <stdexcept>

namespace tunecap::testing {

class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        if (::getrlimit(RLIMIT_FSIZE, &m_previous) != 0) throw std::runtime_error("getrlimit failed");
        m_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = m_previous;
        limited.rlim_cur = bytes;
        if (::setrlimit(RLIMIT_FSIZE, &limited) != 0) throw std::runtime_error("setrlimit failed");
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_previous);
        std::signal(SIGXFSZ, m_handler);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit m_previous{};
    void (*m_handler)(int) = SIG_DFL;
};

}  // namespace tunecap::testing
