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
