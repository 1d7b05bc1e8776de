// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/store.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>

#include "store/flags_text.hpp"
#include "store/sqlite.hpp"

namespace tunecap::store {
namespace {

namespace fs = std::filesystem;

// meta holds two rows that every future schema keeps: application = 'tunecap', which tells a tunecap
// store from another program's database, and schema_version, which a newer tunecap raises so that
// this build refuses its store instead of misreading it.
constexpr std::string_view kApplication = "tunecap";
// 2: a step's row is keyed by (key, track_id), so tracks whose steps send the same request keep a
// row each. 3: a step keeps its caption's claims, its genre hint and the server's finish reason. Older stores are migrated when
// they are opened.
constexpr std::int64_t kSchemaVersion = 3;

// Another connection may hold the write lock for a moment: a second tunecap on the same output
// folder, `tunecap clean --results`, or a user's sqlite3 shell. Our own write transactions are one
// row (about a millisecond) and a WAL checkpoint a fraction of a second, so 5 s rides out those on a
// slow disk, while a lock held by a stuck process still ends as an error naming the file, not a hang.
constexpr int kBusyTimeoutMs = 5000;

// Every table but steps. STRICT keeps every column the type written here.
constexpr std::string_view kOtherTables = R"sql(
CREATE TABLE meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value ANY NOT NULL
) STRICT;
CREATE TABLE tracks (
    track_id     TEXT PRIMARY KEY NOT NULL,
    file         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    info_json    TEXT NOT NULL
) STRICT;
CREATE TABLE loads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT NOT NULL,
    model        TEXT NOT NULL,
    load_seconds ANY,
    peak_gpu_mib ANY,
    restarts     INTEGER NOT NULL,
    server_build TEXT NOT NULL
) STRICT;
CREATE INDEX loads_by_run ON loads (run_id, id);
)sql";

// The steps table, under a name so that a migration can build it beside the old one. One row per
// step of a track: tracks whose steps send the same request share the key, not the row. Doubles
// are ANY, not REAL: REAL affinity stores an integral double as an integer, which turns -0.0 into
// 0. NULL in a double column is NaN (sqlite3 stores NaN as NULL). Flags are a JSON array of strings
// (flags_text.hpp).
std::string steps_table(std::string_view name) {
    return "CREATE TABLE " + std::string(name) + " (" + R"sql(
    key               TEXT NOT NULL,
    track_id          TEXT NOT NULL,
    phase             TEXT NOT NULL,
    model             TEXT NOT NULL,
    prompt            TEXT NOT NULL,
    status            TEXT NOT NULL,
    raw_output        TEXT NOT NULL,
    reasoning         TEXT NOT NULL,
    caption           TEXT NOT NULL,
    flags             TEXT NOT NULL,
    error             TEXT NOT NULL,
    request           TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    elapsed_ms        ANY,
    prompt_ms         ANY,
    predicted_ms      ANY,
    server_build      TEXT NOT NULL,
    finished_at       TEXT NOT NULL,
    claims            TEXT NOT NULL,
    hint_kind         TEXT NOT NULL,
    hint              TEXT NOT NULL,
    finish_reason     TEXT NOT NULL,
    PRIMARY KEY (key, track_id)
) STRICT;
)sql";
}
constexpr std::string_view kStepsIndex =
    "CREATE INDEX steps_by_track ON steps (track_id, phase, model, prompt, finished_at);\n";

constexpr std::string_view kPutMeta = "INSERT INTO meta (name, value) VALUES (?1, ?2)";
constexpr std::string_view kGetMeta = "SELECT value FROM meta WHERE name = ?1";

constexpr std::string_view kStepColumns =
    "key, track_id, phase, model, prompt, status, raw_output, reasoning, caption, flags, error, request, "
    "prompt_tokens, completion_tokens, cached_tokens, elapsed_ms, prompt_ms, predicted_ms, server_build, "
    "finished_at, claims, hint_kind, hint, finish_reason";
// kStepColumns with the model's outputs and the request read as empty text, in the same positions.
constexpr std::string_view kStepColumnsWithoutOutputs =
    "key, track_id, phase, model, prompt, status, '', '', caption, flags, error, '', "
    "prompt_tokens, completion_tokens, cached_tokens, elapsed_ms, prompt_ms, predicted_ms, server_build, "
    "finished_at, claims, hint_kind, hint, finish_reason";
constexpr std::string_view kStepValues =
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24";
// Newest output of a (phase, model, prompt) unit first; the key breaks ties so the order never varies.
constexpr std::string_view kStepOrder = "phase, model, prompt, finished_at DESC, key";

constexpr std::string_view kUpdateDerived =
    "UPDATE steps SET caption = ?2, flags = ?3, status = ?4, error = ?5, claims = ?7 WHERE key = ?1 AND track_id = ?6";
constexpr std::string_view kPutTrack =
    "INSERT OR REPLACE INTO tracks (track_id, file, content_hash, info_json) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kFindTrack =
    "SELECT track_id, file, content_hash, info_json FROM tracks WHERE track_id = ?1";
constexpr std::string_view kPutLoad =
    "INSERT INTO loads (run_id, model, load_seconds, peak_gpu_mib, restarts, server_build)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kLoadColumns = "run_id, model, load_seconds, peak_gpu_mib, restarts, server_build";

// SQL assembled from the constants in this file only; values are always bound (?N).
std::string sql(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const auto part : parts) out += part;
    return out;
}

core::Error file_error(const fs::path& path, std::string_view reason) {
    std::string message = path.string();
    message += ": ";
    message += reason;
    return core::Error{std::move(message)};
}

core::Error sqlite_error(sqlite3* db, const fs::path& path, std::string_view what) {
    return file_error(path, std::string(what) + ": " + sqlite3_errmsg(db));
}

// Reads fail only when the file is damaged or gone mid-run. They throw rather than answer "absent",
// which would make the pipeline silently re-run finished work.
[[noreturn]] void throw_read_error(const sqlite::Query& query, const fs::path& path, std::string_view what) {
    throw core::Failure(file_error(path, std::string(what) + ": " + query.error_message()));
}

void bind_step(sqlite::Query& query, const StepRow& row) {
    query.bind_text(1, row.key);
    query.bind_text(2, row.track_id);
    query.bind_text(3, row.phase);
    query.bind_text(4, row.model);
    query.bind_text(5, row.prompt);
    query.bind_text(6, to_string(row.outcome));
    query.bind_text(7, row.raw_output);
    query.bind_text(8, row.reasoning);
    query.bind_text(9, row.caption);
    query.bind_text(10, encode_flags(row.flags));
    query.bind_text(11, row.error);
    query.bind_text(12, row.request);
    query.bind_integer(13, row.prompt_tokens);
    query.bind_integer(14, row.completion_tokens);
    query.bind_integer(15, row.cached_tokens);
    query.bind_real(16, row.elapsed_ms);
    query.bind_real(17, row.prompt_ms);
    query.bind_real(18, row.predicted_ms);
    query.bind_text(19, row.server_build);
    query.bind_text(20, row.finished_at);
    query.bind_text(21, row.claims);
    query.bind_text(22, to_string(row.hint_kind));
    query.bind_text(23, row.hint);
    query.bind_text(24, row.finish_reason);
}

StepRow read_step(const sqlite::Query& query, const fs::path& path) {
    StepRow row;
    row.key = query.text(0);
    row.track_id = query.text(1);
    row.phase = query.text(2);
    row.model = query.text(3);
    row.prompt = query.text(4);
    const auto outcome = parse_step_outcome(query.text(5));
    if (!outcome) throw core::Failure(file_error(path, "step " + row.key + ": unknown status '" + query.text(5) + "'"));
    row.outcome = *outcome;
    row.raw_output = query.text(6);
    row.reasoning = query.text(7);
    row.caption = query.text(8);
    auto flags = decode_flags(query.text(9));
    if (!flags) throw core::Failure(file_error(path, "step " + row.key + ": flags are not a JSON array of strings"));
    row.flags = std::move(*flags);
    row.error = query.text(10);
    row.request = query.text(11);
    row.prompt_tokens = static_cast<int>(query.integer(12));
    row.completion_tokens = static_cast<int>(query.integer(13));
    row.cached_tokens = static_cast<int>(query.integer(14));
    row.elapsed_ms = query.real(15);
    row.prompt_ms = query.real(16);
    row.predicted_ms = query.real(17);
    row.server_build = query.text(18);
    row.finished_at = query.text(19);
    row.claims = query.text(20);
    const auto hint_kind = parse_hint_kind(query.text(21));
    if (!hint_kind) throw core::Failure(file_error(path, "step " + row.key + ": unknown hint kind '" + query.text(21) + "'"));
    row.hint_kind = *hint_kind;
    row.hint = query.text(22);
    row.finish_reason = query.text(23);
    return row;
}

std::vector<StepRow> read_steps(sqlite::Query& query, const fs::path& path) {
    std::vector<StepRow> rows;
    int rc = SQLITE_ROW;
    while ((rc = query.step()) == SQLITE_ROW) rows.push_back(read_step(query, path));
    if (rc != SQLITE_DONE) throw_read_error(query, path, "cannot read steps");
    return rows;
}

std::vector<LoadRow> read_loads(sqlite::Query& query, const fs::path& path, std::string_view what) {
    std::vector<LoadRow> rows;
    int rc = SQLITE_ROW;
    while ((rc = query.step()) == SQLITE_ROW) {
        LoadRow row;
        row.run_id = query.text(0);
        row.model = query.text(1);
        row.load_seconds = query.real(2);
        if (query.type(3) != SQLITE_NULL) row.peak_gpu_mib = query.real(3);
        row.restarts = static_cast<int>(query.integer(4));
        row.server_build = query.text(5);
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) throw_read_error(query, path, what);
    return rows;
}

core::Status create_schema(sqlite3* db, const fs::path& path) {
    const auto schema = std::string(kOtherTables) + steps_table("steps") + std::string(kStepsIndex);
    if (sqlite::execute(db, schema) != SQLITE_OK) return sqlite_error(db, path, "cannot create the store");
    const sqlite::Statement put = sqlite::prepare(db, kPutMeta);
    if (!put) return sqlite_error(db, path, "cannot create the store");
    {
        sqlite::Query query(put.get());
        query.bind_text(1, "application");
        query.bind_text(2, kApplication);
        if (query.step() != SQLITE_DONE) return file_error(path, "cannot create the store: " + query.error_message());
    }
    {
        sqlite::Query query(put.get());
        query.bind_text(1, "schema_version");
        query.bind_integer(2, kSchemaVersion);
        if (query.step() != SQLITE_DONE) return file_error(path, "cannot create the store: " + query.error_message());
    }
    return core::Ok{};
}

// A value of the meta table, with its SQLite type; nullopt when the row (or the table) is missing.
struct MetaValue {
    int type;
    std::string text;
    std::int64_t integer;
};

std::optional<MetaValue> read_meta(sqlite3_stmt* get, std::string_view name) {
    sqlite::Query query(get);
    query.bind_text(1, name);
    if (query.step() != SQLITE_ROW) return std::nullopt;
    return MetaValue{query.type(0), query.text(0), query.integer(0)};
}

// The number of tables and indexes in the file: 0 for a new (or empty) database.
core::Result<std::int64_t> count_objects(sqlite3* db, const fs::path& path) {
    const sqlite::Statement count = sqlite::prepare(db, "SELECT count(*) FROM sqlite_schema");
    if (!count) return sqlite_error(db, path, "cannot open as a tunecap store");
    sqlite::Query query(count.get());
    if (query.step() != SQLITE_ROW) return file_error(path, "cannot open as a tunecap store: " + query.error_message());
    return query.integer(0);
}

// A database with tables must be a tunecap store of a schema this build reads; its schema_version.
core::Result<std::int64_t> verify_schema(sqlite3* db, const fs::path& path) {
    // A database without a meta(name, value) table fails to prepare this: another program's.
    const sqlite::Statement get = sqlite::prepare(db, kGetMeta);
    const auto application = get ? read_meta(get.get(), "application") : std::nullopt;
    if (!application || application->type != SQLITE_TEXT || application->text != kApplication) {
        return file_error(path, "not a tunecap store (an SQLite database of another program)");
    }
    const auto version = read_meta(get.get(), "schema_version");
    if (!version || version->type != SQLITE_INTEGER || version->integer < 1) {
        return file_error(path, "not a tunecap store (its meta table has no valid schema_version)");
    }
    if (version->integer > kSchemaVersion) {
        return file_error(path, "store schema_version " + std::to_string(version->integer) +
                                    " is newer than this tunecap reads (" + std::to_string(kSchemaVersion) +
                                    "); use a newer tunecap or another output folder");
    }
    return version->integer;
}

// Version 1 kept one row per key; version 2 one per key and track; version 3 adds each step's
// claims, empty in the rows it upgrades (the track files check those afresh), its genre hint,
// recorded as none (it was not kept), and its finish reason, recorded as unknown (''). Every row is kept. Under a write
// transaction, with the version read again inside it: another process may have upgraded first.
core::Status upgrade_schema(sqlite3* db, const fs::path& path) {
    sqlite::Transaction transaction(db);
    if (!transaction.ok()) return sqlite_error(db, path, "cannot upgrade the store");
    auto version = verify_schema(db, path);
    if (!version) return version.error();
    if (*version >= kSchemaVersion) return core::Ok{};
    // Versions 1 and 2 have the same columns, in the same order.
    const auto script = steps_table("steps_v3") +
                        "INSERT INTO steps_v3 SELECT *, '', '', '', '' FROM steps;\n"
                        "DROP TABLE steps;\n"
                        "ALTER TABLE steps_v3 RENAME TO steps;\n" +
                        std::string(kStepsIndex) + "UPDATE meta SET value = " + std::to_string(kSchemaVersion) +
                        " WHERE name = 'schema_version';\n";
    if (sqlite::execute(db, script) != SQLITE_OK || transaction.commit() != SQLITE_OK) {
        return sqlite_error(db, path, "cannot upgrade the store from schema_version " + std::to_string(*version));
    }
    return core::Ok{};
}

// The journal mode is a property of the file: switched only once the file is known to be a tunecap
// store or empty, so another program's database is left as it was.
core::Status use_wal(sqlite3* db, const fs::path& path) {
    // The pragma answers with the mode now in force.
    const sqlite::Statement wal = sqlite::prepare(db, "PRAGMA journal_mode = WAL");
    if (!wal) return sqlite_error(db, path, "cannot switch to WAL mode");
    sqlite::Query query(wal.get());
    if (query.step() != SQLITE_ROW) return file_error(path, "cannot switch to WAL mode: " + query.error_message());
    if (const auto mode = query.text(0); mode != "wal") {
        return file_error(path, "cannot switch to WAL mode (the journal mode stays '" + mode +
                                    "'; the file system may not support it)");
    }
    return core::Ok{};
}

// Opens the file as a store: an empty database becomes one, anything else must already be one.
// WAL comes before the schema is written, so creation is as crash-safe as every later commit. The
// schema is written under BEGIN IMMEDIATE after a second look, so two processes opening a new file
// at once create it once.
core::Status open_schema(sqlite3* db, const fs::path& path) {
    auto objects = count_objects(db, path);
    if (!objects) return objects.error();
    if (*objects != 0) {
        const auto version = verify_schema(db, path);
        if (!version) return version.error();
        if (auto wal = use_wal(db, path); !wal) return wal;
        return version.value() < kSchemaVersion ? upgrade_schema(db, path) : core::Ok{};
    }
    if (auto wal = use_wal(db, path); !wal) return wal;
    {
        sqlite::Transaction transaction(db);
        if (!transaction.ok()) return sqlite_error(db, path, "cannot create the store");
        objects = count_objects(db, path);
        if (!objects) return objects.error();
        if (*objects == 0) {
            if (auto created = create_schema(db, path); !created) return created;
            if (transaction.commit() != SQLITE_OK) return sqlite_error(db, path, "cannot create the store");
            return core::Ok{};
        }
    }
    return open_schema(db, path);  // another process created it meanwhile: open it as it is
}

// Settings of this connection only; they do not touch the file, so they come before the schema check.
core::Status configure_connection(sqlite3* db, const fs::path& path) {
    // In WAL mode, NORMAL writes each commit to the WAL file before sqlite3_step returns and syncs
    // only at checkpoints. A commit is then in the operating system's hands, so it survives the
    // process being killed at any moment, which is the failure tunecap must survive; only a power
    // loss or OS crash can lose the last commits (never corrupt the file), and those steps are
    // simply run again because their keys are absent. FULL would add an fsync to every step.
    if (sqlite::execute(db, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
        return sqlite_error(db, path, "cannot set synchronous=NORMAL");
    }
    // Off by default in SQLite, per connection. Schema 1 declares no foreign keys; this makes sure
    // any later schema's are enforced rather than silently ignored.
    if (sqlite::execute(db, "PRAGMA foreign_keys = ON") != SQLITE_OK) {
        return sqlite_error(db, path, "cannot enable foreign keys");
    }
    return core::Ok{};
}

}  // namespace

// One connection shared by every thread, guarded by m_mutex. SQLite serialises writers on a file
// anyway, and steps finish a few per second at most, so a connection per thread would buy nothing.
struct Store::Impl {
    fs::path m_path;
    sqlite::Database m_db;  // declared before the statements, so it is closed after they are finalized
    std::mutex m_mutex;
    sqlite::Statement m_put_step;
    sqlite::Statement m_find_step;
    sqlite::Statement m_steps_for_track;
    sqlite::Statement m_all_steps;
    sqlite::Statement m_all_steps_without_outputs;
    sqlite::Statement m_update_derived;
    sqlite::Statement m_put_track;
    sqlite::Statement m_find_track;
    sqlite::Statement m_put_load;
    sqlite::Statement m_loads;
    sqlite::Statement m_all_loads;

    core::Status prepare_statements() {
        const std::pair<sqlite::Statement*, std::string> statements[] = {
            {&m_put_step, sql({"INSERT OR REPLACE INTO steps (", kStepColumns, ") VALUES (", kStepValues, ")"})},
            // Tracks sending the same request share a key: any done row answers for all of them.
            {&m_find_step, sql({"SELECT ", kStepColumns, " FROM steps WHERE key = ?1 ORDER BY status = 'done' DESC, "
                                "finished_at DESC, track_id LIMIT 1"})},
            {&m_steps_for_track,
             sql({"SELECT ", kStepColumns, " FROM steps WHERE track_id = ?1 ORDER BY ", kStepOrder})},
            {&m_all_steps, sql({"SELECT ", kStepColumns, " FROM steps ORDER BY track_id, ", kStepOrder})},
            {&m_all_steps_without_outputs,
             sql({"SELECT ", kStepColumnsWithoutOutputs, " FROM steps ORDER BY track_id, ", kStepOrder})},
            {&m_update_derived, std::string(kUpdateDerived)},
            {&m_put_track, std::string(kPutTrack)},
            {&m_find_track, std::string(kFindTrack)},
            {&m_put_load, std::string(kPutLoad)},
            {&m_loads, sql({"SELECT ", kLoadColumns, " FROM loads WHERE run_id = ?1 ORDER BY id"})},
            {&m_all_loads, sql({"SELECT ", kLoadColumns, " FROM loads ORDER BY id"})},
        };
        for (const auto& [statement, sql] : statements) {
            *statement = sqlite::prepare(m_db.get(), sql);
            if (!*statement) return sqlite_error(m_db.get(), m_path, "cannot prepare the store's queries");
        }
        return core::Ok{};
    }

    core::Error error(const sqlite::Query& query, std::string_view what) const {
        return file_error(m_path, std::string(what) + ": " + query.error_message());
    }
};

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Store::~Store() = default;

core::Result<std::unique_ptr<Store>> Store::open(const fs::path& path) {
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) return file_error(path.parent_path(), "cannot create the folder: " + ec.message());
    }
    auto impl = std::make_unique<Impl>();
    impl->m_path = path;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    impl->m_db.reset(raw);  // a handle comes back even when opening fails, and must be closed
    if (rc != SQLITE_OK) {
        return file_error(path, std::string("cannot open: ") + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3* db = impl->m_db.get();
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    if (auto status = configure_connection(db, path); !status) return status.error();
    if (auto status = open_schema(db, path); !status) return status.error();
    if (auto status = impl->prepare_statements(); !status) return status.error();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

std::string_view to_string(StepOutcome outcome) {
    switch (outcome) {
    case StepOutcome::done: return "done";
    case StepOutcome::failed: return "failed";
    }
    return "failed";
}

std::optional<StepOutcome> parse_step_outcome(std::string_view text) {
    if (text == "done") return StepOutcome::done;
    if (text == "failed") return StepOutcome::failed;
    return std::nullopt;
}

std::string_view to_string(HintKind kind) {
    switch (kind) {
    case HintKind::none: return "";
    case HintKind::genres: return "genres";
    case HintKind::wrong: return "wrong";
    }
    return "";
}

std::optional<HintKind> parse_hint_kind(std::string_view text) {
    if (text.empty()) return HintKind::none;
    if (text == "genres") return HintKind::genres;
    if (text == "wrong") return HintKind::wrong;
    return std::nullopt;
}

core::Status Store::put_step(const StepRow& row) {
    if (row.key.empty()) return file_error(m_impl->m_path, "cannot store a step without a key");
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_put_step.get());
    bind_step(query, row);
    if (query.step() != SQLITE_DONE) return m_impl->error(query, "cannot store step " + row.key);
    return core::Ok{};
}

std::optional<StepRow> Store::find_step(const std::string& key) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_find_step.get());
    query.bind_text(1, key);
    const int rc = query.step();
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) throw_read_error(query, m_impl->m_path, "cannot read step " + key);
    return read_step(query, m_impl->m_path);
}

std::vector<StepRow> Store::steps_for_track(const std::string& track_id) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_steps_for_track.get());
    query.bind_text(1, track_id);
    return read_steps(query, m_impl->m_path);
}

std::vector<StepRow> Store::all_steps(StepColumns columns) {
    const std::lock_guard lock(m_impl->m_mutex);
    const bool all = columns == StepColumns::all;
    sqlite::Query query((all ? m_impl->m_all_steps : m_impl->m_all_steps_without_outputs).get());
    return read_steps(query, m_impl->m_path);
}

core::Status Store::update_derived(const StepRow& row) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_update_derived.get());
    query.bind_text(1, row.key);
    query.bind_text(2, row.caption);
    query.bind_text(3, encode_flags(row.flags));
    query.bind_text(4, to_string(row.outcome));
    query.bind_text(5, row.error);
    query.bind_text(6, row.track_id);
    query.bind_text(7, row.claims);
    if (query.step() != SQLITE_DONE) return m_impl->error(query, "cannot update step " + row.key);
    if (sqlite3_changes(m_impl->m_db.get()) == 0) {
        return file_error(m_impl->m_path, "no step with key " + row.key + " for track " + row.track_id);
    }
    return core::Ok{};
}

core::Status Store::put_track(const TrackRow& row) {
    if (row.track_id.empty()) return file_error(m_impl->m_path, "cannot store a track without an id");
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_put_track.get());
    query.bind_text(1, row.track_id);
    query.bind_text(2, row.file);
    query.bind_text(3, row.content_hash);
    query.bind_text(4, row.info_json);
    if (query.step() != SQLITE_DONE) return m_impl->error(query, "cannot store track " + row.track_id);
    return core::Ok{};
}

std::optional<TrackRow> Store::find_track(const std::string& track_id) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_find_track.get());
    query.bind_text(1, track_id);
    const int rc = query.step();
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) throw_read_error(query, m_impl->m_path, "cannot read track " + track_id);
    return TrackRow{query.text(0), query.text(1), query.text(2), query.text(3)};
}

core::Status Store::put_load(const LoadRow& row) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_put_load.get());
    query.bind_text(1, row.run_id);
    query.bind_text(2, row.model);
    query.bind_real(3, row.load_seconds);
    if (row.peak_gpu_mib) {
        query.bind_real(4, *row.peak_gpu_mib);
    } else {
        query.bind_null(4);
    }
    query.bind_integer(5, row.restarts);
    query.bind_text(6, row.server_build);
    if (query.step() != SQLITE_DONE) return m_impl->error(query, "cannot store the load of " + row.model);
    return core::Ok{};
}

std::vector<LoadRow> Store::loads(const std::string& run_id) {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_loads.get());
    query.bind_text(1, run_id);
    return read_loads(query, m_impl->m_path, "cannot read the loads of run " + run_id);
}

std::vector<LoadRow> Store::all_loads() {
    const std::lock_guard lock(m_impl->m_mutex);
    sqlite::Query query(m_impl->m_all_loads.get());
    return read_loads(query, m_impl->m_path, "cannot read the loads");
}

}  // namespace tunecap::store
