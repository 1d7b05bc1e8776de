// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/store (and its tests): owners for SQLite handles, and one execution of a
// prepared statement. Values reach SQL only through bound parameters; the SQL text is always a
// constant.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tunecap::store::sqlite {

struct CloseDatabase {
    // close_v2 so a statement finalized later cannot outlive the connection it points into.
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// Compiles one statement that will be run many times. Null on failure; sqlite3_errmsg(db) says why.
Statement prepare(sqlite3* db, std::string_view sql);

// Runs every statement of a constant script (schema, pragmas, BEGIN/COMMIT), discarding rows.
// Returns SQLITE_OK or the first error code; sqlite3_errmsg(db) says why.
int execute(sqlite3* db, std::string_view script);

// One execution of a prepared statement. A failed bind is remembered and returned by step(). The
// destructor resets the statement and clears its bindings, so a reused statement never keeps a read
// transaction open (which would stall WAL checkpoints) nor carries a value into its next use.
class Query {
public:
    explicit Query(sqlite3_stmt* statement) : m_statement(statement) {}
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    // Parameters are numbered from 1, as `?1` in the SQL. Text is bound with its length, so NUL
    // bytes and invalid UTF-8 are stored exactly; a NaN double is stored as NULL.
    void bind_text(int index, std::string_view text);
    void bind_integer(int index, std::int64_t value);
    void bind_real(int index, double value);
    void bind_null(int index);

    // SQLITE_ROW while rows remain, then SQLITE_DONE; anything else is an error code.
    int step();
    std::string error_message() const;

    // Columns of the current row, numbered from 0. Text comes back byte for byte; NULL reads as
    // "" for text and as a quiet NaN for real (the counterpart of bind_real).
    std::string text(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;
    int type(int column) const { return sqlite3_column_type(m_statement, column); }

private:
    void remember(int rc);

    sqlite3_stmt* m_statement;
    int m_bind_status = SQLITE_OK;
};

// BEGIN IMMEDIATE on construction (check ok()); rolls back on destruction unless committed.
// IMMEDIATE takes the write lock up front, so a read-then-write inside cannot fail half way with
// SQLITE_BUSY; the busy timeout applies while waiting for it.
class Transaction {
public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    bool ok() const { return m_active; }
    int commit();

private:
    sqlite3* m_db;
    bool m_active = false;
};

}  // namespace tunecap::store::sqlite
