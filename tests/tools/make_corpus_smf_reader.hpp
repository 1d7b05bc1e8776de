// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small Standard MIDI File reader for make-corpus's tests, written apart from its writer so a
// file that reads back here is a well-formed SMF, not just the writer agreeing with itself.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tunecap::make_corpus::testing {

struct SmfEvent {
    std::uint32_t tick = 0;  // absolute
    std::uint8_t status = 0;  // 0xFF for meta events
    std::uint8_t meta_type = 0;
    std::vector<std::uint8_t> data;  // channel message bytes after the status, or the meta payload
};

struct Smf {
    int format = 0;
    int division = 0;
    std::vector<std::vector<SmfEvent>> tracks;
};

// Throws std::runtime_error on anything malformed: bad tags, chunk lengths that do not match the
// bytes, a track not ending with exactly one end-of-track event, running status with no status.
inline Smf read_smf(const std::vector<std::uint8_t>& bytes) {
    std::size_t at = 0;
    const auto need = [&](std::size_t n) {
        if (at + n > bytes.size()) throw std::runtime_error("SMF truncated");
    };
    const auto be = [&](int n) {
        need(static_cast<std::size_t>(n));
        std::uint32_t value = 0;
        for (int i = 0; i < n; ++i) value = (value << 8) | bytes[at++];
        return value;
    };
    const auto tag = [&](const char* expected) {
        need(4);
        if (std::string(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at) + 4) != expected) {
            throw std::runtime_error(std::string("SMF: expected ") + expected);
        }
        at += 4;
    };
    const auto vlq = [&] {
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            need(1);
            const std::uint8_t byte = bytes[at++];
            value = (value << 7) | (byte & 0x7F);
            if (!(byte & 0x80)) return value;
        }
        throw std::runtime_error("SMF: variable-length quantity over 4 bytes");
    };

    Smf smf;
    tag("MThd");
    if (be(4) != 6) throw std::runtime_error("SMF: header length not 6");
    smf.format = static_cast<int>(be(2));
    const auto count = be(2);
    smf.division = static_cast<int>(be(2));
    for (std::uint32_t t = 0; t < count; ++t) {
        tag("MTrk");
        const std::uint32_t length = be(4);
        need(length);
        const std::size_t end = at + length;
        std::vector<SmfEvent> events;
        std::uint32_t tick = 0;
        std::uint8_t running = 0;
        bool ended = false;
        while (at < end) {
            if (ended) throw std::runtime_error("SMF: events after end of track");
            SmfEvent event;
            tick += vlq();
            event.tick = tick;
            need(1);
            if (bytes[at] & 0x80) running = bytes[at++];
            if (running == 0) throw std::runtime_error("SMF: running status with no status");
            event.status = running;
            if (running == 0xFF) {
                need(1);
                event.meta_type = bytes[at++];
                const std::uint32_t size = vlq();
                need(size);
                event.data.assign(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + size));
                at += size;
                running = 0;
                ended = event.meta_type == 0x2F;
            } else {
                const int kind = running & 0xF0;
                const std::size_t size = (kind == 0xC0 || kind == 0xD0) ? 1 : 2;
                need(size);
                event.data.assign(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + size));
                at += size;
            }
            events.push_back(std::move(event));
        }
        if (at != end || !ended) throw std::runtime_error("SMF: track does not end with end-of-track at its length");
        smf.tracks.push_back(std::move(events));
    }
    if (at != bytes.size()) throw std::runtime_error("SMF: bytes after the last track");
    return smf;
}

}  // namespace tunecap::make_corpus::testing
