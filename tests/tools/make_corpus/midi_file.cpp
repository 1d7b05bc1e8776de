// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi_file.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace tunecap::make_corpus {
namespace {

void append_be(Bytes& out, std::uint32_t value, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void check_channel(std::uint8_t channel) {
    if (channel > 15) throw std::invalid_argument("MIDI channel index above 15");
}

}  // namespace

Bytes encode_vlq(std::uint32_t value) {
    if (value > 0x0FFFFFFF) throw std::out_of_range("MIDI variable-length quantity above 0x0FFFFFFF");
    Bytes reversed{static_cast<std::uint8_t>(value & 0x7F)};
    for (value >>= 7; value != 0; value >>= 7) reversed.push_back(static_cast<std::uint8_t>(0x80 | (value & 0x7F)));
    return Bytes(reversed.rbegin(), reversed.rend());
}

std::uint32_t microseconds_per_quarter(double bpm) {
    if (!(bpm > 3.6)) throw std::out_of_range("tempo too slow for a 24-bit tempo event");
    return static_cast<std::uint32_t>(std::lround(60'000'000.0 / bpm));
}

void MidiTrack::name(std::uint32_t tick, const std::string& text) {
    Bytes data{0xFF, 0x03};
    const Bytes length = encode_vlq(static_cast<std::uint32_t>(text.size()));
    data.insert(data.end(), length.begin(), length.end());
    data.insert(data.end(), text.begin(), text.end());
    m_events.push_back({tick, Order::kMeta, std::move(data)});
}

void MidiTrack::tempo(std::uint32_t tick, double bpm) {
    Bytes data{0xFF, 0x51, 0x03};
    append_be(data, microseconds_per_quarter(bpm), 3);
    m_events.push_back({tick, Order::kMeta, std::move(data)});
}

void MidiTrack::time_signature(std::uint32_t tick, std::uint8_t numerator, std::uint8_t denominator) {
    if (numerator == 0 || !std::has_single_bit(denominator)) throw std::invalid_argument("bad time signature");
    const auto power = static_cast<std::uint8_t>(std::countr_zero(denominator));
    m_events.push_back({tick, Order::kMeta, Bytes{0xFF, 0x58, 0x04, numerator, power, 24, 8}});
}

void MidiTrack::program_change(std::uint32_t tick, std::uint8_t channel, std::uint8_t program) {
    check_channel(channel);
    if (program > 127) throw std::invalid_argument("MIDI program above 127");
    m_events.push_back({tick, Order::kProgram, Bytes{static_cast<std::uint8_t>(0xC0 | channel), program}});
}

void MidiTrack::note(std::uint32_t tick, std::uint32_t duration, std::uint8_t channel, std::uint8_t key,
                     std::uint8_t velocity) {
    check_channel(channel);
    if (key > 127 || velocity == 0 || velocity > 127) throw std::invalid_argument("MIDI key or velocity out of range");
    if (duration == 0) throw std::invalid_argument("MIDI note of zero length");
    m_notes.push_back({tick, duration, channel, key, velocity});
}

Bytes MidiTrack::chunk(std::uint32_t end_tick) const {
    std::vector<Event> kept;
    for (const Event& event : m_events) {
        if (event.tick < end_tick) kept.push_back(event);
    }
    for (const Note& note : m_notes) {
        if (note.tick >= end_tick) continue;
        kept.push_back({note.tick, Order::kNoteOn, Bytes{static_cast<std::uint8_t>(0x90 | note.channel), note.key, note.velocity}});
        kept.push_back({std::min(note.tick + note.duration, end_tick), Order::kNoteOff,
                        Bytes{static_cast<std::uint8_t>(0x80 | note.channel), note.key, 64}});
    }
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Event& a, const Event& b) { return a.tick != b.tick ? a.tick < b.tick : a.order < b.order; });

    Bytes body;
    std::uint32_t now = 0;
    for (const Event& event : kept) {
        const Bytes delta = encode_vlq(event.tick - now);
        body.insert(body.end(), delta.begin(), delta.end());
        body.insert(body.end(), event.data.begin(), event.data.end());
        now = event.tick;
    }
    const Bytes delta = encode_vlq(end_tick - now);
    body.insert(body.end(), delta.begin(), delta.end());
    body.insert(body.end(), {0xFF, 0x2F, 0x00});

    Bytes out{'M', 'T', 'r', 'k'};
    append_be(out, static_cast<std::uint32_t>(body.size()), 4);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Bytes smf_bytes(std::uint16_t ticks_per_quarter, const std::vector<MidiTrack>& tracks, std::uint32_t end_tick) {
    if (tracks.empty() || tracks.size() > 0xFFFF) throw std::invalid_argument("an SMF holds 1 to 65535 tracks");
    if (ticks_per_quarter == 0 || ticks_per_quarter > 0x7FFF) throw std::invalid_argument("bad ticks per quarter note");
    Bytes out{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1};
    append_be(out, static_cast<std::uint32_t>(tracks.size()), 2);
    append_be(out, ticks_per_quarter, 2);
    for (const MidiTrack& track : tracks) {
        const Bytes chunk = track.chunk(end_tick);
        out.insert(out.end(), chunk.begin(), chunk.end());
    }
    return out;
}

}  // namespace tunecap::make_corpus
