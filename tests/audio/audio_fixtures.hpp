// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test audio made at test time with ffmpeg and sox, and the measurements the audio tests assert on.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "temp_dir.hpp"

namespace tunecap::testing {

// The tone every generated file carries: 440 Hz at half scale, starting at phase 0.
inline constexpr double kToneHz = 440.0;
inline constexpr double kToneAmplitude = 0.5;
inline const std::string kTone = "0.5*sin(2*PI*440*t)";

// Changes the working directory for one test and restores it, for tests of relative paths.
class CurrentDirectory {
public:
    explicit CurrentDirectory(const std::filesystem::path& path) : m_previous(std::filesystem::current_path()) {
        std::filesystem::current_path(path);
    }
    ~CurrentDirectory() {
        std::error_code ignored;
        std::filesystem::current_path(m_previous, ignored);
    }
    CurrentDirectory(const CurrentDirectory&) = delete;
    CurrentDirectory& operator=(const CurrentDirectory&) = delete;

private:
    std::filesystem::path m_previous;
};

// Single-quoted for /bin/sh.
inline std::string shell_quoted(const std::filesystem::path& path) {
    std::string out = "'";
    for (const char c : path.string()) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

// Renders an aevalsrc expression ("left|right" for stereo) to path with the given codec options.
inline std::filesystem::path make_tone_file(const std::filesystem::path& path, const std::string& channels,
                                            int sample_rate, double seconds, const std::string& codec_options) {
    const std::string source =
        "aevalsrc=" + channels + ":s=" + std::to_string(sample_rate) + ":d=" + std::to_string(seconds);
    run_tool("ffmpeg -nostdin -loglevel error -y -f lavfi -i " + shell_quoted(source) + " " + codec_options + " " +
             shell_quoted(path));
    return path;
}

inline std::vector<char> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Overwrites [begin, end) of the file, given as fractions of its size, with seeded random bytes.
inline void overwrite_with_garbage(const std::filesystem::path& path, double begin, double end) {
    std::vector<char> bytes = read_bytes(path);
    std::mt19937 random(1234);
    const auto first = static_cast<std::size_t>(begin * static_cast<double>(bytes.size()));
    const auto last = static_cast<std::size_t>(end * static_cast<double>(bytes.size()));
    for (std::size_t i = first; i < last; ++i) bytes[i] = static_cast<char>(random() & 0xFFu);
    write_bytes(path, bytes);
}

inline std::vector<char> random_bytes(std::size_t count) {
    std::mt19937 random(42);
    std::vector<char> bytes(count);
    for (char& byte : bytes) byte = static_cast<char>(random() & 0xFFu);
    return bytes;
}

// The samples between the first and last quarter second: away from codec ramp-in and padding.
inline std::span<const float> middle(std::span<const float> samples, int sample_rate) {
    const auto edge = static_cast<std::size_t>(sample_rate / 4);
    if (samples.size() <= 2 * edge) return {};
    return samples.subspan(edge, samples.size() - 2 * edge);
}

inline double rms(std::span<const float> samples) {
    if (samples.empty()) return 0.0;
    double sum = 0.0;
    for (const float s : samples) sum += static_cast<double>(s) * s;
    return std::sqrt(sum / static_cast<double>(samples.size()));
}

inline double peak(std::span<const float> samples) {
    double out = 0.0;
    for (const float s : samples) out = std::max(out, static_cast<double>(std::fabs(s)));
    return out;
}

// Frequency from upward zero crossings: exact enough for a clean tone, and blind to amplitude.
inline double zero_crossing_hz(std::span<const float> samples, int sample_rate) {
    std::size_t first = 0;
    std::size_t last = 0;
    std::size_t crossings = 0;
    for (std::size_t i = 1; i < samples.size(); ++i) {
        if (samples[i - 1] < 0.0f && samples[i] >= 0.0f) {
            if (crossings == 0) first = i;
            last = i;
            ++crossings;
        }
    }
    if (crossings < 2) return 0.0;
    return static_cast<double>(crossings - 1) * sample_rate / static_cast<double>(last - first);
}

// Largest difference from the reference tone at the same instant, over the middle of the signal.
// Small values prove the decoder trimmed encoder delay correctly: a one-sample shift at 16 kHz is
// already an error of about 0.09.
inline double max_deviation_from_tone(std::span<const float> samples, int sample_rate, double amplitude) {
    const auto edge = static_cast<std::size_t>(sample_rate / 4);
    double out = 0.0;
    for (std::size_t i = edge; i + edge < samples.size(); ++i) {
        const double t = static_cast<double>(i) / sample_rate;
        const double reference = amplitude * std::sin(2.0 * std::numbers::pi * kToneHz * t);
        out = std::max(out, std::fabs(samples[i] - reference));
    }
    return out;
}

}  // namespace tunecap::testing
