// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The resumable results store: SQLite in WAL mode at <out>/tunecap.db. Every finished step is
// committed at once, keyed by a hash of everything that determines its output, so a killed run
// resumes without losing or repeating work and a changed prompt re-runs only what depends on it.
// Knows nothing of phases: it stores records under keys the pipeline computes.
//
// Every field round-trips exactly: text byte for byte (NUL bytes and invalid UTF-8 included), ints,
// and doubles bit for bit, except that a NaN comes back as a quiet NaN (SQLite stores it as NULL).
// Writes return an error naming the file. Reads throw core::Failure naming the file, since a read
// fails only when the file is damaged or gone mid-run, and answering "absent" instead would make the
// pipeline silently re-run finished work.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tunecap::store {

// How a finished step ended. Stored as the text "done" or "failed".
enum class StepOutcome { done, failed };
std::string_view to_string(StepOutcome outcome);
std::optional<StepOutcome> parse_step_outcome(std::string_view text);

// What one finished (done or failed) step left behind.
// Stored as "", "genres" or "wrong".
enum class HintKind { none, genres, wrong };
std::string_view to_string(HintKind kind);
std::optional<HintKind> parse_hint_kind(std::string_view text);

struct StepRow {
    std::string key;            // hex sha256 (pipeline computes it)
    std::string track_id;
    std::string phase;
    std::string model;
    std::string prompt;
    StepOutcome outcome = StepOutcome::failed;
    std::string raw_output;     // exactly what the model returned (content, and reasoning when any)
    std::string reasoning;
    std::string caption;        // cleaned
    std::vector<std::string> flags;
    std::string error;          // failed steps: the one-line reason
    std::string request;        // the rendered prompt or chat text sent (no audio bytes)
    int prompt_tokens = 0;
    int completion_tokens = 0;
    int cached_tokens = 0;
    double elapsed_ms = 0;
    double prompt_ms = 0;
    double predicted_ms = 0;
    std::string server_build;   // /props build_info
    std::string finished_at;    // ISO 8601 UTC
    // The caption's tempo and key claims with their verdicts against the track's measured facts, as
    // a JSON array (claims/claims_json.hpp); empty in rows stored before schema 3.
    std::string claims;
    // The genre hint the prompt carried: none, the track's own genres, or the wrong-hint probe's
    // contrasting genres; `hint` is the genres as the prompt named them ("" without a hint).
    HintKind hint_kind = HintKind::none;
    std::string hint;
    // Why generation stopped, as the server said: "stop", "length" (the token limit cut the output,
    // which the cleaner then reads as unfinished), ...; "" when unknown (no request, or stored
    // before the column existed).
    std::string finish_reason;

    friend bool operator==(const StepRow&, const StepRow&) = default;
};

// Which columns of a step all_steps() reads.
enum class StepColumns { all, without_outputs };

struct TrackRow {
    std::string track_id;
    std::string file;
    std::string content_hash;
    std::string info_json;  // genres and facts: JSON written by the pipeline, opaque here

    friend bool operator==(const TrackRow&, const TrackRow&) = default;
};

// A model load: for results.json (load time, peak GPU memory) and for tests (count of starts).
struct LoadRow {
    std::string run_id;
    std::string model;
    double load_seconds = 0;
    std::optional<double> peak_gpu_mib;
    int restarts = 0;
    std::string server_build;

    friend bool operator==(const LoadRow&, const LoadRow&) = default;
};

class Store {
public:
    // Opens or creates the database (WAL, synchronous=NORMAL, busy timeout) and its schema;
    // error naming the file when it cannot be opened or is not a tunecap store.
    static core::Result<std::unique_ptr<Store>> open(const std::filesystem::path& path);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Every member is thread-safe; each write is its own transaction, committed before it returns,
    // so it survives the process being killed right after.

    // Inserts or replaces the step with row.key of track row.track_id (tracks whose steps send the
    // same request share a key, and keep a row each). Rejects an empty key.
    core::Status put_step(const StepRow& row);
    // A row with this key, whichever track's: a done one before a failed one, newest first;
    // nullopt when no step has this key.
    std::optional<StepRow> find_step(const std::string& key);
    // Steps of a track ordered by (phase, model, prompt), newest finished_at first within each, then
    // by key: the same order on every call.
    std::vector<StepRow> steps_for_track(const std::string& track_id);
    // Every step ordered by track_id, then as steps_for_track. without_outputs leaves raw_output,
    // reasoning and request empty: most of a store's bytes (GBs at 50,000 tracks), which metrics
    // and the report never read; what re-derives captions or exports raw outputs reads them all.
    std::vector<StepRow> all_steps(StepColumns columns = StepColumns::all);
    // Replaces what is derived from a stored step's raw output (`tunecap clean --results`): caption,
    // flags, outcome, error and claims of the row with row.key of track row.track_id. An error when there is
    // no such row.
    core::Status update_derived(const StepRow& row);

    // Inserts or replaces the track with row.track_id (which must not be empty).
    core::Status put_track(const TrackRow& row);
    std::optional<TrackRow> find_track(const std::string& track_id);
    // Appends a load; a NaN peak_gpu_mib reads back as nullopt.
    core::Status put_load(const LoadRow& row);
    // The loads of a run in the order they were put.
    std::vector<LoadRow> loads(const std::string& run_id);
    // Every load of every run in the order they were put (`tunecap metrics`).
    std::vector<LoadRow> all_loads();

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace tunecap::store
