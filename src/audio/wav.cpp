// SPDX-License-Identifier: GPL-3.0-or-later
// 16-bit PCM WAV, the format the model server accepts for audio input.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

#include "audio/audio.hpp"
#include "audio/file_error.hpp"
#include "audio/pcm16.hpp"

namespace tunecap::audio {
namespace {

constexpr std::size_t kHeaderBytes = 44;
constexpr std::uint16_t kFormatPcm = 1;
constexpr std::uint16_t kChannels = 1;
constexpr std::uint16_t kBitsPerSample = 16;
constexpr std::uint16_t kBytesPerSample = kBitsPerSample / 8;
// RIFF sizes are 32-bit and the RIFF size field counts the 36 header bytes after it as well.
constexpr std::uint64_t kMaxDataBytes = 0xFFFFFFFFull - (kHeaderBytes - 8);
// Another writer would have to pick the same random temp name this many times in a row.
constexpr int kTempNameAttempts = 4;

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value & 0xFFu));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    put_u16(out, static_cast<std::uint16_t>(value & 0xFFFFu));
    put_u16(out, static_cast<std::uint16_t>(value >> 16));
}

void put_tag(std::vector<std::uint8_t>& out, const char (&tag)[5]) { out.insert(out.end(), tag, tag + 4); }

// Why a WAV with these parameters cannot be written, if it cannot.
std::optional<std::string> wav_limits_problem(std::size_t sample_count, int sample_rate) {
    if (sample_rate <= 0) return "invalid sample rate " + std::to_string(sample_rate);
    if (static_cast<std::uint64_t>(sample_count) > kMaxDataBytes / kBytesPerSample) {
        return std::to_string(sample_count) + " samples exceed the 4 GiB WAV limit";
    }
    return std::nullopt;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string errno_text(int error) { return std::generic_category().message(error); }

// A hidden sibling, so the rename stays on one filesystem and folder scans skip it.
std::filesystem::path temp_sibling(const std::filesystem::path& path) {
    std::random_device random;
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
    return path.parent_path() / ("." + path.filename().string() + ".tmp-" + suffix);
}

// Writes bytes to a fresh temp file and renames it over path: readers see the old file or the
// complete new one, never a partial WAV. No fsync: the WAV is a disposable artefact.
core::Status write_replacing(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::filesystem::path temp;
    FilePtr file;
    int open_error = 0;
    for (int attempt = 0; attempt < kTempNameAttempts && !file; ++attempt) {
        temp = temp_sibling(path);
        // "x": fail rather than share a file another writer created under the same name.
        file.reset(std::fopen(temp.c_str(), "wbx"));
        open_error = errno;
        if (!file && open_error != EEXIST) break;
    }
    if (!file) return file_error(path, "cannot write WAV (" + errno_text(open_error) + ")");

    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file.get()) == bytes.size();
    const int write_error = errno;
    // fclose flushes the buffer, so it reports a full disk as often as fwrite does.
    const bool closed = std::fclose(file.release()) == 0;
    const int close_error = errno;
    std::error_code ignored;
    if (!written || !closed) {
        std::filesystem::remove(temp, ignored);
        return file_error(path, "cannot write WAV (" + errno_text(written ? close_error : write_error) + ")");
    }

    std::error_code renamed;
    std::filesystem::rename(temp, path, renamed);
    if (renamed) {
        std::filesystem::remove(temp, ignored);
        return file_error(path, "cannot write WAV (" + renamed.message() + ")");
    }
    return core::Ok{};
}

}  // namespace

// Throws std::invalid_argument when the parameters cannot form a WAV (sample_rate <= 0, more than
// 4 GiB of data); write_wav_pcm16 checks the same limits and returns them as an Error instead.
std::vector<std::uint8_t> encode_wav_pcm16(std::span<const float> samples, int sample_rate) {
    if (auto problem = wav_limits_problem(samples.size(), sample_rate)) throw std::invalid_argument(*problem);

    const auto data_bytes = static_cast<std::uint32_t>(samples.size() * kBytesPerSample);
    std::vector<std::uint8_t> out;
    out.reserve(kHeaderBytes + data_bytes);
    put_tag(out, "RIFF");
    put_u32(out, static_cast<std::uint32_t>(kHeaderBytes - 8) + data_bytes);
    put_tag(out, "WAVE");
    put_tag(out, "fmt ");
    put_u32(out, 16);  // size of the PCM fmt chunk that follows
    put_u16(out, kFormatPcm);
    put_u16(out, kChannels);
    put_u32(out, static_cast<std::uint32_t>(sample_rate));
    put_u32(out, static_cast<std::uint32_t>(sample_rate) * kChannels * kBytesPerSample);  // byte rate
    put_u16(out, kChannels * kBytesPerSample);                                            // block align
    put_u16(out, kBitsPerSample);
    put_tag(out, "data");
    put_u32(out, data_bytes);
    for (const float sample : samples) put_u16(out, static_cast<std::uint16_t>(to_pcm16(sample)));
    return out;
}

core::Status write_wav_pcm16(const std::filesystem::path& path, std::span<const float> samples, int sample_rate) {
    if (auto problem = wav_limits_problem(samples.size(), sample_rate)) return file_error(path, *problem);
    return write_replacing(path, encode_wav_pcm16(samples, sample_rate));
}

}  // namespace tunecap::audio
