// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/ffmpeg.hpp"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <mutex>
#include <system_error>
#include <utility>

#include "audio/file_error.hpp"

namespace tunecap::audio::ffmpeg {
namespace {

// FFmpeg logs to stderr by default; a leaf module reports through its return values instead. The
// level is process-wide state owned by FFmpeg, so it is set once and never changed back.
void silence_ffmpeg_logging() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

}  // namespace

ChannelLayout& ChannelLayout::operator=(ChannelLayout&& other) noexcept {
    if (this != &other) {
        av_channel_layout_uninit(&m_layout);
        m_layout = std::exchange(other.m_layout, AVChannelLayout{});
    }
    return *this;
}

core::Result<ChannelLayout> ChannelLayout::copy_of(const AVChannelLayout& source) {
    ChannelLayout layout;
    const int status = av_channel_layout_copy(&layout.m_layout, &source);
    if (status < 0) return core::Error{error_text(status)};
    return layout;
}

ChannelLayout ChannelLayout::with_channels(int channels) {
    ChannelLayout layout;
    av_channel_layout_default(&layout.m_layout, channels);
    return layout;
}

std::string error_text(int code) {
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    if (av_strerror(code, buffer, sizeof buffer) < 0) return "FFmpeg error " + std::to_string(code);
    return buffer;
}

core::Result<AudioInput> open_audio_input(const std::filesystem::path& path) {
    silence_ffmpeg_logging();

    // FFmpeg's reasons for an empty file vary by demuxer and none says "empty".
    std::error_code size_error;
    if (std::filesystem::is_regular_file(path, size_error) && std::filesystem::file_size(path, size_error) == 0) {
        return file_error(path, "empty file");
    }

    // "file:" keeps a name such as "http:x.mp3" or "concat:a|b" from selecting another protocol;
    // the whitelist stops playlist-like demuxers (hls, concat) from opening anything but files.
    const std::string url = "file:" + path.string();
    Dictionary options;
    options.set("protocol_whitelist", "file");

    AVFormatContext* raw_format = nullptr;
    int status = avformat_open_input(&raw_format, url.c_str(), nullptr, options.out());
    // On failure avformat_open_input has already freed the context and nulled raw_format.
    FormatContextPtr format(raw_format);
    if (status < 0) return file_error(path, "not a readable audio file (" + error_text(status) + ")");

    status = avformat_find_stream_info(format.get(), nullptr);
    if (status < 0) return file_error(path, "not a readable audio file (" + error_text(status) + ")");

    // Prefer an audio stream FFmpeg can decode; fall back to any audio stream so probe() still
    // describes a file whose codec this FFmpeg build lacks.
    const AVCodec* decoder = nullptr;
    int index = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (index == AVERROR_DECODER_NOT_FOUND) {
        decoder = nullptr;
        index = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    }
    if (index == AVERROR_STREAM_NOT_FOUND) {
        // av_find_best_stream skips audio streams without rate or channels. Those come from a
        // demuxer that matched only by extension (random bytes named .flac), so the file is
        // unreadable rather than audio-free.
        for (unsigned i = 0; i < format->nb_streams; ++i) {
            if (format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
                return file_error(path, "not a readable audio file (no audio parameters found)");
            }
        }
        return file_error(path, "no audio stream");
    }
    if (index < 0) return file_error(path, "not a readable audio file (" + error_text(index) + ")");

    AVStream* stream = format->streams[index];
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        if (static_cast<int>(i) != index) format->streams[i]->discard = AVDISCARD_ALL;
    }
    return AudioInput{std::move(format), stream, decoder};
}

}  // namespace tunecap::audio::ffmpeg
