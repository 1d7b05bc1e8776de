// SPDX-License-Identifier: GPL-3.0-or-later
// "Each finished step commits at once": a child process writes steps and acknowledges each one
// through a pipe as soon as put_step returns; the parent kills it with SIGKILL (no destructors, no
// close, no checkpoint) and reopens the store, which must hold every acknowledged row, whole.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "step_rows.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using ::testing::IsEmpty;
using tunecap::testing::TempDir;

// A commit takes about a millisecond; this deadline only matters when the child hangs, and then the
// test fails instead of hanging. Generous because sanitizer builds run several times slower.
constexpr int kAckTimeoutMs = 10'000;
// Far more rows than a writer can commit before the parent kills it (the parent kills after a few
// dozen); the cap only keeps an orphaned writer from filling the disk.
constexpr int kMaxChildRows = 100'000;

// Step i as the child writes it: a raw output of a few kilobytes, so a torn write would show.
StepRow numbered_row(std::uint32_t i) {
    StepRow row = full_row("key-" + std::to_string(i), "track-" + std::to_string(i % 7));
    row.raw_output = std::string(3000 + i % 97, static_cast<char>('a' + i % 26)) + std::string(1, '\0') + "end";
    row.prompt_tokens = static_cast<int>(i);
    row.elapsed_ms = i * 1.25;
    return row;
}

// The writer, in the child: never returns. Writes `rows` steps, acknowledging each, then waits to be
// killed with the store still open. Exit codes: 2 open failed, 3 put_step failed, 4 pipe closed.
[[noreturn]] void run_writer(const std::filesystem::path& path, int ack_fd, int rows) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    auto store = Store::open(path);
    if (!store) ::_exit(2);
    for (int i = 0; i < rows; ++i) {
        const auto index = static_cast<std::uint32_t>(i);
        if (!(*store)->put_step(numbered_row(index)).ok()) ::_exit(3);
        if (::write(ack_fd, &index, sizeof index) != static_cast<ssize_t>(sizeof index)) ::_exit(4);
    }
    for (;;) ::pause();
}

// A forked writer and the read end of its acknowledgement pipe; kills and reaps it when destroyed.
class Writer {
public:
    Writer(const std::filesystem::path& path, int rows) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        m_pid = ::fork();
        if (m_pid < 0) throw std::runtime_error("fork failed");
        if (m_pid == 0) {
            ::close(fds[0]);
            run_writer(path, fds[1], rows);
        }
        ::close(fds[1]);
        m_ack_fd = fds[0];
    }
    ~Writer() {
        kill_and_reap();
        ::close(m_ack_fd);
    }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // The next acknowledged index; nullopt at end of file (the child is gone) or after the deadline.
    std::optional<std::uint32_t> next_ack() {
        pollfd ready{m_ack_fd, POLLIN, 0};
        if (::poll(&ready, 1, kAckTimeoutMs) != 1) return std::nullopt;
        std::uint32_t index = 0;
        if (::read(m_ack_fd, &index, sizeof index) != static_cast<ssize_t>(sizeof index)) return std::nullopt;
        return index;
    }

    // Returns the wait status.
    int kill_and_reap() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &m_status, 0);
            m_pid = -1;
        }
        return m_status;
    }

private:
    pid_t m_pid = -1;
    int m_ack_fd = -1;
    int m_status = 0;
};

std::vector<std::uint32_t> read_acks(Writer& writer, std::size_t count) {
    std::vector<std::uint32_t> acks;
    while (acks.size() < count) {
        const auto ack = writer.next_ack();
        if (!ack) break;
        acks.push_back(*ack);
    }
    return acks;
}

// The acknowledged rows that the store does not hold exactly as written.
std::vector<std::uint32_t> missing_or_changed(Store& store, const std::vector<std::uint32_t>& acks) {
    std::vector<std::uint32_t> bad;
    for (const auto index : acks) {
        if (store.find_step("key-" + std::to_string(index)) != numbered_row(index)) bad.push_back(index);
    }
    return bad;
}

void expect_killed(int status) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended otherwise: exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

TEST(StoreKill, EveryAcknowledgedRowSurvivesSigkillOfAnIdleWriter) {
    constexpr int kRows = 40;
    TempDir dir;
    const auto path = dir / "out" / "tunecap.db";
    Writer writer(path, kRows);
    const auto acks = read_acks(writer, kRows);
    ASSERT_EQ(acks.size(), static_cast<std::size_t>(kRows));
    expect_killed(writer.kill_and_reap());

    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_THAT(missing_or_changed(**store, acks), IsEmpty());
    EXPECT_EQ((*store)->all_steps().size(), static_cast<std::size_t>(kRows));
}

TEST(StoreKill, SigkillMidWriteLosesNoAcknowledgedRowAndTearsNone) {
    constexpr std::size_t kKillAfter = 60;
    TempDir dir;
    const auto path = dir / "tunecap.db";
    Writer writer(path, kMaxChildRows);
    auto acks = read_acks(writer, kKillAfter);
    ASSERT_EQ(acks.size(), kKillAfter);
    expect_killed(writer.kill_and_reap());
    // Rows acknowledged between the last read and the kill are still in the pipe.
    for (auto ack = writer.next_ack(); ack; ack = writer.next_ack()) acks.push_back(*ack);

    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_THAT(missing_or_changed(**store, acks), IsEmpty()) << "of " << acks.size() << " acknowledged rows";
    // At most the one row in flight when the kill landed was committed without an acknowledgement;
    // every row present is whole.
    const auto rows = (*store)->all_steps();
    EXPECT_GE(rows.size(), acks.size());
    EXPECT_LE(rows.size(), acks.size() + 1);
    for (const auto& row : rows) EXPECT_EQ(row, numbered_row(static_cast<std::uint32_t>(row.prompt_tokens)));
    EXPECT_EQ(RawDatabase(path).text("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace tunecap::store
