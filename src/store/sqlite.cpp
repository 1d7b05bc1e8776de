// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sqlite.hpp"

#include <cmath>
#include <limits>

namespace tunecap::store::sqlite {

Statement prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    return Statement(raw);
}

int execute(sqlite3* db, std::string_view script) {
    const char* next = script.data();
    const char* const end = script.data() + script.size();
    while (next < end) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &raw, &tail);
        const Statement statement(raw);
        if (rc != SQLITE_OK) return rc;
        if (statement) {
            while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
            }
            if (rc != SQLITE_DONE) return rc;
        }
        next = tail;
    }
    return SQLITE_OK;
}

Query::~Query() {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

void Query::remember(int rc) {
    if (m_bind_status == SQLITE_OK) m_bind_status = rc;
}

void Query::bind_text(int index, std::string_view text) {
    // TRANSIENT copies the bytes: a few kilobytes per finished step, which buys independence from
    // the caller's strings.
    remember(sqlite3_bind_text64(m_statement, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Query::bind_integer(int index, std::int64_t value) {
    remember(sqlite3_bind_int64(m_statement, index, value));
}

void Query::bind_real(int index, double value) {
    if (std::isnan(value)) {
        bind_null(index);
        return;
    }
    remember(sqlite3_bind_double(m_statement, index, value));
}

void Query::bind_null(int index) {
    remember(sqlite3_bind_null(m_statement, index));
}

int Query::step() {
    if (m_bind_status != SQLITE_OK) return m_bind_status;
    return sqlite3_step(m_statement);
}

std::string Query::error_message() const {
    return sqlite3_errmsg(sqlite3_db_handle(m_statement));
}

std::string Query::text(int column) const {
    // column_blob hands over the stored bytes of a TEXT value without any conversion.
    const void* bytes = sqlite3_column_blob(m_statement, column);
    const int size = sqlite3_column_bytes(m_statement, column);
    if (bytes == nullptr || size <= 0) return {};
    return std::string(static_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

std::int64_t Query::integer(int column) const {
    return sqlite3_column_int64(m_statement, column);
}

double Query::real(int column) const {
    if (type(column) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_statement, column);
}

Transaction::Transaction(sqlite3* db) : m_db(db) {
    m_active = execute(m_db, "BEGIN IMMEDIATE") == SQLITE_OK;
}

Transaction::~Transaction() {
    if (m_active) execute(m_db, "ROLLBACK");
}

int Transaction::commit() {
    const int rc = execute(m_db, "COMMIT");
    if (rc == SQLITE_OK) m_active = false;
    return rc;
}

}  // namespace tunecap::store::sqlite
