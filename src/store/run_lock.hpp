// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One run at a time per output folder. Two runs on the same --out would both do all the work (each
// plans every step before the other has stored any). The lock is an flock on <out>/tunecap.lock,
// which the kernel releases when the process ends however it ends, so a killed run never leaves
// the folder locked.

#include <filesystem>

#include "core/result.hpp"

namespace tunecap::store {

class RunLock {
public:
    // Takes the lock, or an error naming the folder and the process that holds it.
    static core::Result<RunLock> acquire(const std::filesystem::path& out_dir);
    RunLock(RunLock&& other) noexcept;
    RunLock& operator=(RunLock&&) = delete;
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;
    ~RunLock();

private:
    explicit RunLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

}  // namespace tunecap::store
