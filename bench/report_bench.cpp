// SPDX-License-Identifier: GPL-3.0-or-later
// bench_report [--tracks N] [--keep DIR]: report.html for a store of N tracks (default 1,000) of the
// default graph's 55 steps each, with captions shaped like the models' (one to four sentences,
// tempo and key claims checked against each track's facts, a few flagged, 1% failed). Builds the
// store in a temporary folder, then times on one core: reading the store, metrics::compute and
// html::render, and prints the page's size. Target (issue: report.html): compute and render
// under 5 s together for 1,000 tracks in a Release build. --keep DIR writes DIR/report.html and
// leaves the store there, to open the page; a store already there is used as it is.
//
//   build/release/bench/bench_report

#include <sched.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/facts.hpp"
#include "claims/claims_json.hpp"
#include "claims/measured_facts.hpp"
#include "html/report.hpp"
#include "metrics/metrics.hpp"
#include "core/atomic_file.hpp"
#include "report/facts_json.hpp"
#include "report/json_output.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tunecap;
using Clock = std::chrono::steady_clock;

struct PhaseSpec {
    std::string id;
    std::vector<std::string> models;
    store::HintKind hint = store::HintKind::none;
};

// The default graph (configs/default.yaml): 5 + 5 + 15 + 5 + 5 + 5 + 15 = 55 steps a track.
const std::vector<PhaseSpec> kPhases = {
    {"flamingo", {"music_flamingo"}},
    {"flamingo_genre", {"music_flamingo"}, store::HintKind::genres},
    {"revision", {"qwen3_14b", "gpt_oss_20b", "granite_tiny"}},
    {"omni", {"qwen_omni"}},
    {"omni_genre", {"qwen_omni"}, store::HintKind::genres},
    {"omni_revision", {"qwen_omni"}},
    {"ensemble", {"qwen3_14b", "gpt_oss_20b", "granite_tiny"}},
};
const std::vector<std::string> kPrompts = {"descriptive", "technical", "brief", "mood", "instrumentation"};

constexpr std::array kGenres = {"techno", "deep house", "ambient", "indie rock", "jazz fusion", "lo-fi hip hop", "synth-pop",
                                "drum and bass", "folk", "downtempo", "post-rock", "dub"};
constexpr std::array kMoods = {"hypnotic", "brooding", "uplifting", "melancholic", "driving", "dreamy", "playful", "tense", "serene"};
constexpr std::array kInstruments = {"a rolling bassline", "shimmering pads", "fingerpicked acoustic guitar",
                                     "a punchy four-on-the-floor kick", "squelchy acid leads", "warm Rhodes chords",
                                     "brushed drums", "layered synth arpeggios", "a deep sub bass", "soaring string lines"};
constexpr std::array kDetails = {"a breakdown halfway through", "vocal chops drifting in the background",
                                 "a long filtered build that releases into the final chorus", "subtle tape saturation on the drums",
                                 "call-and-response between the leads", "a hushed outro with the pads alone",
                                 "a reverb-soaked bridge", "wide stereo delays on the percussion"};
constexpr std::array kKeys = {"C major", "A minor", "F# minor", "E minor", "D major", "Bb major", "G minor", "Eb major"};

class Writer {
public:
    explicit Writer(unsigned seed) : m_random(seed) {}
    template <typename List>
    std::string pick(const List& list) {
        return list[m_random() % std::size(list)];
    }
    int between(int low, int high) { return low + static_cast<int>(m_random() % static_cast<unsigned>(high - low + 1)); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_random) < p; }

    // One to four sentences as the prompt asks, sometimes with a tempo near the measured one (or
    // its double), sometimes far off, sometimes a key.
    std::string caption(const std::string& prompt, const std::string& genre, double bpm) {
        const int sentences = prompt == "brief" ? 1 : prompt == "descriptive" ? between(3, 4) : between(2, 3);
        std::string text;
        for (int s = 0; s < sentences; ++s) {
            if (s == 0) {
                text += fmt::format("A {} {} track driven by {} and {}", pick(kMoods), genre, pick(kInstruments), pick(kInstruments));
                if (prompt != "brief" && chance(0.7)) {
                    const double claimed = chance(0.6) ? bpm * (chance(0.8) ? 1 : 2) : between(70, 175);
                    text += fmt::format(" at around {:.0f} BPM", claimed);
                }
                if (prompt == "technical" && chance(0.6)) text += " in " + pick(kKeys);
                text += ".";
            } else {
                text += fmt::format(" The mix is {} with {}, and {} carries the {} mood through {}.", chance(0.5) ? "spacious" : "dense",
                                    pick(kDetails), pick(kInstruments), pick(kMoods), pick(kDetails));
            }
        }
        return text;
    }

private:
    std::mt19937 m_random;
};

analysis::Facts facts_for(Writer& writer) {
    analysis::Facts facts;
    facts.duration_seconds = writer.between(120, 420);
    facts.sample_rate = 44100;
    facts.channels = 2;
    facts.loudness = analysis::Loudness{-14.0 + writer.between(0, 60) / 10.0, 6.5, -0.4};
    facts.tempo = analysis::Tempo{static_cast<double>(writer.between(70, 175)), writer.between(30, 99) / 100.0};
    facts.key = analysis::Key{writer.between(0, 11), writer.chance(0.5), writer.between(30, 95) / 100.0};
    facts.onsets_per_second = 3.2;
    facts.brightness_hz = 2100;
    return facts;
}

store::StepRow step_row(Writer& writer, const std::string& track_id, const PhaseSpec& phase, const std::string& model,
                        const std::string& prompt, const std::string& genre, const analysis::Facts& facts) {
    store::StepRow row;
    row.track_id = track_id;
    row.phase = phase.id;
    row.model = model;
    row.prompt = prompt;
    row.key = fmt::format("{}/{}/{}/{}", track_id, phase.id, model, prompt);
    row.finished_at = "2025-06-01T12:00:00Z";
    row.server_build = "b6000-bench";
    row.hint_kind = phase.hint;
    if (phase.hint != store::HintKind::none) row.hint = genre;
    // What a real row carries besides the caption: the request sent (prompt, template, inputs).
    row.request = std::string(1200, 'r');
    if (writer.chance(0.01)) {
        row.outcome = store::StepOutcome::failed;
        row.error = "HTTP 500 from llama-server: the model produced output that does not match the expected format";
        row.claims = "[]";
        return row;
    }
    row.outcome = store::StepOutcome::done;
    row.caption = writer.caption(prompt, genre, facts.tempo->bpm);
    row.raw_output = row.caption;
    if (writer.chance(0.05)) row.flags.push_back("wrapper_removed");
    if (writer.chance(0.01)) row.flags.push_back("fallback_used");
    if (writer.chance(0.02)) row.flags.push_back("truncated");
    const auto measured = claims::measured_facts(facts);
    row.claims = claims::to_json(row.caption, &measured);
    row.prompt_tokens = writer.between(800, 6000);
    row.completion_tokens = writer.between(20, 180);
    row.predicted_ms = row.completion_tokens * (model == "granite_tiny" ? 6.0 : 22.0);
    row.prompt_ms = 150;
    row.elapsed_ms = row.predicted_ms + row.prompt_ms + writer.between(0, 300);
    return row;
}

void build_store(store::Store& store, std::size_t tracks) {
    Writer writer(42);
    for (std::size_t t = 0; t < tracks; ++t) {
        const auto id = fmt::format("track-{:05}", t);
        const auto genre = writer.pick(kGenres);
        report::TrackInfo info{{genre}, "tags", facts_for(writer)};
        store.put_track({id, fmt::format("/music/library/{:03}/{:05} {}.flac", t / 100, t, genre), "hash", report::track_info_json(info)})
            .take();
        for (const auto& phase : kPhases) {
            for (const auto& model : phase.models) {
                for (const auto& prompt : kPrompts) store.put_step(step_row(writer, id, phase, model, prompt, genre, *info.facts)).take();
            }
        }
        for (const auto* model : {"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny"}) {
            if (t == 0) store.put_load({"run-1", model, 4.5, 9000.0, 0, "b6000-bench"}).take();
        }
    }
}

// Wall time, and the process's CPU time, which a busy shared machine inflates less.
struct Timer {
    Clock::time_point wall = Clock::now();
    std::clock_t cpu = std::clock();
    double wall_seconds() const { return std::chrono::duration<double>(Clock::now() - wall).count(); }
    double cpu_seconds() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

}  // namespace

int main(int argc, char** argv) {
    std::size_t tracks = 1000;
    fs::path keep;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--tracks") {
            tracks = std::strtoul(argv[i + 1], nullptr, 10);
        } else if (flag == "--keep") {
            keep = argv[i + 1];
        } else {
            std::fprintf(stderr, "usage: bench_report [--tracks N] [--keep DIR]\n");
            return 2;
        }
    }
    // One core, as the target is stated: compute and render are single-threaded anyway.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);

    const auto dir = keep.empty() ? fs::temp_directory_path() / fmt::format("tunecap-bench-report-{}", ::getpid()) : keep;
    fs::create_directories(dir);
    const bool stored = fs::exists(dir / "tunecap.db");
    auto store = store::Store::open(dir / "tunecap.db").take();
    Timer timer;
    if (stored) {
        fmt::print("store: {} as it is\n", (dir / "tunecap.db").string());
    } else {
        build_store(*store, tracks);
        fmt::print("store: {} tracks x 55 steps written in {:.1f} s\n", tracks, timer.wall_seconds());
    }

    timer = Timer();
    std::vector<std::string> phase_order;
    for (const auto& phase : kPhases) phase_order.push_back(phase.id);
    auto inputs = metrics::read_inputs(*store, phase_order);
    std::map<std::string, store::TrackRow> rows;
    for (const auto& [id, info] : inputs.tracks) rows.emplace(id, *store->find_track(id));
    const double read_wall = timer.wall_seconds(), read_cpu = timer.cpu_seconds();

    timer = Timer();
    html::Report page;
    page.metrics = metrics::compute(inputs);
    const double compute_wall = timer.wall_seconds(), compute_cpu = timer.cpu_seconds();

    timer = Timer();
    page.title = "bench";
    page.generated_at = "2025-06-01T12:00:00Z";
    page.phase_order = inputs.phase_order;
    page.prompt_order = kPrompts;
    page.report_dir = dir;
    page.working_dir = dir;
    for (auto& step : inputs.steps) {
        if (page.tracks.empty() || page.tracks.back().row.track_id != step.track_id) {
            auto& track = page.tracks.emplace_back();
            track.row = rows.at(step.track_id);
            track.info = inputs.tracks.at(step.track_id);
        }
        page.tracks.back().steps.push_back(std::move(step));
    }
    const auto text = html::render(page);
    const double render_wall = timer.wall_seconds(), render_cpu = timer.cpu_seconds();

    fmt::print("                     wall      CPU\n");
    fmt::print("read the store     {:6.2f} s {:6.2f} s  ({} steps)\n", read_wall, read_cpu, inputs.steps.size());
    fmt::print("metrics::compute   {:6.2f} s {:6.2f} s\n", compute_wall, compute_cpu);
    fmt::print("html::render       {:6.2f} s {:6.2f} s\n", render_wall, render_cpu);
    fmt::print("compute + render   {:6.2f} s {:6.2f} s  (target: under 5 s for 1,000 tracks, Release, one core)\n",
               compute_wall + render_wall, compute_cpu + render_cpu);
    fmt::print("report.html        {:6.1f} MB ({} bytes)\n", static_cast<double>(text.size()) / 1e6, text.size());
    if (!keep.empty()) {
        core::write_file_atomically(dir / "report.html", text, {}, core::Sync::no).take();
        fmt::print("written: {}\n", (dir / "report.html").string());
    } else {
        store.reset();
        fs::remove_all(dir);
    }
    return 0;
}
