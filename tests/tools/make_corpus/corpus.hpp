// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The corpus: a fixed table of tracks (style, tempo, key) and the music each one is, as a Standard
// MIDI File whose tempo, meter and key are its ground truth (README.md beside this file).

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "midi_file.hpp"

namespace tunecap::make_corpus {

enum class Style { kFourOnTheFloor, kDrumAndBass, kHipHop, kBallad, kWaltz, kShuffle };
enum class Mode { kMajor, kMinor };

struct TrackSpec {
    Style style;
    int bpm;               // quarter notes a minute, constant for the whole track
    std::string_view key;  // tonic as written in its key signature: "A", "F#", "Eb"
    Mode mode;
};

// Every track the tool can make, in order; --count N makes the first N. The order cycles through
// the six styles so that any prefix of six or more has each style.
std::span<const TrackSpec> corpus_table();

std::string_view style_name(Style style);
std::string_view mode_name(Mode mode);
std::string_view meter_name(Style style);  // "4/4" or "3/4"
int tonic_pitch_class(std::string_view key);  // C = 0 ... B = 11; throws on a bad name

// "07_four_on_the_floor_120bpm_Bflat_major": the 1-based index keeps the table's order in a listing.
std::string track_name(std::size_t index, const TrackSpec& spec);

// {"kind": "track", "bpm", "key", "mode", "meter", "style", "seconds", "tonic_pitch_class"}
nlohmann::json truth_json(const TrackSpec& spec, double seconds);

// The track as a format-1 SMF lasting exactly `seconds`: a conductor track (tempo, time signature)
// and one track each for chords, bass, melody and drums.
Bytes compose_midi(const TrackSpec& spec, double seconds);

}  // namespace tunecap::make_corpus
