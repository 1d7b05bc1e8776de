// SPDX-License-Identifier: GPL-3.0-or-later
#include "corpus.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace tunecap::make_corpus {
namespace {

using enum Style;
using enum Mode;

// Six styles four times; 24 keys, each pitch class once as a major and once as a minor tonic,
// spelled with sharps and flats as their key signatures have them. Tempos span each style's range.
constexpr std::array kTable{
    TrackSpec{kFourOnTheFloor, 128, "A", kMinor}, TrackSpec{kDrumAndBass, 174, "F", kMinor},
    TrackSpec{kHipHop, 90, "Eb", kMajor},         TrackSpec{kBallad, 66, "D", kMajor},
    TrackSpec{kWaltz, 138, "G", kMajor},          TrackSpec{kShuffle, 112, "E", kMinor},
    TrackSpec{kFourOnTheFloor, 120, "Bb", kMajor}, TrackSpec{kDrumAndBass, 172, "C#", kMinor},
    TrackSpec{kHipHop, 86, "G", kMinor},          TrackSpec{kBallad, 72, "Ab", kMajor},
    TrackSpec{kWaltz, 96, "D", kMinor},           TrackSpec{kShuffle, 104, "A", kMajor},
    TrackSpec{kFourOnTheFloor, 140, "F#", kMinor}, TrackSpec{kDrumAndBass, 176, "E", kMajor},
    TrackSpec{kHipHop, 94, "B", kMinor},          TrackSpec{kBallad, 60, "F", kMajor},
    TrackSpec{kWaltz, 156, "C", kMinor},          TrackSpec{kShuffle, 120, "C", kMajor},
    TrackSpec{kFourOnTheFloor, 150, "Db", kMajor}, TrackSpec{kDrumAndBass, 170, "Bb", kMinor},
    TrackSpec{kHipHop, 88, "F#", kMajor},         TrackSpec{kBallad, 75, "G#", kMinor},
    TrackSpec{kWaltz, 120, "B", kMajor},          TrackSpec{kShuffle, 96, "Eb", kMinor},
};

constexpr std::uint16_t kTicksPerQuarter = 480;
constexpr std::uint8_t kChordChannel = 0;
constexpr std::uint8_t kBassChannel = 1;
constexpr std::uint8_t kMelodyChannel = 2;

// General MIDI percussion keys.
constexpr std::uint8_t kKick = 36, kSideStick = 37, kSnare = 38, kClap = 39, kClosedHat = 42, kPedalHat = 44,
                       kOpenHat = 46, kCrash = 49;

// General MIDI programs (0-based) for chords, bass and melody.
struct Band {
    std::uint8_t chords, bass, melody;
};

Band band_of(Style style) {
    switch (style) {
        case kFourOnTheFloor: return {89, 38, 80};  // warm pad, synth bass, square lead
        case kDrumAndBass: return {48, 38, 4};      // strings, synth bass, electric piano
        case kHipHop: return {4, 33, 11};           // electric piano, finger bass, vibraphone
        case kBallad: return {0, 32, 73};           // grand piano, acoustic bass, flute
        case kWaltz: return {0, 32, 40};            // grand piano, acoustic bass, violin
        case kShuffle: return {16, 33, 65};         // drawbar organ, finger bass, alto sax
    }
    throw std::logic_error("unknown style");
}

int beats_per_bar(Style style) { return style == kWaltz ? 3 : 4; }

// Semitones above the tonic of a scale degree (0 = tonic, may be negative or above 6). Minor is
// natural minor except over the dominant, where the seventh is raised to the leading tone: the
// V chord of i-iv-V-i is major, which is what makes a minor key unambiguous against its relative
// major.
int semitones(int degree, Mode mode, bool over_dominant) {
    static constexpr std::array kMajorSteps{0, 2, 4, 5, 7, 9, 11};
    static constexpr std::array kMinorSteps{0, 2, 3, 5, 7, 8, 10};
    const int octave = degree >= 0 ? degree / 7 : -((-degree + 6) / 7);
    const int step = degree - 7 * octave;
    int offset = (mode == kMajor ? kMajorSteps : kMinorSteps)[static_cast<std::size_t>(step)];
    if (mode == kMinor && over_dominant && step == 6) offset = 11;
    return 12 * octave + offset;
}

std::uint32_t ticks(double beats) { return static_cast<std::uint32_t>(std::lround(beats * kTicksPerQuarter)); }

struct Hit {
    double beat;
    std::uint8_t key;
    int velocity;
};

// One bar of drums: the pattern that says each style's tempo and meter.
std::vector<Hit> drum_bar(Style style) {
    std::vector<Hit> hits;
    switch (style) {
        case kFourOnTheFloor:
            for (int beat = 0; beat < 4; ++beat) {
                hits.push_back({beat + 0.0, kKick, 112});
                hits.push_back({beat + 0.5, kOpenHat, 80});
                hits.push_back({beat + 0.25, kClosedHat, 45});
                hits.push_back({beat + 0.75, kClosedHat, 45});
            }
            hits.push_back({1, kClap, 100});
            hits.push_back({3, kClap, 100});
            break;
        case kDrumAndBass:  // the two-step: kick on 1 and the "and" of 3, snare on 2 and 4
            hits.push_back({0, kKick, 115});
            hits.push_back({2.5, kKick, 105});
            hits.push_back({1, kSnare, 110});
            hits.push_back({3, kSnare, 110});
            for (int eighth = 0; eighth < 8; ++eighth) hits.push_back({eighth * 0.5, kClosedHat, eighth % 2 ? 60 : 80});
            break;
        case kHipHop:  // boom bap
            hits.push_back({0, kKick, 115});
            hits.push_back({2.5, kKick, 100});
            hits.push_back({2.75, kKick, 90});
            hits.push_back({1, kSnare, 110});
            hits.push_back({3, kSnare, 110});
            for (int eighth = 0; eighth < 8; ++eighth) hits.push_back({eighth * 0.5, kClosedHat, eighth % 2 ? 55 : 75});
            break;
        case kBallad:
            hits.push_back({0, kKick, 95});
            hits.push_back({2, kKick, 85});
            hits.push_back({1, kSideStick, 90});
            hits.push_back({3, kSideStick, 90});
            for (int eighth = 0; eighth < 8; ++eighth) hits.push_back({eighth * 0.5, kClosedHat, eighth % 2 ? 35 : 55});
            break;
        case kWaltz:  // oom-pah-pah: the downbeat heavy, beats 2 and 3 light
            hits.push_back({0, kKick, 110});
            hits.push_back({1, kSideStick, 70});
            hits.push_back({2, kSideStick, 70});
            for (int beat = 0; beat < 3; ++beat) hits.push_back({beat + 0.0, kPedalHat, beat == 0 ? 80 : 60});
            break;
        case kShuffle:  // each beat split 2:1 into triplet eighths
            hits.push_back({0, kKick, 110});
            hits.push_back({2, kKick, 105});
            hits.push_back({1, kSnare, 105});
            hits.push_back({3, kSnare, 105});
            for (int beat = 0; beat < 4; ++beat) {
                hits.push_back({beat + 0.0, kClosedHat, 80});
                hits.push_back({beat + 2.0 / 3.0, kClosedHat, 60});
            }
            break;
    }
    return hits;
}

// Melody over each bar of the four-bar phrase I-IV-V-I (i-iv-V-i), in scale degrees from the
// tonic: chord tones, the dominant bar leaning on the leading tone, each phrase ending on the tonic.
std::vector<int> melody_degrees(int bar_in_phrase, int beats) {
    if (beats == 3) {
        static const std::vector<int> kWaltz[4] = {{0, 2, 4}, {5, 3, 5}, {6, 4, 6}, {7}};
        return kWaltz[bar_in_phrase];
    }
    static const std::vector<int> kFour[4] = {{4, 2, 0, 2}, {5, 3, 5, 7}, {8, 6, 4, 6}, {7}};
    return kFour[bar_in_phrase];
}

}  // namespace

std::span<const TrackSpec> corpus_table() { return kTable; }

std::string_view style_name(Style style) {
    switch (style) {
        case kFourOnTheFloor: return "four_on_the_floor";
        case kDrumAndBass: return "drum_and_bass";
        case kHipHop: return "hip_hop";
        case kBallad: return "ballad";
        case kWaltz: return "waltz";
        case kShuffle: return "shuffle";
    }
    throw std::logic_error("unknown style");
}

std::string_view mode_name(Mode mode) { return mode == kMajor ? "major" : "minor"; }

std::string_view meter_name(Style style) { return style == kWaltz ? "3/4" : "4/4"; }

int tonic_pitch_class(std::string_view key) {
    static constexpr std::string_view kLetters = "C D EF G A B";
    const auto letter = key.empty() ? std::string_view::npos : kLetters.find(key[0]);
    if (letter == std::string_view::npos || key[0] == ' ' || key.size() > 2) {
        throw std::invalid_argument(fmt::format("bad key name '{}'", key));
    }
    int pitch = static_cast<int>(letter);
    if (key.size() == 2) {
        if (key[1] == '#') {
            ++pitch;
        } else if (key[1] == 'b') {
            --pitch;
        } else {
            throw std::invalid_argument(fmt::format("bad key name '{}'", key));
        }
    }
    return (pitch + 12) % 12;
}

std::string track_name(std::size_t index, const TrackSpec& spec) {
    std::string key(spec.key.substr(0, 1));
    if (spec.key.size() == 2) key += spec.key[1] == '#' ? "sharp" : "flat";
    return fmt::format("{:02}_{}_{}bpm_{}_{}", index + 1, style_name(spec.style), spec.bpm, key, mode_name(spec.mode));
}

nlohmann::json truth_json(const TrackSpec& spec, double seconds) {
    return {{"kind", "track"},
            {"bpm", spec.bpm},
            {"key", spec.key},
            {"mode", mode_name(spec.mode)},
            {"meter", meter_name(spec.style)},
            {"style", style_name(spec.style)},
            {"seconds", seconds},
            {"tonic_pitch_class", tonic_pitch_class(spec.key)}};
}

Bytes compose_midi(const TrackSpec& spec, double seconds) {
    if (!(seconds > 0) || seconds > 3600) throw std::invalid_argument("track length must be above 0 and at most an hour");
    const int beats = beats_per_bar(spec.style);
    const double total_beats = seconds * spec.bpm / 60.0;
    const std::uint32_t end_tick = ticks(total_beats);
    const int bars = static_cast<int>(std::ceil(total_beats / beats));
    const Band band = band_of(spec.style);
    const int tonic = tonic_pitch_class(spec.key);
    // Registers: chords around middle C, bass in the octave of C2, melody an octave above the chords.
    const int chord_tonic = tonic <= 6 ? 60 + tonic : 48 + tonic;
    const int bass_tonic = 36 + tonic;
    const int melody_tonic = chord_tonic + 12;

    MidiTrack conductor;
    conductor.name(0, track_name(0, spec).substr(3));
    conductor.tempo(0, spec.bpm);
    conductor.time_signature(0, static_cast<std::uint8_t>(beats), 4);

    MidiTrack chords, bass, melody, drums;
    chords.name(0, "chords");
    bass.name(0, "bass");
    melody.name(0, "melody");
    drums.name(0, "drums");
    chords.program_change(0, kChordChannel, band.chords);
    bass.program_change(0, kBassChannel, band.bass);
    melody.program_change(0, kMelodyChannel, band.melody);

    static constexpr std::array kProgression{0, 3, 4, 0};  // I IV V I, as scale degrees of the roots
    const auto key_at = [&](int base, int degree, bool over_dominant) {
        return static_cast<std::uint8_t>(base + semitones(degree, spec.mode, over_dominant));
    };
    for (int bar = 0; bar < bars; ++bar) {
        const double start = static_cast<double>(bar) * beats;
        // The last bar, whole or cut short, is the tonic, so the track ends on its key.
        const int phrase_bar = bar == bars - 1 ? 3 : bar % 4;
        const int root = kProgression[static_cast<std::size_t>(phrase_bar)];
        const bool dominant = root == 4;

        // Chord tones folded to lie within a fifth of the tonic: smooth voice leading, and the
        // dominant's leading tone sits just under the tonic it resolves to.
        std::vector<std::uint8_t> chord;
        for (int tone = root; tone <= root + 4; tone += 2) chord.push_back(key_at(chord_tonic, tone > 4 ? tone - 7 : tone, dominant));
        const auto play_chord = [&](double beat, double length, std::uint8_t velocity) {
            for (std::uint8_t key : chord) chords.note(ticks(start + beat), ticks(length), kChordChannel, key, velocity);
        };
        const std::uint8_t bass_root = key_at(bass_tonic, root, dominant);
        const std::uint8_t bass_fifth = key_at(bass_tonic, root + 4, dominant);
        const auto play_bass = [&](double beat, double length, std::uint8_t key) {
            bass.note(ticks(start + beat), ticks(length), kBassChannel, key, 100);
        };
        switch (spec.style) {
            case kFourOnTheFloor:
                play_chord(0, 4, 70);
                for (int beat = 0; beat < 4; ++beat) play_bass(beat + 0.5, 0.45, bass_root);
                break;
            case kDrumAndBass:
                play_chord(0, 4, 70);
                play_bass(0, 1.5, bass_root);
                play_bass(2.5, 1.5, bass_root);
                break;
            case kHipHop:
                play_chord(0, 1.5, 75);
                play_chord(2, 2, 70);
                play_bass(0, 1, bass_root);
                play_bass(1.5, 0.5, bass_root);
                play_bass(2.5, 1, bass_root);
                break;
            case kBallad:
                play_chord(0, 2, 70);
                play_chord(2, 2, 65);
                play_bass(0, 2, bass_root);
                play_bass(2, 2, bass_root);
                break;
            case kWaltz:
                play_chord(1, 0.8, 70);
                play_chord(2, 0.8, 65);
                play_bass(0, 1, bass_root);
                break;
            case kShuffle:
                play_chord(0, 4, 65);
                play_bass(0, 0.9, bass_root);
                play_bass(1, 0.9, bass_root);
                play_bass(2, 0.9, bass_fifth);
                play_bass(3, 0.9, bass_root);
                break;
        }

        const std::vector<int> line = melody_degrees(phrase_bar, beats);
        if (line.size() == 1) {
            melody.note(ticks(start), ticks(beats - 0.1), kMelodyChannel, key_at(melody_tonic, line[0], dominant), 90);
        } else if (spec.style == kShuffle) {
            // The phrase's notes as swung eighths, twice a bar: on the beat, then two thirds of it.
            for (std::size_t i = 0; i < 2 * line.size(); ++i) {
                const double beat = static_cast<double>(i / 2) + (i % 2 ? 2.0 / 3.0 : 0.0);
                const double length = i % 2 ? 0.3 : 0.6;
                melody.note(ticks(start + beat), ticks(length), kMelodyChannel,
                            key_at(melody_tonic, line[i % line.size()], dominant), i % 2 ? 75 : 90);
            }
        } else {
            for (std::size_t i = 0; i < line.size(); ++i) {
                melody.note(ticks(start + static_cast<double>(i)), ticks(0.9), kMelodyChannel,
                            key_at(melody_tonic, line[i], dominant), 90);
            }
        }

        for (const Hit& hit : drum_bar(spec.style)) {
            drums.note(ticks(start + hit.beat), ticks(0.25), kDrumChannel, hit.key, static_cast<std::uint8_t>(hit.velocity));
        }
        if (bar % 8 == 0) drums.note(ticks(start), ticks(1), kDrumChannel, kCrash, 90);
    }

    return smf_bytes(kTicksPerQuarter, {conductor, chords, bass, melody, drums}, end_tick);
}

}  // namespace tunecap::make_corpus
