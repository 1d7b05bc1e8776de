// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The benchmark's answer: what each captioning strategy (a phase and model, or a phase, model and
// prompt) produced, computed from the store alone, for `tunecap metrics`, report.html and the
// benchmarks. Pure: rows in, numbers out.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/facts_json.hpp"
#include "store/store.hpp"

namespace tunecap::metrics {

// What the metrics are computed from: every stored step, the tracks' info (genres, facts) by track
// id, every model load, and the phase order to present (the config's; phases it does not name
// follow in name order).
struct Inputs {
    std::vector<store::StepRow> steps;
    std::map<std::string, report::TrackInfo> tracks;
    std::vector<store::LoadRow> loads;
    std::vector<std::string> phase_order;
};

struct Options {
    bool by_prompt = false;  // one group per phase, model and prompt instead of per phase and model
};

// p50 and p95 by the nearest-rank method; all zero when there are no values.
struct Distribution {
    std::size_t count = 0;
    double mean = 0;
    double p50 = 0;
    double p95 = 0;
};

struct Count {
    std::size_t made = 0;         // claims of this kind in the group's captions
    std::size_t agrees = 0;       // verdict agrees
    std::size_t related = 0;      // keys only: relative, parallel or a fifth
    std::size_t contradicts = 0;
    std::size_t unverified = 0;   // no confident fact to check against
};

// A 4-gram of words (lower case) and how many distinct tracks' captions in the group contain it.
struct Phrase {
    std::string words;
    std::size_t tracks = 0;
};

struct Group {
    std::string phase;
    std::string model;
    std::string prompt;  // empty unless Options::by_prompt

    // Outcomes. The newest row of each (track, phase, model, prompt) counts, once.
    std::size_t steps = 0;
    std::size_t done = 0;
    std::size_t failed = 0;
    std::size_t empty = 0;    // flagged `empty`: nothing usable remained
    std::size_t flagged = 0;  // done but carrying a flag that keeps it out of training (clean::is_flagged)

    // Captions of done steps. A word is a run of letters and digits (metrics/words.hpp: "lo-fi" is
    // one, "128 BPM" two); phrases, genre names and agreement read captions the same way.
    Distribution words;
    Distribution t5_tokens;       // by the cleaner's estimate
    std::size_t cut_at_budget = 0;  // flagged `truncated`

    // Claims against the measured facts, from the claims stored with each step.
    Count tempo_claims;
    Count key_claims;

    // Genre hints. A caption "names" a genre when it contains each of its words (case-insensitive).
    std::size_t hinted = 0;          // done steps whose prompt named the track's genres
    std::size_t hint_named = 0;      // ... whose caption names one of them
    std::size_t wrong_hinted = 0;    // done steps of the wrong-hint probe
    std::size_t wrong_named = 0;     // ... whose caption names one of the wrong genres
    std::size_t unhinted = 0;        // done steps without a hint, of tracks with known genres
    std::size_t unhinted_named = 0;  // ... whose caption names one of the track's genres anyway

    // Phrases every track gets: the most shared 4-grams (at most 10, most tracks first), and
    // distinct-1 and distinct-2 (distinct unigrams and bigrams over all of them) over the group.
    std::vector<Phrase> common_phrases;
    double distinct_1 = 0;
    double distinct_2 = 0;

    // Agreement: the mean token F1 of this group's caption with other models' captions for the same
    // track and prompt; nullopt when no other model captioned the same track and prompt.
    std::optional<double> agreement;
    std::size_t agreement_pairs = 0;

    // Speed of done steps: request latency, and generated tokens per second of generation time.
    Distribution latency_ms;
    Distribution tokens_per_second;
};

struct ModelLoads {
    std::string model;
    std::size_t loads = 0;
    Distribution load_seconds;
    std::optional<double> peak_gpu_mib;  // the highest measured, nullopt when never measured
    int restarts = 0;
};

struct Metrics {
    std::size_t tracks = 0;          // tracks with a stored step
    std::vector<Group> groups;       // by phase order, then model and prompt in name order
    std::vector<ModelLoads> models;  // by model name
};

// Every step, track and load of a run's store (track rows parsed with report::read_track_info), for
// `tunecap metrics`, report.html and the benchmark; the steps without their raw output, reasoning
// and request (StepColumns::without_outputs), which neither reads. Throws core::Failure naming the
// file when it cannot be read.
Inputs read_inputs(store::Store& store, std::vector<std::string> phase_order);

Metrics compute(const Inputs& inputs, const Options& options = {});

// `tunecap metrics --json`: one object, every field above by its name.
std::string to_json(const Metrics& metrics);
// `tunecap metrics`: a table for people, one line per group.
std::string to_table(const Metrics& metrics);

}  // namespace tunecap::metrics
