// SPDX-License-Identifier: GPL-3.0-or-later
// make-corpus's pure parts: the MIDI writer byte for byte, the track table, the music each track
// is (read back with an independent reader), and the tones' levels.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "corpus.hpp"
#include "make_corpus_smf_reader.hpp"
#include "midi_file.hpp"
#include "tone.hpp"
#include "wav_file.hpp"

namespace tunecap::make_corpus {
namespace {

using testing::read_smf;
using testing::Smf;
using testing::SmfEvent;

TEST(MidiWriter, VariableLengthQuantitiesMatchTheSmfSpecExamples) {
    EXPECT_EQ(encode_vlq(0x00), (Bytes{0x00}));
    EXPECT_EQ(encode_vlq(0x40), (Bytes{0x40}));
    EXPECT_EQ(encode_vlq(0x7F), (Bytes{0x7F}));
    EXPECT_EQ(encode_vlq(0x80), (Bytes{0x81, 0x00}));
    EXPECT_EQ(encode_vlq(0x2000), (Bytes{0xC0, 0x00}));
    EXPECT_EQ(encode_vlq(0x3FFF), (Bytes{0xFF, 0x7F}));
    EXPECT_EQ(encode_vlq(0x4000), (Bytes{0x81, 0x80, 0x00}));
    EXPECT_EQ(encode_vlq(0x1FFFFF), (Bytes{0xFF, 0xFF, 0x7F}));
    EXPECT_EQ(encode_vlq(0x200000), (Bytes{0x81, 0x80, 0x80, 0x00}));
    EXPECT_EQ(encode_vlq(0x0FFFFFFF), (Bytes{0xFF, 0xFF, 0xFF, 0x7F}));
    EXPECT_THROW(encode_vlq(0x10000000), std::out_of_range);
}

TEST(MidiWriter, HeaderAndTempoEventAreByteExact) {
    MidiTrack track;
    track.tempo(0, 120);
    const Bytes expected{
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 1, 0x01, 0xE0,  // format 1, one track, 480 ticks a quarter
        'M', 'T', 'r', 'k', 0, 0, 0, 12,                          // 12 bytes of events
        0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,                 // tempo 500000 us a quarter = 120 BPM
        0x83, 0x60, 0xFF, 0x2F, 0x00,                             // end of track 480 ticks later
    };
    EXPECT_EQ(smf_bytes(480, {track}, 480), expected);
    EXPECT_EQ(microseconds_per_quarter(120), 500000u);
    EXPECT_EQ(microseconds_per_quarter(174), 344828u);
}

TEST(MidiWriter, TimeSignatureProgramAndNotesAreByteExact) {
    MidiTrack track;
    track.note(0, 96, 0, 60, 100);
    track.note(96, 96, 0, 60, 90);  // the same key again: its note-off comes before the new note-on
    track.program_change(0, 0, 40);
    track.time_signature(0, 3, 4);
    track.note(0, 10, kDrumChannel, 36, 110);
    const Bytes chunk = track.chunk(192);
    const Bytes expected{
        'M', 'T', 'r', 'k', 0, 0, 0, 39,
        0x00, 0xFF, 0x58, 0x04, 0x03, 0x02, 0x18, 0x08,  // 3/4, 24 clocks a click, 8 32nds a quarter
        0x00, 0xC0, 40,                                   // program change, channel 1
        0x00, 0x90, 60, 100,
        0x00, 0x99, 36, 110,                              // channel 10: drums
        0x0A, 0x89, 36, 64,
        0x56, 0x80, 60, 64,
        0x00, 0x90, 60, 90,
        0x60, 0x80, 60, 64,
        0x00, 0xFF, 0x2F, 0x00,
    };
    EXPECT_EQ(chunk, expected);
}

TEST(MidiWriter, TheEndTickCutsNotesShortAndDropsLaterOnes) {
    MidiTrack track;
    track.note(0, 1000, 0, 60, 100);
    track.note(100, 10, 0, 62, 100);
    const Smf smf = read_smf(smf_bytes(96, {track}, 100));
    const auto& events = smf.tracks.at(0);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[1].status, 0x80);
    EXPECT_EQ(events[1].tick, 100u);
    EXPECT_EQ(events[2].meta_type, 0x2F);
    EXPECT_EQ(events[2].tick, 100u);
}

TEST(MidiWriter, RejectsWhatAnSmfCannotHold) {
    MidiTrack track;
    EXPECT_THROW(track.note(0, 10, 16, 60, 100), std::invalid_argument);
    EXPECT_THROW(track.note(0, 10, 0, 128, 100), std::invalid_argument);
    EXPECT_THROW(track.note(0, 0, 0, 60, 100), std::invalid_argument);
    EXPECT_THROW(track.time_signature(0, 3, 3), std::invalid_argument);
    EXPECT_THROW(smf_bytes(480, {}, 0), std::invalid_argument);
}

TEST(CorpusTable, HasEveryStyleFourTimesAndEveryKeyOnceInEachMode) {
    const auto table = corpus_table();
    ASSERT_EQ(table.size(), 24u);
    std::map<Style, int> styles;
    std::set<int> majors, minors;
    std::set<std::string> names;
    for (std::size_t i = 0; i < table.size(); ++i) {
        ++styles[table[i].style];
        (table[i].mode == Mode::kMajor ? majors : minors).insert(tonic_pitch_class(table[i].key));
        names.insert(track_name(i, table[i]));
        EXPECT_EQ(table[i].style, table[i % 6].style) << "the table cycles through the styles";
    }
    EXPECT_EQ(styles.size(), 6u);
    for (const auto& [style, count] : styles) EXPECT_EQ(count, 4) << style_name(style);
    EXPECT_EQ(majors.size(), 12u);
    EXPECT_EQ(minors.size(), 12u);
    EXPECT_EQ(names.size(), 24u);
}

TEST(CorpusTable, TemposLieInEachStylesRange) {
    const std::map<Style, std::pair<int, int>> ranges{
        {Style::kFourOnTheFloor, {120, 150}}, {Style::kDrumAndBass, {170, 176}}, {Style::kHipHop, {85, 95}},
        {Style::kBallad, {60, 75}},           {Style::kWaltz, {90, 160}},       {Style::kShuffle, {90, 125}}};
    for (const TrackSpec& spec : corpus_table()) {
        const auto [low, high] = ranges.at(spec.style);
        EXPECT_GE(spec.bpm, low) << style_name(spec.style);
        EXPECT_LE(spec.bpm, high) << style_name(spec.style);
    }
}

TEST(CorpusTable, NamesAndTruth) {
    EXPECT_EQ(tonic_pitch_class("C"), 0);
    EXPECT_EQ(tonic_pitch_class("C#"), 1);
    EXPECT_EQ(tonic_pitch_class("Bb"), 10);
    EXPECT_EQ(tonic_pitch_class("Db"), 1);
    EXPECT_EQ(tonic_pitch_class("B"), 11);
    EXPECT_THROW(tonic_pitch_class("H"), std::invalid_argument);
    EXPECT_THROW(tonic_pitch_class("Cx"), std::invalid_argument);
    EXPECT_THROW(tonic_pitch_class(""), std::invalid_argument);

    const TrackSpec spec{Style::kFourOnTheFloor, 120, "Bb", Mode::kMajor};
    EXPECT_EQ(track_name(6, spec), "07_four_on_the_floor_120bpm_Bflat_major");
    const nlohmann::json expected{{"kind", "track"}, {"bpm", 120},   {"key", "Bb"},
                                  {"mode", "major"}, {"meter", "4/4"}, {"style", "four_on_the_floor"},
                                  {"seconds", 30.0}, {"tonic_pitch_class", 10}};
    EXPECT_EQ(truth_json(spec, 30), expected);
    EXPECT_EQ(truth_json({Style::kWaltz, 96, "D", Mode::kMinor}, 12)["meter"], "3/4");
}

// Pitch classes of the key's scale; in minor, the raised seventh of the dominant chord too.
std::set<int> scale_of(const TrackSpec& spec) {
    const std::vector<int> steps = spec.mode == Mode::kMajor ? std::vector<int>{0, 2, 4, 5, 7, 9, 11}
                                                             : std::vector<int>{0, 2, 3, 5, 7, 8, 10, 11};
    std::set<int> scale;
    for (int step : steps) scale.insert((tonic_pitch_class(spec.key) + step) % 12);
    return scale;
}

TEST(Composition, EveryTrackReadsBackWithItsTempoMeterLengthAndKey) {
    constexpr double kSeconds = 30;
    for (std::size_t i = 0; i < corpus_table().size(); ++i) {
        const TrackSpec& spec = corpus_table()[i];
        SCOPED_TRACE(track_name(i, spec));
        const Smf smf = read_smf(compose_midi(spec, kSeconds));
        EXPECT_EQ(smf.format, 1);
        ASSERT_EQ(smf.tracks.size(), 5u);
        const double ticks_per_second = smf.division * spec.bpm / 60.0;

        bool tempo = false, meter = false;
        for (const SmfEvent& event : smf.tracks[0]) {
            if (event.meta_type == 0x51) {
                tempo = true;
                const std::uint32_t us = (event.data[0] << 16) | (event.data[1] << 8) | event.data[2];
                EXPECT_EQ(us, microseconds_per_quarter(spec.bpm));
            }
            if (event.meta_type == 0x58) {
                meter = true;
                EXPECT_EQ(event.data[0], spec.style == Style::kWaltz ? 3 : 4);
                EXPECT_EQ(event.data[1], 2);  // quarter notes
            }
        }
        EXPECT_TRUE(tempo);
        EXPECT_TRUE(meter);

        std::map<int, int> bass_counts;
        const std::set<int> scale = scale_of(spec);
        int drum_hits = 0;
        for (std::size_t t = 0; t < smf.tracks.size(); ++t) {
            const auto& events = smf.tracks[t];
            EXPECT_NEAR(events.back().tick / ticks_per_second, kSeconds, 0.01) << "track " << t << " ends on time";
            for (const SmfEvent& event : events) {
                if ((event.status & 0xF0) != 0x90) continue;
                if ((event.status & 0x0F) == kDrumChannel) {
                    ++drum_hits;
                    continue;
                }
                EXPECT_TRUE(scale.contains(event.data[0] % 12)) << "key " << int(event.data[0]) << " off the scale";
                if ((event.status & 0x0F) == 1) ++bass_counts[event.data[0] % 12];
            }
        }
        EXPECT_GT(drum_hits, 30);
        const auto most = std::max_element(bass_counts.begin(), bass_counts.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        ASSERT_NE(most, bass_counts.end());
        EXPECT_EQ(most->first, tonic_pitch_class(spec.key)) << "the bass dwells on the tonic";
        if (spec.mode == Mode::kMinor) {
            EXPECT_TRUE(bass_counts.size() >= 3) << "tonic, subdominant and dominant roots";
        }
    }
}

TEST(Composition, MinorKeysUseTheLeadingTone) {
    const TrackSpec spec{Style::kFourOnTheFloor, 128, "A", Mode::kMinor};
    const Smf smf = read_smf(compose_midi(spec, 30));
    bool g_sharp = false;
    for (const auto& events : smf.tracks) {
        for (const SmfEvent& event : events) {
            if ((event.status & 0xF0) == 0x90 && (event.status & 0x0F) != kDrumChannel && event.data[0] % 12 == 8) g_sharp = true;
        }
    }
    EXPECT_TRUE(g_sharp) << "the E major dominant's G# tells A minor from C major";
}

TEST(Tones, PeakLevelsFollowBs1770) {
    EXPECT_DOUBLE_EQ(tone_peak_dbfs({2, -23}), -23.0);
    EXPECT_NEAR(tone_peak_dbfs({1, -23}), -19.9897, 1e-4);
    EXPECT_EQ(tone_name({1, -18}), "tone_997hz_mono_minus18_lufs");
    EXPECT_EQ(tone_table().size(), 6u);
}

TEST(Tones, WavHoldsTheSineAtItsPeak) {
    const Bytes wav = tone_wav({2, -18}, 1.0);
    const auto layout = std::get<WavLayout>(read_wav_layout(wav));
    EXPECT_EQ(layout.format, 3);
    EXPECT_EQ(layout.channels, 2);
    EXPECT_EQ(layout.sample_rate, 48000);
    EXPECT_EQ(layout.bits, 32);
    EXPECT_EQ(layout.frames(), 48000u);
    float peak = 0;
    double sum_squares = 0;
    for (std::size_t frame = 0; frame < layout.frames(); ++frame) {
        float left = 0, right = 0;
        std::memcpy(&left, wav.data() + layout.data_offset + frame * 8, 4);
        std::memcpy(&right, wav.data() + layout.data_offset + frame * 8 + 4, 4);
        EXPECT_EQ(left, right);
        peak = std::max(peak, std::abs(left));
        sum_squares += double(left) * left;
    }
    EXPECT_NEAR(20 * std::log10(peak), -18.0, 0.01);
    EXPECT_NEAR(10 * std::log10(sum_squares / layout.frames()), -18.0 - 3.0103, 0.01) << "mean square of a sine";
}

}  // namespace
}  // namespace tunecap::make_corpus
