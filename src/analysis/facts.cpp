// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/facts.hpp"

#include <algorithm>
#include <array>

#include "analysis/measures.hpp"
#include "core/notes.hpp"

namespace tunecap::analysis {
namespace {

std::vector<double> mono_of(const audio::DecodedAudio& audio) {
    const auto channels = static_cast<std::size_t>(std::max(1, audio.channels));
    std::vector<double> mono(audio.samples.size() / channels);
    for (std::size_t i = 0; i < mono.size(); ++i) {
        double sum = 0;
        for (std::size_t c = 0; c < channels; ++c) sum += audio.samples[i * channels + c];
        mono[i] = sum / static_cast<double>(channels);
    }
    return mono;
}

// Sharp spellings for the keys written with sharps (G, D, A, E, B and F# major; their relative
// minors), flats for the others.
constexpr std::array<const char*, 12> kSharpNames{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
constexpr std::array<const char*, 12> kFlatNames{"C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"};
constexpr std::array<bool, 12> kMajorUsesSharps{false, false, true, false, true, false, true, true, false, true, false, true};

}  // namespace

Facts analyze(const audio::DecodedAudio& audio) {
    Facts facts;
    facts.sample_rate = audio.sample_rate;
    facts.channels = audio.channels;
    const auto channels = static_cast<std::size_t>(std::max(1, audio.channels));
    facts.duration_seconds = audio.sample_rate > 0
                                 ? static_cast<double>(audio.samples.size() / channels) / audio.sample_rate
                                 : 0;
    facts.loudness = measure_loudness(audio.samples, audio.channels, audio.sample_rate);
    const auto mono = mono_of(audio);
    const auto rhythm = measure_rhythm(mono, audio.sample_rate);
    facts.tempo = rhythm.tempo;
    facts.onsets_per_second = rhythm.onsets_per_second;
    facts.brightness_hz = rhythm.brightness_hz;
    facts.key = measure_key(mono, audio.sample_rate);
    facts.truncated = audio.truncated;
    return facts;
}

core::Result<Facts> analyze_file(const std::filesystem::path& path) {
    auto decoded = audio::decode_native(path);
    if (!decoded) return decoded.error();
    return analyze(*decoded);
}

std::string key_name(const Key& key) {
    const int tonic = core::mod12(key.tonic);
    // A minor key is spelled as its relative major is.
    const int major = key.minor ? (tonic + 3) % 12 : tonic;
    const bool sharps = kMajorUsesSharps[static_cast<std::size_t>(major)];
    std::string name = sharps ? kSharpNames[static_cast<std::size_t>(tonic)] : kFlatNames[static_cast<std::size_t>(tonic)];
    return name + (key.minor ? " minor" : " major");
}

std::optional<int> pitch_class(std::string_view note) {
    if (note.empty() || note.size() > 2) return std::nullopt;
    const char letter = static_cast<char>(note[0] & ~0x20);
    if (letter < 'A' || letter > 'G') return std::nullopt;
    const auto accidental = note.substr(1);
    if (!accidental.empty() && accidental != "#" && accidental != "b") return std::nullopt;
    return core::pitch_class(letter, accidental);
}

}  // namespace tunecap::analysis
