// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A minimal Standard MIDI File writer (SMF 1.0): format 1, one division in ticks per quarter note,
// tracks of tempo, time-signature, name, program-change and note events. Enough to describe the
// test corpus; nothing here reads MIDI.

#include <cstdint>
#include <string>
#include <vector>

namespace tunecap::make_corpus {

using Bytes = std::vector<std::uint8_t>;

// MIDI channel 10 (index 9) is the General MIDI percussion channel.
inline constexpr std::uint8_t kDrumChannel = 9;

// The variable-length quantity of SMF delta times: 7 bits a byte, most significant first, the top
// bit set on every byte but the last. Values above 0x0FFFFFFF do not fit in four bytes and throw.
Bytes encode_vlq(std::uint32_t value);

// Microseconds per quarter note, as the tempo meta event stores it: 60e6 / bpm, rounded.
std::uint32_t microseconds_per_quarter(double bpm);

// One MTrk chunk's events, added in any order; serialised sorted by tick. At equal ticks meta events
// come first, then program changes, note-offs and note-ons, so a repeated note is released before it
// sounds again.
class MidiTrack {
public:
    void name(std::uint32_t tick, const std::string& text);
    void tempo(std::uint32_t tick, double bpm);
    // denominator is the note value (4 for 3/4); stored as its power of two, with 24 MIDI clocks a
    // metronome click and 8 thirty-second notes a quarter.
    void time_signature(std::uint32_t tick, std::uint8_t numerator, std::uint8_t denominator);
    void program_change(std::uint32_t tick, std::uint8_t channel, std::uint8_t program);
    void note(std::uint32_t tick, std::uint32_t duration, std::uint8_t channel, std::uint8_t key,
              std::uint8_t velocity);

    // The chunk ("MTrk", length, events, end of track at end_tick). Events and notes starting at or
    // after end_tick are dropped and notes sounding past it end there, so every track of a file ends
    // together.
    Bytes chunk(std::uint32_t end_tick) const;

private:
    enum class Order : std::uint8_t { kMeta, kProgram, kNoteOff, kNoteOn };
    struct Event {
        std::uint32_t tick;
        Order order;
        Bytes data;  // status byte onwards
    };
    struct Note {
        std::uint32_t tick;
        std::uint32_t duration;
        std::uint8_t channel;
        std::uint8_t key;
        std::uint8_t velocity;
    };
    std::vector<Event> m_events;  // everything but notes
    std::vector<Note> m_notes;
};

// The whole file: the MThd header (format 1, track count, division) and each track's chunk.
Bytes smf_bytes(std::uint16_t ticks_per_quarter, const std::vector<MidiTrack>& tracks, std::uint32_t end_tick);

}  // namespace tunecap::make_corpus
