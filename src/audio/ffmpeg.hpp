// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/audio: owners for FFmpeg handles and opening a file's best audio stream, shared by
// probe() and decode(). Nothing here leaks into audio.hpp, so callers never include FFmpeg.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libswresample/swresample.h>
}

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace tunecap::audio::ffmpeg {

// FFmpeg's free functions take a pointer-to-pointer so they can null it; the deleters adapt them.
struct FormatContextDeleter {
    void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecContextDeleter {
    void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct SwrContextDeleter {
    void operator()(SwrContext* context) const { swr_free(&context); }
};
struct FrameDeleter {
    void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
    void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using SwrContextPtr = std::unique_ptr<SwrContext, SwrContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

// Owns an AVChannelLayout, which may hold a heap-allocated channel map (custom order).
class ChannelLayout {
public:
    ChannelLayout() = default;
    ~ChannelLayout() { av_channel_layout_uninit(&m_layout); }
    ChannelLayout(ChannelLayout&& other) noexcept : m_layout(other.m_layout) { other.m_layout = {}; }
    ChannelLayout& operator=(ChannelLayout&& other) noexcept;
    ChannelLayout(const ChannelLayout&) = delete;
    ChannelLayout& operator=(const ChannelLayout&) = delete;

    static core::Result<ChannelLayout> copy_of(const AVChannelLayout& source);
    // The default layout of `channels` channels (1: mono, 2: stereo).
    static ChannelLayout with_channels(int channels);

    const AVChannelLayout& get() const { return m_layout; }

private:
    AVChannelLayout m_layout{};
};

// Owns an options dictionary handed to avformat_open_input or avformat_write_header, which leave
// unused entries in it.
class Dictionary {
public:
    Dictionary() = default;
    ~Dictionary() { av_dict_free(&m_dictionary); }
    Dictionary(const Dictionary&) = delete;
    Dictionary& operator=(const Dictionary&) = delete;

    void set(const char* key, const char* value) { av_dict_set(&m_dictionary, key, value, 0); }
    AVDictionary** out() { return &m_dictionary; }

private:
    AVDictionary* m_dictionary = nullptr;
};

// FFmpeg's text for an AVERROR code, e.g. "Invalid data found when processing input".
std::string error_text(int code);

// An opened file positioned on its best audio stream; other streams (cover art, video) are
// discarded by the demuxer.
struct AudioInput {
    FormatContextPtr format;
    AVStream* stream = nullptr;  // owned by format
    const AVCodec* decoder = nullptr;
};

// Opens path as a local file only (no protocol prefixes, no nested network opens), reads the
// stream parameters and selects the best audio stream. Silences FFmpeg's own logging on first use:
// errors reach the caller as values, never as stderr noise.
core::Result<AudioInput> open_audio_input(const std::filesystem::path& path);

}  // namespace tunecap::audio::ffmpeg
