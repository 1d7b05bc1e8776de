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
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE name = 'schema_version'"), "3");
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
    RawDatabase(path).execute("UPDATE meta SET value = 4 WHERE name = 'schema_version'");
    const auto store = Store::open(path);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.error().message, AllOf(HasSubstr(path.string()), HasSubstr("schema_version 4 is newer")));
}

// A store as tunecap wrote it at schema_version 1 (one row per key) or 2 (one per key and track),
// before steps kept their claims.
void write_old_store(const std::filesystem::path& path, int version) {
    const std::string primary_key = version == 1 ? "PRIMARY KEY (key)" : "PRIMARY KEY (key, track_id)";
    RawDatabase(path).execute(R"sql(
CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT;
INSERT INTO meta VALUES ('application', 'tunecap'), ('schema_version', )sql" + std::to_string(version) + R"sql();
CREATE TABLE steps (
    key TEXT NOT NULL, track_id TEXT NOT NULL, phase TEXT NOT NULL, model TEXT NOT NULL,
    prompt TEXT NOT NULL, status TEXT NOT NULL, raw_output TEXT NOT NULL, reasoning TEXT NOT NULL,
    caption TEXT NOT NULL, flags TEXT NOT NULL, error TEXT NOT NULL, request TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
    elapsed_ms ANY, prompt_ms ANY, predicted_ms ANY, server_build TEXT NOT NULL, finished_at TEXT NOT NULL,
    )sql" + primary_key + R"sql(
) STRICT;
CREATE INDEX steps_by_track ON steps (track_id, phase, model, prompt, finished_at);
CREATE TABLE tracks (track_id TEXT PRIMARY KEY NOT NULL, file TEXT NOT NULL, content_hash TEXT NOT NULL,
                     info_json TEXT NOT NULL) STRICT;
CREATE TABLE loads (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, model TEXT NOT NULL,
                    load_seconds ANY, peak_gpu_mib ANY, restarts INTEGER NOT NULL, server_build TEXT NOT NULL) STRICT;
CREATE INDEX loads_by_run ON loads (run_id, id);
INSERT INTO steps VALUES ('old-key', 't1', 'flamingo', 'music_flamingo', 'brief', 'done', 'Raw.', '', 'A caption.',
                          '["wrapper_removed"]', '', 'Describe it.', 10, 5, 0, 1.5, 0.5, 1.0, 'b1', '2026-11-30T00:00:00Z');
)sql");
}

class OldStore : public ::testing::TestWithParam<int> {};

TEST_P(OldStore, IsUpgradedKeepingEveryRow) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    write_old_store(path, GetParam());
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    RawDatabase raw(path);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE name = 'schema_version'"), "3");
    const auto old = (*store)->find_step("old-key");
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->track_id, "t1");
    EXPECT_EQ(old->caption, "A caption.");
    EXPECT_EQ(old->flags, std::vector<std::string>{"wrapper_removed"});
    EXPECT_DOUBLE_EQ(old->elapsed_ms, 1.5);
    EXPECT_EQ(old->claims, "");  // not checked when it was stored: the track files check it afresh
    EXPECT_EQ(old->hint_kind, HintKind::none);
    EXPECT_EQ(old->finish_reason, "");  // not kept then: unknown
    // Rows are now one per key and track.
    auto copy = *old;
    copy.track_id = "t2";
    ASSERT_TRUE((*store)->put_step(copy).ok());
    EXPECT_EQ((*store)->all_steps().size(), 2u);
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'steps_by_track'"), "1");
    // Opening it again changes nothing.
    store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ((*store)->all_steps().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(StoreSchema, OldStore, ::testing::Values(1, 2),
                         [](const auto& info) { return "Version" + std::to_string(info.param); });

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

TEST(StoreSchema, AnUnknownHintKindThrowsNamingTheFileAndStep) {
    TempDir dir;
    const auto path = dir / "tunecap.db";
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->put_step(full_row("k")).ok());
    RawDatabase(path).execute("UPDATE steps SET hint_kind = 'sideways'");
    try {
        (void)(*store)->find_step("k");
        FAIL() << "find_step returned";
    } catch (const core::Failure& failure) {
        EXPECT_THAT(failure.what(), AllOf(HasSubstr(path.string()), HasSubstr("step k"), HasSubstr("'sideways'")));
    }
}

}  // namespace
}  // namespace tunecap::store
