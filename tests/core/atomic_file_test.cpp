// SPDX-License-Identifier: GPL-3.0-or-later
// Atomic replacement: the old file or the new one, never half of one, and no temporary left over.
#include "core/atomic_file.hpp"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "file_size_limit.hpp"
#include "files.hpp"
#include "temp_dir.hpp"

namespace tunecap::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace tunecap::testing;

TEST(WriteFile, CreatesTheFolderAndLeavesOnlyTheFile) {
    TempDir temp;
    const auto path = temp / "a/b/metadata.jsonl";
    ASSERT_TRUE(write_file_atomically(path, "{}\n").ok());
    EXPECT_EQ(read_bytes(path), "{}\n");
    EXPECT_THAT(names_in(temp / "a/b"), ElementsAre("metadata.jsonl"));
}

TEST(WriteFile, AReplacedFileKeepsItsPermissionBits) {
    TempDir temp;
    const auto path = temp / "song.INFO";
    write_bytes(path, "{}");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    ASSERT_TRUE(write_file_atomically(path, R"({"a":1})").ok());
    EXPECT_EQ(fs::status(path).permissions(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    EXPECT_EQ(read_bytes(path), R"({"a":1})");
}

TEST(WriteFile, AFailedWriteLeavesTheOriginalAndNoTemporaryFile) {
    TempDir temp;
    const auto path = temp / "song.INFO";
    write_bytes(path, R"({"genres":"Dub"})");
    core::Status written = core::Ok{};
    {
        const FileSizeLimit limit(64);
        written = write_file_atomically(path, std::string(4096, 'x'));
    }
    ASSERT_FALSE(written.ok());
    EXPECT_THAT(written.error().message, HasSubstr(path.string() + ": cannot write: File too large"));
    EXPECT_EQ(read_bytes(path), R"({"genres":"Dub"})");
    EXPECT_THAT(names_in(temp.path()), ElementsAre("song.INFO"));
}

TEST(WriteFile, AFailedRenameLeavesNoTemporaryFile) {
    TempDir temp;
    const auto path = temp / "metadata.jsonl";
    fs::create_directories(path / "inside");  // a folder that is not empty cannot be renamed over
    const auto written = write_file_atomically(path, "{}\n");
    ASSERT_FALSE(written.ok());
    EXPECT_THAT(written.error().message, HasSubstr(path.string() + ": cannot replace:"));
    EXPECT_THAT(names_in(temp.path()), ElementsAre("metadata.jsonl"));
    EXPECT_TRUE(fs::is_directory(path / "inside"));
}

}  // namespace
}  // namespace tunecap::core
