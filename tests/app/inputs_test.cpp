// SPDX-License-Identifier: GPL-3.0-or-later
// The tracks a command line names: regular audio files, found in folders recursively; anything else
// is one line naming it.
#include "app/inputs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<std::string> messages(const Inputs& inputs) {
    std::vector<std::string> out;
    for (const auto& failure : inputs.failures) out.push_back(failure.error);
    return out;
}

TEST(CollectInputs, AFifoOrADeviceIsOneLineAndNotATrack) {
    tunecap::testing::TempDir dir;
    const auto fifo = dir / "pipe.flac";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::ofstream(dir / "song.flac") << "x";
    const auto inputs = collect_inputs({fifo.string(), "/dev/zero", (dir / "song.flac").string()});
    EXPECT_THAT(inputs.tracks, ElementsAre(dir / "song.flac"));
    EXPECT_THAT(messages(inputs), ElementsAre(fifo.string() + ": a FIFO, not an audio file",
                                              "/dev/zero: a character device, not an audio file"));
}

TEST(CollectInputs, FoldersAreSearchedRecursivelyWithoutFollowingLinkedFolders) {
    tunecap::testing::TempDir dir;
    fs::create_directories(dir / "Artist - Album - Track");
    std::ofstream(dir / "Artist - Album - Track" / "full_mix.flac") << "x";
    std::ofstream(dir / "a.mp3") << "x";
    std::ofstream(dir / "notes.txt") << "x";
    ASSERT_EQ(::mkfifo((dir / "pipe.wav").c_str(), 0600), 0);  // in a folder: not a track either
    fs::create_directory_symlink(dir.path(), dir / "loop");       // would never end if followed
    const auto inputs = collect_inputs({dir.path().string()});
    EXPECT_THAT(inputs.tracks, ElementsAre(dir / "Artist - Album - Track" / "full_mix.flac", dir / "a.mp3"));
    EXPECT_TRUE(inputs.failures.empty());
}

// What collect_inputs finds in `dir`, as a user without root's right to read every folder: this
// process itself, or when it is root (as in CI), a forked child that becomes "nobody" (uid and gid
// 65534) before reading and sends its findings back through a pipe, a NUL after each. nullopt
// with the reason in `why` when neither can be done.
struct Found {
    std::vector<fs::path> tracks;
    std::vector<std::string> errors;
};
std::optional<Found> collect_without_root(const fs::path& dir, std::string& why) {
    if (::geteuid() != 0) {
        const auto inputs = collect_inputs({dir.string()});
        return Found{inputs.tracks, messages(inputs)};
    }
    constexpr uid_t kNobody = 65534;
    const auto fail = [&why](std::string reason) {
        why = std::move(reason);
        return std::optional<Found>();
    };
    int pipe_ends[2];
    if (::pipe(pipe_ends) != 0) return fail("pipe failed");
    const pid_t child = ::fork();
    if (child < 0) return fail("fork failed");
    if (child == 0) {
        ::close(pipe_ends[0]);
        std::string reply;
        if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
            reply = "!cannot become nobody (uid 65534)";
        } else if (::access(dir.c_str(), R_OK | X_OK) != 0) {
            reply = "!nobody cannot read " + dir.string();
        } else {
            const auto inputs = collect_inputs({dir.string()});
            for (const auto& track : inputs.tracks) (reply += "T" + track.string()) += '\0';
            for (const auto& message : messages(inputs)) (reply += "F" + message) += '\0';
        }
        for (std::size_t sent = 0; sent < reply.size();) {
            const ssize_t n = ::write(pipe_ends[1], reply.data() + sent, reply.size() - sent);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::_exit(0);
    }
    ::close(pipe_ends[1]);
    std::string reply;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_ends[0], buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_ends[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fail("the child collecting as nobody failed");
    if (reply.starts_with("!")) return fail(reply.substr(1));
    Found found;
    for (std::size_t start = 0, end; (end = reply.find('\0', start)) != std::string::npos; start = end + 1) {
        const std::string item = reply.substr(start + 1, end - start - 1);
        if (reply[start] == 'T') found.tracks.emplace_back(item);
        if (reply[start] == 'F') found.errors.push_back(item);
    }
    return found;
}

TEST(CollectInputs, AnUnreadableSubfolderIsOneLineAndTheRestIsFound) {
    tunecap::testing::TempDir dir;
    fs::create_directories(dir / "locked");
    std::ofstream(dir / "locked" / "b.flac") << "x";
    std::ofstream(dir / "a.flac") << "x";
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);  // for nobody, when root
    fs::permissions(dir / "locked", fs::perms::none);
    std::string why;
    const auto found = collect_without_root(dir.path(), why);
    fs::permissions(dir / "locked", fs::perms::owner_all);
    if (!found) GTEST_SKIP() << "running as root, and " << why;
    EXPECT_THAT(found->tracks, ElementsAre(dir / "a.flac"));
    ASSERT_EQ(found->errors.size(), 1u);
    EXPECT_THAT(found->errors[0], HasSubstr((dir / "locked").string() + ": cannot list folder"));
}

// my_music/Artist - Album - Track/ holds full_mix.flac and its stems; files named on the command
// line are taken whatever the filter.
class FilteredInputs : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : {"full_mix.flac", "drums.mp3", "bass.mp3", "other.mp3", "vocals.mp3"}) {
            fs::create_directories(track_dir());
            std::ofstream(track_dir() / name) << "x";
        }
        std::ofstream(m_dir / "loose.flac") << "x";
    }
    fs::path track_dir() const { return m_dir / "Artist - Album - Track"; }
    std::vector<fs::path> tracks(const InputFilter& filter, std::vector<std::string> args = {}) const {
        if (args.empty()) args = {m_dir.path().string()};
        return collect_inputs(args, filter).tracks;
    }
    tunecap::testing::TempDir m_dir;
};

TEST_F(FilteredInputs, IncludeTakesOnlyMatchingFileNames) {
    EXPECT_THAT(tracks({{"full_mix.*"}, {}}), ElementsAre(track_dir() / "full_mix.flac"));
    EXPECT_THAT(tracks({{"full_mix.*", "*.flac"}, {}}), ElementsAre(track_dir() / "full_mix.flac", m_dir / "loose.flac"));
}

TEST_F(FilteredInputs, ExcludeLeavesMatchingFileNamesOut) {
    EXPECT_THAT(tracks({{}, {"drums.*", "vocals.*", "bass.*", "other.*"}}),
                ElementsAre(track_dir() / "full_mix.flac", m_dir / "loose.flac"));
    EXPECT_THAT(tracks({{"*.mp3"}, {"drums.*", "vocals.*"}}),
                ElementsAre(track_dir() / "bass.mp3", track_dir() / "other.mp3"));
}

// A glob with '/' is matched against the path below the folder given, and its '*' crosses folders.
TEST_F(FilteredInputs, AGlobWithASlashMatchesThePathBelowTheFolderGiven) {
    EXPECT_THAT(tracks({{"*/full_mix.*"}, {}}), ElementsAre(track_dir() / "full_mix.flac"));
    EXPECT_THAT(tracks({{"Artist - Album - Track/full_mix.flac"}, {}}), ElementsAre(track_dir() / "full_mix.flac"));
    EXPECT_THAT(tracks({{"*/full_mix.*"}, {}}, {(m_dir / "Artist - Album - Track").string()}), ElementsAre())
        << "below this folder the path is just the file name";
    EXPECT_THAT(tracks({{"loose.flac"}, {"*/*"}}), ElementsAre(m_dir / "loose.flac"));
}

TEST_F(FilteredInputs, AFileNamedOnTheCommandLineIsAlwaysTaken) {
    const auto drums = track_dir() / "drums.mp3";
    EXPECT_THAT(tracks({{"full_mix.*"}, {"drums.*"}}, {drums.string(), m_dir.path().string()}),
                ElementsAre(drums, track_dir() / "full_mix.flac"));
}

// File names are bytes: a name that is not UTF-8 is matched like any other.
TEST_F(FilteredInputs, NamesThatAreNotUtf8Match) {
    std::ofstream(track_dir() / "Caf\xe9.flac") << "x";
    EXPECT_THAT(tracks({{"Caf\xe9*"}, {}}), ElementsAre(track_dir() / "Caf\xe9.flac"));
    EXPECT_THAT(tracks({{"Caf?.flac"}, {}}), ElementsAre(track_dir() / "Caf\xe9.flac"));
}

TEST_F(FilteredInputs, AFolderWhereTheFilterTakesNothingIsOneLine) {
    const auto inputs = collect_inputs({track_dir().string()}, {{"*.wav"}, {}});
    EXPECT_TRUE(inputs.tracks.empty());
    EXPECT_THAT(messages(inputs),
                ElementsAre(track_dir().string() + ": no audio file in this folder passes --include/--exclude (5 left out)"));
}

}  // namespace
}  // namespace tunecap::app
