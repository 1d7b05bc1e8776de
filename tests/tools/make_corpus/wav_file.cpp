// SPDX-License-Identifier: GPL-3.0-or-later
#include "wav_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace tunecap::make_corpus {
namespace {

std::uint32_t le(const Bytes& bytes, std::size_t at, int size) {
    std::uint32_t value = 0;
    for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[at + static_cast<std::size_t>(i)];
    return value;
}

void put_le32(Bytes& bytes, std::size_t at, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

bool tag_at(const Bytes& bytes, std::size_t at, const char* tag) { return std::memcmp(bytes.data() + at, tag, 4) == 0; }

}  // namespace

std::variant<WavLayout, std::string> read_wav_layout(const Bytes& bytes) {
    if (bytes.size() < 12 || !tag_at(bytes, 0, "RIFF") || !tag_at(bytes, 8, "WAVE")) return std::string("not a RIFF WAVE file");
    WavLayout layout;
    bool have_fmt = false;
    for (std::size_t at = 12; at + 8 <= bytes.size();) {
        const std::size_t size = le(bytes, at + 4, 4);
        const std::size_t body = at + 8;
        if (tag_at(bytes, at, "fmt ")) {
            if (size < 16 || body + 16 > bytes.size()) return std::string("fmt chunk too short");
            layout.format = static_cast<int>(le(bytes, body, 2));
            layout.channels = static_cast<int>(le(bytes, body + 2, 2));
            layout.sample_rate = static_cast<int>(le(bytes, body + 4, 4));
            layout.bits = static_cast<int>(le(bytes, body + 14, 2));
            have_fmt = true;
        } else if (tag_at(bytes, at, "data")) {
            if (!have_fmt) return std::string("data chunk before fmt chunk");
            if (layout.block_align() == 0) return std::string("fmt chunk with no channels or bits");
            layout.data_offset = body;
            const std::size_t present = std::min(size, bytes.size() - body);
            layout.data_bytes = present - present % layout.block_align();
            return layout;
        }
        at = body + size + (size % 2);
    }
    return std::string("no data chunk");
}

Bytes read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<std::string> cut_wav(const std::filesystem::path& path, double seconds, double fade_seconds) {
    Bytes bytes = read_file(path);
    const auto read = read_wav_layout(bytes);
    if (const auto* error = std::get_if<std::string>(&read)) return fmt::format("{}: {}", path.filename().string(), *error);
    const WavLayout layout = std::get<WavLayout>(read);
    if (layout.format != 1 || layout.bits != 16) {
        return fmt::format("{}: not 16-bit PCM (format {}, {} bits)", path.filename().string(), layout.format, layout.bits);
    }
    const auto frames = std::min(layout.frames(), static_cast<std::size_t>(std::lround(seconds * layout.sample_rate)));
    const auto fade = std::min(frames, static_cast<std::size_t>(std::lround(fade_seconds * layout.sample_rate)));
    const std::size_t channels = static_cast<std::size_t>(layout.channels);
    const auto first = bytes.begin() + static_cast<long>(layout.data_offset);
    if (std::all_of(first, first + static_cast<long>(frames * layout.block_align()), [](std::uint8_t b) { return b == 0; })) {
        return fmt::format("{}: the audio is silent", path.filename().string());
    }
    for (std::size_t frame = frames - fade; frame < frames; ++frame) {
        const double gain = static_cast<double>(frames - 1 - frame) / static_cast<double>(fade);
        for (std::size_t channel = 0; channel < channels; ++channel) {
            const std::size_t at = layout.data_offset + (frame * channels + channel) * 2;
            const auto sample = static_cast<std::int16_t>(le(bytes, at, 2));
            const auto faded = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(sample * gain)));
            bytes[at] = static_cast<std::uint8_t>(faded & 0xFF);
            bytes[at + 1] = static_cast<std::uint8_t>(faded >> 8);
        }
    }
    const std::size_t data_bytes = frames * layout.block_align();
    bytes.resize(layout.data_offset + data_bytes);  // chunks after data (fluidsynth writes none) go too
    put_le32(bytes, layout.data_offset - 4, static_cast<std::uint32_t>(data_bytes));
    put_le32(bytes, 4, static_cast<std::uint32_t>(bytes.size() - 8));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return fmt::format("{}: cannot write", path.filename().string());
    return std::nullopt;
}

}  // namespace tunecap::make_corpus
