// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A results store built by hand in a temp folder, for the export tests: tracks with their genres
// and facts, steps with the outcome, caption, flags and time each test needs.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "manifest/entry.hpp"
#include "manifest/select.hpp"
#include "report/facts_json.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::manifest {

// Facts with every measure present, as a run stores them.
inline analysis::Facts sample_facts() {
    analysis::Facts facts;
    facts.duration_seconds = 185.25;
    facts.sample_rate = 44100;
    facts.channels = 2;
    facts.loudness = analysis::Loudness{-9.5, 6.25, -0.5};
    facts.tempo = analysis::Tempo{127.5, 0.9};
    facts.key = analysis::Key{9, true, 0.8};  // A minor
    facts.onsets_per_second = 3.2;
    facts.brightness_hz = 2100;
    return facts;
}

struct StepSpec {
    std::string track_id{};
    std::string phase = "flamingo";
    std::string model = "music_flamingo";
    std::string prompt = "brief";
    std::string caption = "A warm groove.";
    store::StepOutcome outcome = store::StepOutcome::done;
    std::vector<std::string> flags = {};
    std::string finished_at = "2025-06-01T12:00:00Z";
};

class StoreFixture {
public:
    StoreFixture() {
        auto opened = store::Store::open(m_temp / "tunecap.db");
        if (!opened) throw core::Failure(opened.error());
        m_store = std::move(opened).take();
    }

    const std::filesystem::path& dir() const { return m_temp.path(); }
    store::Store& store() { return *m_store; }

    void track(const std::string& id, const std::filesystem::path& file, std::vector<std::string> genres = {"Techno"},
               std::optional<analysis::Facts> facts = sample_facts()) {
        const report::TrackInfo info{std::move(genres), "tags", std::move(facts)};
        const store::TrackRow row{id, file.string(), "hash-of-" + id, report::track_info_json(info)};
        if (!m_store->put_track(row)) throw core::Failure("cannot put track " + id);
    }

    void step(const StepSpec& spec) {
        store::StepRow row;
        row.key = "key-" + std::to_string(++m_keys);
        row.track_id = spec.track_id;
        row.phase = spec.phase;
        row.model = spec.model;
        row.prompt = spec.prompt;
        row.outcome = spec.outcome;
        row.caption = spec.outcome == store::StepOutcome::done ? spec.caption : "";
        row.error = spec.outcome == store::StepOutcome::failed ? "server died" : "";
        row.flags = spec.flags;
        row.finished_at = spec.finished_at;
        if (!m_store->put_step(row)) throw core::Failure("cannot put step " + row.key);
    }

    Selection select(const Filter& filter) {
        auto selection = select_rows(m_store->all_steps(), filter);
        if (!selection) throw core::Failure(selection.error());
        return std::move(selection).take();
    }

    Gathered gather_rows(const Selection& selection, const std::filesystem::path& base) {
        return gather(selection.rows, [this](const std::string& id) { return m_store->find_track(id); }, base);
    }

private:
    testing::TempDir m_temp;
    std::unique_ptr<store::Store> m_store;
    int m_keys = 0;
};

}  // namespace tunecap::manifest
