// SPDX-License-Identifier: GPL-3.0-or-later
// The tracks a command line names: regular audio files, found in folders recursively; anything else
// is one line naming it.
#include "app/inputs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

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

TEST(CollectInputs, AnUnreadableSubfolderIsOneLineAndTheRestIsFound) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads every folder";
    tunecap::testing::TempDir dir;
    fs::create_directories(dir / "locked");
    std::ofstream(dir / "locked" / "b.flac") << "x";
    std::ofstream(dir / "a.flac") << "x";
    fs::permissions(dir / "locked", fs::perms::none);
    const auto inputs = collect_inputs({dir.path().string()});
    fs::permissions(dir / "locked", fs::perms::owner_all);
    EXPECT_THAT(inputs.tracks, ElementsAre(dir / "a.flac"));
    ASSERT_EQ(inputs.failures.size(), 1u);
    EXPECT_THAT(inputs.failures[0].error, HasSubstr((dir / "locked").string() + ": cannot list folder"));
}

}  // namespace
}  // namespace tunecap::app
