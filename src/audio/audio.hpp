// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Audio decoding for model input: any format FFmpeg reads -> mono float at 16 kHz (what
// Whisper-family audio encoders take) -> 16-bit PCM WAV, FLAC or MP3 for the model server.

#include <cstdint>
#include <optional>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/audio_format.hpp"
#include "core/result.hpp"

namespace tunecap::audio {

inline constexpr int kModelSampleRate = 16000;

// What the source file holds (before downmix and resampling).
struct AudioInfo {
    double duration_seconds = 0.0;
    int sample_rate = 0;
    int channels = 0;
    std::string codec;      // FFmpeg codec name: "flac", "mp3", "vorbis", "opus", "aac", "pcm_s16le", ...
    std::string container;  // FFmpeg demuxer name: "flac", "mp3", "ogg", "mov,mp4,m4a,3gp,3g2,mj2", "wav", ...
};

// The stream ended well before the duration its header declares (a cut-off copy or download, a
// damaged file): everything that could be read was decoded. Declared durations that are only
// estimates (from the bitrate, as for an MP3 without a frame count) are never compared.
struct Truncation {
    double decoded_seconds = 0.0;
    double declared_seconds = 0.0;
};

// How far short of the declared duration a stream may end and still count as whole: encoder delay
// and padding make tens of milliseconds; anything past 1 s, or 1% of the declared length when that
// is less (but at least 0.1 s, for short clips), is missing audio.
bool is_truncated(double decoded_seconds, double declared_seconds);

struct DecodedAudio {
    AudioInfo source;
    int sample_rate = kModelSampleRate;
    int channels = 1;
    std::vector<float> samples;  // interleaved when channels > 1, [-1, 1]
    bool stopped_early = false;  // decoding stopped at max_seconds: the rest was not read
    std::optional<Truncation> truncated;  // read to its end and found short; never set when stopped_early
};

// "<file>: the audio stops at 61.2 s of 120.0 s declared (truncated or damaged file)"
std::string truncation_text(const std::filesystem::path& path, const Truncation& truncation);

// True for the file extensions a folder scan picks up (case-insensitive).
bool is_audio_extension(const std::filesystem::path& path);

// Reads the container header and the first audio stream's parameters without decoding.
core::Result<AudioInfo> probe(const std::filesystem::path& path);

// Decodes the first audio stream, downmixes to mono and resamples to sample_rate; with max_seconds,
// stops reading once that much is decoded (the source's duration is then the header's).
// A corrupt, empty or unsupported file is an Error naming the file and the reason.
core::Result<DecodedAudio> decode(const std::filesystem::path& path, int sample_rate = kModelSampleRate,
                                  std::optional<double> max_seconds = std::nullopt);

// For analysis: the first audio stream at its own sample rate, mono or stereo as the source is (more
// channels are downmixed to stereo), interleaved.
core::Result<DecodedAudio> decode_native(const std::filesystem::path& path);

// 44-byte RIFF header + little-endian 16-bit PCM, mono; samples are clipped to [-1, 1].
std::vector<std::uint8_t> encode_wav_pcm16(std::span<const float> samples, int sample_rate);
// The bytes a request carries, mono, in the container `format` names: WAV as above; FLAC with the
// same 16-bit samples (lossless: it decodes to exactly what the WAV holds); MP3 at 64 kbit/s.
// Deterministic: the same samples give the same bytes. An Error with the reason when FFmpeg lacks
// the encoder or fails.
core::Result<std::vector<std::uint8_t>> encode_audio(std::span<const float> samples, int sample_rate, core::AudioFormat format);

// What a lossy format makes of the samples, for a step's identity: "mp3 64 kbit/s". Empty for WAV
// and FLAC, which carry the 16-bit samples exactly.
std::string lossy_encoding(core::AudioFormat format);

core::Status write_wav_pcm16(const std::filesystem::path& path, std::span<const float> samples, int sample_rate);

}  // namespace tunecap::audio
