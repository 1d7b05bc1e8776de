// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "tokenizer.hpp"

namespace tunecap::fake_llama_server {
namespace {

std::uint32_t le16(std::string_view b, std::size_t at) {
    return static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8;
}

std::uint32_t le32(std::string_view b, std::size_t at) {
    return le16(b, at) | le16(b, at + 2) << 16;
}

std::uint32_t byte(std::string_view b, std::size_t at) { return static_cast<unsigned char>(b[at]); }

std::optional<AudioClip> inspect_wav(std::string_view b) {
    std::uint32_t rate = 0;
    std::uint32_t block_align = 0;
    std::size_t at = 12;
    while (at + 8 <= b.size()) {
        const auto id = b.substr(at, 4);
        const std::uint64_t size = le32(b, at + 4);
        const std::size_t body = at + 8;
        if (id == "fmt " && body + 16 <= b.size()) {
            const auto channels = le16(b, body + 2);
            rate = le32(b, body + 4);
            block_align = le16(b, body + 12);
            const auto bits = le16(b, body + 14);
            if (block_align == 0) block_align = channels * ((bits + 7) / 8);
        } else if (id == "data") {
            if (rate == 0 || block_align == 0) return std::nullopt;
            // A streamed WAV may carry 0 or 0xFFFFFFFF as the data size: use what is there.
            const std::uint64_t available = b.size() - body;
            const std::uint64_t data = (size == 0 || size > available) ? available : size;
            AudioClip clip;
            clip.format = AudioFormat::wav;
            clip.frames = data / block_align;
            clip.sample_rate = rate;
            return clip;
        }
        at = body + size + (size & 1);
    }
    return std::nullopt;
}

struct MpegFrame {
    std::size_t length = 0;
    std::uint32_t samples = 0;
    std::uint32_t rate = 0;
};

std::optional<MpegFrame> mpeg_frame(std::string_view b, std::size_t at) {
    if (at + 4 > b.size() || byte(b, at) != 0xFF || (byte(b, at + 1) & 0xE0) != 0xE0) return std::nullopt;
    const auto version = (byte(b, at + 1) >> 3) & 3;  // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    const auto layer = (byte(b, at + 1) >> 1) & 3;    // 1: III, 2: II, 3: I
    const auto bitrate_index = byte(b, at + 2) >> 4;
    const auto rate_index = (byte(b, at + 2) >> 2) & 3;
    const auto padding = (byte(b, at + 2) >> 1) & 1;
    if (version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) return std::nullopt;
    static constexpr std::array<std::array<std::uint32_t, 15>, 5> kKbps = {{
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // MPEG-1 layer I
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // MPEG-1 layer II
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},      // MPEG-1 layer III
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // MPEG-2/2.5 layer I
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // MPEG-2/2.5 layers II, III
    }};
    static constexpr std::array<std::uint32_t, 3> kRates = {44100, 48000, 32000};
    const bool mpeg1 = version == 3;
    const int table = mpeg1 ? (layer == 3 ? 0 : layer == 2 ? 1 : 2) : (layer == 3 ? 3 : 4);
    const std::uint32_t bitrate = kKbps[static_cast<std::size_t>(table)][bitrate_index] * 1000;
    const std::uint32_t rate = kRates[rate_index] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
    MpegFrame frame;
    frame.rate = rate;
    if (layer == 3) {
        frame.samples = 384;
        frame.length = (12 * bitrate / rate + padding) * 4;
    } else {
        frame.samples = (layer == 1 && !mpeg1) ? 576 : 1152;
        frame.length = (layer == 1 && !mpeg1 ? 72 : 144) * bitrate / rate + padding;
    }
    if (frame.length < 4) return std::nullopt;
    return frame;
}

// A first frame holding a Xing/Info tag (LAME, FFmpeg's mp3 muxer) carries no audio, and its LAME
// extension gives the encoder delay and padding, which miniaudio drops: the samples the server
// hears. Parsed as dr_mp3 parses it (flags, then 21 bytes of LAME tag, then 12 + 12 bits).
struct GaplessInfo {
    std::uint64_t trimmed = 0;  // delay + padding
};

std::optional<GaplessInfo> xing_frame(std::string_view frame) {
    std::size_t tag = std::string_view::npos;
    for (const auto name : {"Xing", "Info"}) tag = std::min(tag, frame.find(name));
    if (tag == std::string_view::npos || tag > 4 + 2 + 32) return std::nullopt;  // header, CRC, side info at most
    GaplessInfo info;
    const auto flags = tag + 7 < frame.size() ? byte(frame, tag + 7) : 0;
    std::size_t at = tag + 8 + ((flags & 1) ? 4 : 0) + ((flags & 2) ? 4 : 0) + ((flags & 4) ? 100 : 0) + ((flags & 8) ? 4 : 0);
    if (at < frame.size() && frame[at] != 0 && at + 21 + 3 <= frame.size()) {
        at += 21;
        const std::uint64_t delay = (byte(frame, at) << 4 | byte(frame, at + 1) >> 4) + 529;
        const std::uint64_t stored_padding = (byte(frame, at + 1) & 0xF) << 8 | byte(frame, at + 2);
        info.trimmed = delay + (stored_padding > 529 ? stored_padding - 529 : 0);
    }
    return info;
}

std::optional<AudioClip> inspect_mp3(std::string_view b) {
    std::size_t at = 0;
    if (b.starts_with("ID3") && b.size() >= 10) {
        const std::size_t size = (byte(b, 6) & 0x7F) << 21 | (byte(b, 7) & 0x7F) << 14 | (byte(b, 8) & 0x7F) << 7 | (byte(b, 9) & 0x7F);
        at = 10 + size + ((byte(b, 5) & 0x10) ? 10 : 0);
    }
    AudioClip clip;
    clip.format = AudioFormat::mp3;
    std::optional<GaplessInfo> gapless;
    bool first = true;
    while (at + 4 <= b.size()) {
        const auto frame = mpeg_frame(b, at);
        if (!frame) {
            ++at;  // resynchronise on the next frame header
            continue;
        }
        if (first) gapless = xing_frame(b.substr(at, frame->length));
        if (!first || !gapless) clip.frames += frame->samples;
        first = false;
        clip.sample_rate = frame->rate;
        at += frame->length;
    }
    if (clip.sample_rate == 0) return std::nullopt;
    if (gapless) clip.frames -= std::min(clip.frames, gapless->trimmed);
    return clip;
}

std::optional<AudioClip> inspect_flac(std::string_view b) {
    // fLaC, then the STREAMINFO block: 4-byte header, 34 bytes of which bytes 10..17 hold the rate
    // (20 bits), channels, bits per sample and the total sample count (36 bits).
    if (b.size() < 8 + 18 || (byte(b, 4) & 0x7F) != 0) return std::nullopt;
    const std::size_t info = 8;
    AudioClip clip;
    clip.format = AudioFormat::flac;
    clip.sample_rate = byte(b, info + 10) << 12 | byte(b, info + 11) << 4 | byte(b, info + 12) >> 4;
    clip.frames = static_cast<std::uint64_t>(byte(b, info + 13) & 0x0F) << 32 | static_cast<std::uint64_t>(byte(b, info + 14)) << 24 |
                  byte(b, info + 15) << 16 | byte(b, info + 16) << 8 | byte(b, info + 17);
    if (clip.sample_rate == 0) return std::nullopt;
    return clip;
}

}  // namespace

std::string_view to_string(AudioFormat format) {
    switch (format) {
    case AudioFormat::wav: return "wav";
    case AudioFormat::mp3: return "mp3";
    case AudioFormat::flac: return "flac";
    }
    return "unknown";
}

int AudioClip::windows() const {
    if (sample_rate == 0) return 1;
    return static_cast<int>(frames / (static_cast<std::uint64_t>(sample_rate) * kAudioWindowSeconds)) + 1;
}

int AudioClip::tokens() const { return windows() * kAudioTokensPerWindow; }

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z') value = c - 'A';
        else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
        else if (c >= '0' && c <= '9') value = c - '0' + 52;
        else if (c == '+' || c == '-') value = 62;
        else if (c == '/' || c == '_') value = 63;
        else if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        else return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

// FAKE_LLAMA_AUDIO_STRETCH=N (a whole number, default 1): audio is charged as N times its length.
// A benchmark sends short clips charged as full tracks, so the figures carry the simulated cost of
// a 3-minute track without this machine moving 7.7 MB per request.
std::uint64_t audio_stretch() {
    static const std::uint64_t stretch = [] {
        const char* value = std::getenv("FAKE_LLAMA_AUDIO_STRETCH");
        const long n = value ? std::strtol(value, nullptr, 10) : 1;
        return static_cast<std::uint64_t>(n > 1 ? n : 1);
    }();
    return stretch;
}

std::optional<AudioClip> inspect_audio(std::string_view bytes) {
    std::optional<AudioClip> clip;
    if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WAVE") clip = inspect_wav(bytes);
    else if (bytes.starts_with("fLaC")) clip = inspect_flac(bytes);
    else if (bytes.starts_with("ID3") || (bytes.size() >= 2 && byte(bytes, 0) == 0xFF && (byte(bytes, 1) & 0xE0) == 0xE0)) clip = inspect_mp3(bytes);
    if (clip) {
        clip->content_hash = fnv1a64(bytes);
        clip->frames *= audio_stretch();
    }
    return clip;
}

}  // namespace tunecap::fake_llama_server
