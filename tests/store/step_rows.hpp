// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Rows for the store tests, and a second, raw connection to a store's file for what the Store API
// deliberately cannot do (read the journal mode, tamper with the schema).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace tunecap::store {

// gtest prints rows this way when a comparison fails: long texts as their size and first bytes.
inline std::string abbreviated(const std::string& text) {
    constexpr std::size_t kShown = 40;
    if (text.size() <= kShown) return ::testing::PrintToString(text);
    return ::testing::PrintToString(text.substr(0, kShown)) + "... (" + std::to_string(text.size()) + " bytes)";
}

inline void PrintTo(const StepRow& row, std::ostream* out) {
    *out << "StepRow{key=" << abbreviated(row.key) << ", track_id=" << abbreviated(row.track_id)
         << ", phase=" << abbreviated(row.phase) << ", model=" << abbreviated(row.model)
         << ", prompt=" << abbreviated(row.prompt) << ", status=" << to_string(row.outcome)
         << ", raw_output=" << abbreviated(row.raw_output) << ", reasoning=" << abbreviated(row.reasoning)
         << ", caption=" << abbreviated(row.caption) << ", flags=" << ::testing::PrintToString(row.flags)
         << ", error=" << abbreviated(row.error) << ", request=" << abbreviated(row.request)
         << ", tokens=" << row.prompt_tokens << "/" << row.completion_tokens << "/" << row.cached_tokens
         << ", ms=" << row.elapsed_ms << "/" << row.prompt_ms << "/" << row.predicted_ms
         << ", server_build=" << abbreviated(row.server_build) << ", finished_at=" << abbreviated(row.finished_at)
         << ", claims=" << abbreviated(row.claims) << ", hint_kind=" << to_string(row.hint_kind)
         << ", hint=" << abbreviated(row.hint) << ", finish_reason=" << abbreviated(row.finish_reason) << "}";
}

// A step with every field set to a value of its own, so a swapped or dropped column shows.
inline StepRow full_row(const std::string& key, const std::string& track_id = "track-1") {
    StepRow row;
    row.key = key;
    row.track_id = track_id;
    row.phase = "revision";
    row.model = "qwen3_14b";
    row.prompt = "descriptive";
    row.outcome = StepOutcome::done;
    row.raw_output = "<think>hmm</think>A warm \"lo-fi\" groove for " + key + ".";
    row.reasoning = "hmm";
    row.caption = "A warm lo-fi groove.";
    row.flags = {"fallback_used", "truncated"};
    row.error = "";
    row.request = "<|im_start|>user\nDescribe the track.<|im_end|>";
    row.prompt_tokens = 5279;
    row.completion_tokens = 187;
    row.cached_tokens = 5258;
    row.elapsed_ms = 1234.5678;
    row.prompt_ms = 0.1;
    row.predicted_ms = 987.654321;
    row.server_build = "b6275-6c6e397b";
    row.finished_at = "2025-06-01T12:34:56.789Z";
    row.claims = R"([{"kind":"tempo","value":128.0,"text":"128 BPM","verdict":"agrees"}])";
    row.hint_kind = HintKind::wrong;
    row.hint = "Folk, Bluegrass";
    row.finish_reason = "length";
    return row;
}

inline std::uint64_t bits(double value) { return std::bit_cast<std::uint64_t>(value); }

// A plain connection to the store's file, outside the Store.
class RawDatabase {
public:
    explicit RawDatabase(const std::filesystem::path& path) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        m_db.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path.string());
    }

    // Runs constant SQL, throwing when it fails so a broken fixture never passes silently.
    void execute(const std::string& script) {
        if (sqlite::execute(m_db.get(), script) != SQLITE_OK) {
            throw std::runtime_error(script + ": " + sqlite3_errmsg(m_db.get()));
        }
    }

    // The first column of the first row of constant SQL, with one optional bound text parameter.
    std::string text(const std::string& sql, const std::string* parameter = nullptr) {
        const sqlite::Statement statement = sqlite::prepare(m_db.get(), sql);
        if (!statement) throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db.get()));
        sqlite::Query query(statement.get());
        if (parameter != nullptr) query.bind_text(1, *parameter);
        if (query.step() != SQLITE_ROW) throw std::runtime_error(sql + ": no row: " + query.error_message());
        return query.text(0);
    }

private:
    sqlite::Database m_db;
};

}  // namespace tunecap::store
