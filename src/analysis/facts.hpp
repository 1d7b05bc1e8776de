// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What tunecap measures of a track itself, with no model: loudness (EBU R128, libebur128), tempo
// (the Queen Mary tempo tracker), key and mode (the Queen Mary key detector, both libqm-dsp), and two
// cheap descriptors for captions: onset density and brightness (spectral centroid). One pass over
// the audio at its own sample rate (not the 16 kHz sent to models).

#include <filesystem>
#include <optional>
#include <string>

#include "audio/audio.hpp"
#include "core/result.hpp"

namespace tunecap::analysis {

// Raised whenever a measure changes what it reports, so facts stored by an older tunecap are
// measured again.
inline constexpr int kVersion = 2;

struct Loudness {
    double integrated_lufs = 0;  // EBU R128 integrated loudness
    double range_lu = 0;         // loudness range (LRA)
    double true_peak_dbtp = 0;   // the highest true peak over the channels
};

struct Tempo {
    double bpm = 0;
    double confidence = 0;  // [0, 1]: the share of beat intervals within 4% of the tempo's period
};

struct Key {
    int tonic = 0;  // pitch class, 0 = C
    bool minor = false;
    double confidence = 0;  // [0, 1]: the share of analysis frames that found this key
};

struct Facts {
    double duration_seconds = 0;
    int sample_rate = 0;
    int channels = 0;
    std::optional<Loudness> loudness;  // nullopt for silence (no gated block is loud enough)
    std::optional<Tempo> tempo;        // nullopt when no beat is found
    std::optional<Key> key;            // nullopt when no frame has a key (silence, noise)
    double onsets_per_second = 0;
    double brightness_hz = 0;  // spectral centroid, weighted by frame energy
    std::optional<audio::Truncation> truncated;  // the file ends before its header says: these are the facts of what was read
};

// Facts of decoded audio (audio::decode_native: the source's rate, mono or interleaved stereo).
Facts analyze(const audio::DecodedAudio& audio);

// Decodes the file and analyzes it; an error naming the file when it cannot be decoded.
core::Result<Facts> analyze_file(const std::filesystem::path& path);

// "A minor", "F# major", "Bb major": sharps for sharp keys, flats for flat keys, as musicians
// write them.
std::string key_name(const Key& key);
// The pitch class of a note name as key_name spells it ("C", "F#", "Bb"), or nullopt.
std::optional<int> pitch_class(std::string_view note);

}  // namespace tunecap::analysis
