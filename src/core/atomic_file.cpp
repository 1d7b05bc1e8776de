// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <random>

namespace tunecap::core {
namespace {

namespace fs = std::filesystem;

// A temporary file that is removed unless it was renamed into place.
class TempFile {
public:
    TempFile(fs::path path, int fd) : m_path(std::move(path)), m_fd(fd) {}
    ~TempFile() {
        if (m_fd >= 0) ::close(m_fd);
        if (!m_renamed) ::unlink(m_path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return m_fd; }
    const fs::path& path() const { return m_path; }
    // Closes the descriptor; an error number when close reports a failed write.
    int close() {
        const int rc = ::close(m_fd);
        m_fd = -1;
        return rc == 0 ? 0 : errno;
    }
    void renamed() { m_renamed = true; }

private:
    fs::path m_path;
    int m_fd;
    bool m_renamed = false;
};

std::string reason(int error_number) { return std::strerror(error_number); }

// A new file beside `path`, hidden and not named *.INFO, so neither a listing nor tunecap's own
// side-car search picks it up. Created with mode 0666 less the umask, like any new file; a name
// already taken (left by a killed process) is passed over.
std::optional<TempFile> create_temp(const fs::path& path, std::string& error) {
    std::random_device random;
    const auto folder = path.parent_path();
    for (int attempt = 0; attempt < 16; ++attempt) {
        const auto name = fmt::format(".{}.tunecap-{}-{:08x}.tmp", path.filename().string(), ::getpid(), random());
        const auto temp = folder / name;
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) return std::optional<TempFile>(std::in_place, temp, fd);
        if (errno != EEXIST) {
            error = fmt::format("{}: cannot create a temporary file beside it: {}", path.string(), reason(errno));
            return std::nullopt;
        }
    }
    error = fmt::format("{}: cannot create a temporary file beside it: every name tried is taken", path.string());
    return std::nullopt;
}

int write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

// The mode and owner of the file replaced (or copied) carry over: a side-car a user made private
// stays private, and so does its backup.
void keep_mode_and_owner(const fs::path& path, int fd) {
    struct stat original {};
    if (::stat(path.c_str(), &original) != 0) return;
    ::fchmod(fd, original.st_mode & 07777);
    // Only root may give a file away; anyone else owns the new file already, so a refusal is fine.
    [[maybe_unused]] const int given = ::fchown(fd, original.st_uid, original.st_gid);
}

// The rename itself reaches the disk only with the folder; without it a crash could bring back
// the old file. A folder that cannot be synced (some network file systems) is not an error.
void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

core::Status write_file_atomically(const fs::path& path, std::string_view bytes, const fs::path& like, Sync sync) {
    const auto folder = path.parent_path();
    std::error_code ec;
    if (!folder.empty()) fs::create_directories(folder, ec);
    if (ec) return core::Error{fmt::format("{}: cannot create the folder: {}", folder.string(), ec.message())};
    std::string error;
    auto temp = create_temp(path, error);
    if (!temp) return core::Error{error};
    keep_mode_and_owner(like.empty() ? path : like, temp->fd());
    if (const int failed = write_all(temp->fd(), bytes); failed != 0) {
        return core::Error{fmt::format("{}: cannot write: {}", path.string(), reason(failed))};
    }
    if (sync == Sync::yes && ::fsync(temp->fd()) != 0) {
        return core::Error{fmt::format("{}: cannot write: {}", path.string(), reason(errno))};
    }
    if (const int failed = temp->close(); failed != 0) {
        return core::Error{fmt::format("{}: cannot write: {}", path.string(), reason(failed))};
    }
    if (::rename(temp->path().c_str(), path.c_str()) != 0) {
        return core::Error{fmt::format("{}: cannot replace: {}", path.string(), reason(errno))};
    }
    temp->renamed();
    if (sync == Sync::yes) sync_folder(folder);
    return core::Ok{};
}

}  // namespace tunecap::core
