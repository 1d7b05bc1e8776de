// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "step_rows.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using tunecap::testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A store created and closed again, ready to be tampered with through a raw connection.
std::filesystem::path closed_store(const TempDir& dir) {
    const auto path = dir / "tunecap.db";
    auto store = Store::open(path);
    if (!store) throw core::Failure(store.error());
    return path;
}

TEST(StoreSchema, UsesWalJournalMode) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    RawDatabase raw(path);
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
}

TEST(StoreSchema, RecordsApplicationAndSchemaVersion) {
    TempDir dir;
    RawDatabase raw(closed_store(dir));
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE name = 'application'"), "tunecap");
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE name = 'schema_version'"), "1");
    EXPECT_EQ(raw.text("SELECT typeof(value) FROM meta WHERE name = 'schema_version'"), "integer");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'steps_by_track'"), "1");
}

TEST(StoreSchema, FileThatIsNotSqliteIsAnErrorNamingTheFile) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    const std::string content = "phase,model\nflamingo,music_flamingo\n" + std::string(4096, 'x');
    write_file(path, content);
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("not a database")));
    EXPECT_EQ(read_file(path), content);
}

TEST(StoreSchema, NewerSchemaVersionIsAnErrorNamingTheFile) {
    TempDir dir;
    const auto path = closed_store(dir);
    RawDatabase(path).execute("UPDATE meta SET value = 2 WHERE name = 'schema_version'");
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("schema_version 2 is newer")));
}

TEST(StoreSchema, DatabaseOfAnotherProgramIsAnErrorAndIsLeftAlone) {
    TempDir dir;
    const auto path = dir / "library.db";
    RawDatabase(path).execute("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');");
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("not a tunecap store")));
    RawDatabase raw(path);
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_schema"), "1");
}

TEST(StoreSchema, ForeignMetaTableIsAnError) {
    TempDir dir;
    const auto path = dir / "other.db";
    RawDatabase(path).execute("CREATE TABLE meta (name TEXT, value ANY); INSERT INTO meta VALUES ('schema_version', 1);");
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("not a tunecap store")));
}

TEST(StoreSchema, MissingSchemaVersionIsAnError) {
    TempDir dir;
    const auto path = closed_store(dir);
    RawDatabase(path).execute("DELETE FROM meta WHERE name = 'schema_version'");
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("schema_version")));
}

TEST(StoreSchema, EmptyFileBecomesAStore) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    write_file(path, "");
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_TRUE((*store)->put_step(full_row("k")).ok());
}

TEST(StoreSchema, FolderThatCannotBeCreatedIsAnErrorNamingIt) {
    TempDir dir;
    write_file(dir / "out", "a file where the folder should be");
    const auto store = Store::open(dir / "out" / "tunecap.db");
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, HasSubstr((dir / "out").string()));
}

TEST(StoreSchema, DamagedFlagsThrowNamingTheFileAndStep) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->put_step(full_row("k")).ok());
    RawDatabase(path).execute("UPDATE steps SET flags = 'fallback_used,truncated'");
    try {
        (void)(*store)->find_step("k");
        FAIL() << "find_step returned";
    } catch (const core::Failure& failure) {
        EXPECT_THAT(failure.what(), AllOf(HasSubstr(path.string()), HasSubstr("step k")));
    }
}

}  // namespace
}  // namespace tunecap::store
