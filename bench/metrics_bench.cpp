// SPDX-License-Identifier: GPL-3.0-or-later
// bench_metrics [--check]: writes a store of 1,000 tracks x 55 steps (the built-in config's phases,
// models and prompts) in a temp folder, with captions of 20 to 60 words drawn from a fixed seed,
// their claims checked against each track's facts, genre hints and the wrong-hint probe, then times
// reading it back and metrics::compute, per phase and model and --by-prompt, on one thread. The
// target for `tunecap metrics` and report.html together is under 5 s; metrics alone should stay
// well under 2 s of CPU time, which --check enforces (exit 1). Build in Release.
//
//   build/release/bench/bench_metrics

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "claims/claims_json.hpp"
#include "claims/measured_facts.hpp"
#include "core/text.hpp"
#include "metrics/metrics.hpp"
#include "report/facts_json.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace {

using namespace tunecap;

constexpr int kTracks = 1000;
constexpr double kTargetSeconds = 2.0;

// The built-in config's captioning phases and their models: 11 (phase, model) pairs x 5 prompts.
struct PhaseModels {
    std::string_view phase;
    std::vector<std::string_view> models;
    store::HintKind hint;
};
const std::vector<PhaseModels> kPhases = {
    {"flamingo", {"music_flamingo"}, store::HintKind::none},
    {"flamingo_genre", {"music_flamingo"}, store::HintKind::genres},
    {"revision", {"qwen3_14b", "gpt_oss_20b", "granite_tiny"}, store::HintKind::none},
    {"omni", {"qwen_omni"}, store::HintKind::none},
    {"omni_genre", {"qwen_omni"}, store::HintKind::wrong},
    {"omni_revision", {"qwen_omni"}, store::HintKind::none},
    {"ensemble", {"qwen3_14b", "gpt_oss_20b", "granite_tiny"}, store::HintKind::none},
};
const std::vector<std::string_view> kPrompts = {"descriptive", "technical", "brief", "mood", "instrumentation"};

const std::vector<std::string_view> kGenres = {"Minimal Techno", "Deep House", "Drum and Bass", "Ambient", "Dub",
                                               "Hip Hop", "Jazz", "Soul", "Synthwave", "Trip Hop", "Lo-Fi",
                                               "Downtempo", "Electro", "Garage", "Breakbeat", "Disco"};
const std::vector<std::string_view> kAdjectives = {"warm", "dark", "hazy", "driving", "bright", "dusty", "lush",
                                                   "sparse", "gritty", "airy", "punchy", "mellow", "hypnotic",
                                                   "shimmering", "rolling", "muted", "crisp", "brooding", "playful",
                                                   "melancholic", "swinging", "restless", "glassy", "deep"};
const std::vector<std::string_view> kInstruments = {"analog bass", "Rhodes piano", "808 kick", "hi-hats", "strings",
                                                    "saxophone", "pads", "vocal chops", "arpeggiated synth", "congas",
                                                    "acoustic guitar", "sub bass", "claps", "organ", "choir",
                                                    "plucked synth", "snare rolls", "bells", "trumpet", "tape loops"};
const std::vector<std::string_view> kMoods = {"nostalgic", "tense", "euphoric", "calm", "brooding", "hopeful",
                                              "dreamy", "urgent", "introspective", "joyful", "cold", "sensual"};
const std::vector<std::string_view> kTextures = {"wash of reverb", "bed of vinyl crackle", "haze of delay",
                                                 "field recording", "noise sweep", "stereo shimmer"};
const std::vector<std::string_view> kSections = {"breakdown", "drop", "chorus", "outro", "bridge", "climax"};
const std::vector<std::string_view> kSettings = {"late-night drives", "a warehouse floor", "a rainy afternoon",
                                                 "focused work", "a sunrise set", "film scenes"};
const std::vector<std::string_view> kKeys = {"A minor", "C major", "F# minor", "E minor", "D major", "G minor",
                                             "Bb major", "C minor"};

class Captions {
public:
    explicit Captions(unsigned seed) : m_random(seed) {}

    // Sentences until the caption reaches between 20 and 60 words.
    std::string caption(std::string_view genre, double bpm) {
        const int target = std::uniform_int_distribution(20, 60)(m_random);
        std::string out;
        int words = 0;
        while (words < target) {
            const auto sentence = this->sentence(genre, bpm);
            words += static_cast<int>(std::count(sentence.begin(), sentence.end(), ' ')) + 1;
            out += (out.empty() ? "" : " ") + sentence;
        }
        return out;
    }

    std::string_view pick(const std::vector<std::string_view>& items) {
        return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(m_random)];
    }
    int number(int low, int high) { return std::uniform_int_distribution(low, high)(m_random); }

private:
    std::string sentence(std::string_view genre, double bpm) {
        switch (number(0, 5)) {
            case 0:
                return fmt::format("A {} {} track built on {} and {}.", pick(kAdjectives), genre, pick(kInstruments),
                                   pick(kInstruments));
            case 1:
                return fmt::format("The {} moves over a {} {}, building toward a {} {}.", pick(kInstruments),
                                   pick(kAdjectives), pick(kTextures), pick(kAdjectives), pick(kSections));
            case 2:
                // Half the tempo claims are near the measured tempo, the rest anywhere.
                return fmt::format("It sits at around {} BPM in {}, with {} {} and {} {}.",
                                   number(0, 1) ? static_cast<int>(bpm) : number(70, 170), pick(kKeys),
                                   pick(kAdjectives), pick(kInstruments), pick(kAdjectives), pick(kInstruments));
            case 3:
                return fmt::format("The mood is {} and {}, suited to {}.", pick(kMoods), pick(kMoods), pick(kSettings));
            case 4:
                return fmt::format("Production is {}, with a {} panned wide and a {} low end.", pick(kAdjectives),
                                   pick(kTextures), pick(kAdjectives));
            default:
                return fmt::format("Halfway through, the {} drops out and the {} carries the {}.", pick(kInstruments),
                                   pick(kInstruments), pick(kSections));
        }
    }

    std::mt19937 m_random;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Wall-clock and CPU time of what runs between start() and the call; the two differ when other
// work shares the machine, and the CPU time is then the figure to compare.
class Stopwatch {
public:
    Stopwatch() : m_wall(std::chrono::steady_clock::now()), m_cpu(std::clock()) {}
    double wall() const { return seconds_since(m_wall); }
    double cpu() const { return static_cast<double>(std::clock() - m_cpu) / CLOCKS_PER_SEC; }
    std::string text() const { return fmt::format("{:.2f} s ({:.2f} s CPU)", wall(), cpu()); }

private:
    std::chrono::steady_clock::time_point m_wall;
    std::clock_t m_cpu;
};

struct Track {
    std::string id;
    report::TrackInfo info;
};

Track make_track(int index, Captions& random) {
    Track track{fmt::format("track-{:04}", index), {}};
    track.info.genre_source = "tags";
    if (random.number(0, 19) == 0) {
        track.info.genres = {"Unknown"};
    } else {
        track.info.genres = {std::string(random.pick(kGenres))};
        if (random.number(0, 2) == 0) track.info.genres.emplace_back(random.pick(kGenres));
    }
    analysis::Facts facts;
    facts.duration_seconds = random.number(120, 420);
    facts.tempo = analysis::Tempo{static_cast<double>(random.number(70, 170)), random.number(30, 100) / 100.0};
    facts.key = analysis::Key{random.number(0, 11), random.number(0, 1) == 1, random.number(20, 100) / 100.0};
    track.info.facts = facts;
    return track;
}

store::StepRow make_step(const Track& track, const PhaseModels& phase, std::string_view model, std::string_view prompt,
                         Captions& random) {
    store::StepRow row;
    row.track_id = track.id;
    row.phase = phase.phase;
    row.model = model;
    row.prompt = prompt;
    row.key = fmt::format("{}-{}-{}-{}", track.id, phase.phase, model, prompt);
    row.finished_at = fmt::format("2025-06-01T{:02}:{:02}:{:02}Z", random.number(0, 23), random.number(0, 59),
                                  random.number(0, 59));
    row.elapsed_ms = random.number(400, 20000);
    row.completion_tokens = random.number(40, 220);
    row.predicted_ms = row.elapsed_ms * 0.8;
    row.hint_kind = phase.hint;
    if (phase.hint == store::HintKind::genres) row.hint = core::join(track.info.genres, ", ");
    if (phase.hint == store::HintKind::wrong) row.hint = "Folk, Bluegrass";
    if (random.number(0, 49) == 0) {
        row.outcome = store::StepOutcome::failed;
        row.flags = {"empty"};
        row.error = "the model's output holds no usable caption";
        row.claims = "[]";
        return row;
    }
    row.outcome = store::StepOutcome::done;
    const auto& genres = phase.hint == store::HintKind::wrong ? std::vector<std::string>{"bluegrass"} : track.info.genres;
    row.caption = random.caption(genres[static_cast<std::size_t>(random.number(0, static_cast<int>(genres.size()) - 1))],
                                 track.info.facts->tempo->bpm);
    row.raw_output = row.caption;
    if (random.number(0, 29) == 0) row.flags.emplace_back("truncated");
    if (random.number(0, 99) == 0) row.flags.emplace_back("fallback_used");
    const auto facts = claims::measured_facts(*track.info.facts);
    row.claims = claims::to_json(row.caption, &facts);
    return row;
}

void write_store(store::Store& store, std::size_t& steps) {
    Captions random(20250601);
    for (int i = 0; i < kTracks; ++i) {
        const auto track = make_track(i, random);
        store::TrackRow row{track.id, "/music/" + track.id + ".flac", track.id, report::track_info_json(track.info)};
        if (!store.put_track(row).ok()) throw std::runtime_error("cannot store track " + track.id);
        for (const auto& phase : kPhases) {
            for (const auto model : phase.models) {
                for (const auto prompt : kPrompts) {
                    if (!store.put_step(make_step(track, phase, model, prompt, random)).ok()) {
                        throw std::runtime_error("cannot store a step of " + track.id);
                    }
                    ++steps;
                }
            }
        }
    }
    for (const auto model : {"music_flamingo", "qwen3_14b", "gpt_oss_20b", "granite_tiny", "qwen_omni"}) {
        if (!store.put_load({"run-1", model, random.number(5, 60) + 0.5, random.number(4000, 40000), 0, "b1"}).ok()) {
            throw std::runtime_error("cannot store a load");
        }
    }
}

// The CPU seconds of one compute.
double time_compute(const metrics::Inputs& inputs, const metrics::Options& options, std::size_t steps,
                    std::string_view label) {
    const Stopwatch stopwatch;
    const auto result = metrics::compute(inputs, options);
    std::printf("%s\n", fmt::format("{}: {} tracks x {} steps in {} ({} groups)", label, result.tracks,
                                    steps / result.tracks, stopwatch.text(), result.groups.size()).c_str());
    return stopwatch.cpu();
}

}  // namespace

int main(int argc, char** argv) {
    const bool check = argc == 2 && std::string_view(argv[1]) == "--check";
    if (argc > 2 || (argc == 2 && !check)) {
        std::fprintf(stderr, "usage: bench_metrics [--check]\n");
        return 2;
    }
    testing::TempDir dir;
    auto opened = store::Store::open(dir / "tunecap.db");
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
    }
    auto& store = **opened;
    std::size_t steps = 0;
    const Stopwatch writing;
    write_store(store, steps);
    std::printf("%s\n", fmt::format("store: {} steps written in {:.1f} s (setup, not timed below)", steps,
                                    writing.wall()).c_str());
    const Stopwatch reading;
    std::vector<std::string> phase_order;
    for (const auto& phase : kPhases) phase_order.emplace_back(phase.phase);
    const auto inputs = metrics::read_inputs(store, std::move(phase_order));
    std::printf("%s\n", fmt::format("read: {} steps, {} tracks and {} loads in {}", inputs.steps.size(),
                                    inputs.tracks.size(), inputs.loads.size(), reading.text()).c_str());
    const double by_model = time_compute(inputs, {}, steps, "metrics");
    const double by_prompt = time_compute(inputs, {.by_prompt = true}, steps, "metrics --by-prompt");
    if (check && std::max(by_model, by_prompt) > kTargetSeconds) {
        std::fprintf(stderr, "over the %.1f s target\n", kTargetSeconds);
        return 1;
    }
    return 0;
}
