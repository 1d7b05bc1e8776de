// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tunecap::store {

core::Result<RunLock> RunLock::acquire(const std::filesystem::path& out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return core::Error{out_dir.string() + ": cannot create the folder: " + ec.message()};
    const auto path = out_dir / "tunecap.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return core::Error{path.string() + ": cannot open: " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        char holder[32] = {};
        const auto got = ::pread(fd, holder, sizeof holder - 1, 0);
        ::close(fd);
        if (error != EWOULDBLOCK) return core::Error{path.string() + ": cannot lock: " + std::strerror(error)};
        const std::string pid = got > 0 ? std::string(holder, static_cast<std::size_t>(got)) : "";
        return core::Error{out_dir.string() + ": another tunecap run" + (pid.empty() ? "" : " (pid " + pid + ")") +
                           " is using this output folder; wait for it to finish or use another --out"};
    }
    // Who holds it, for the message a second run prints. Failing to write it loses only the pid in
    // that message: the lock holds all the same.
    const auto pid = std::to_string(::getpid());
    [[maybe_unused]] const bool recorded =
        ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

RunLock::~RunLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

}  // namespace tunecap::store
