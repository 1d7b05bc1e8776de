// SPDX-License-Identifier: GPL-3.0-or-later
// FLAC and MP3 in memory through libavcodec and libavformat's muxers, for the model server.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

#include "audio/audio.hpp"
#include "audio/ffmpeg.hpp"
#include "audio/pcm16.hpp"

namespace tunecap::audio {
namespace {

// 64 kbit/s: MPEG-2 layer III at 16 kHz mono keeps the band the model's 128 mel bins cover (to
// 8 kHz) with LAME's default low-pass at this rate; 185 s become 1.5 MB instead of 5.9 MB.
constexpr std::int64_t kMp3BitRate = 64000;
// Bytes the muxer's I/O layer buffers before a write callback.
constexpr int kIoBufferBytes = 64 * 1024;

// A growable, seekable byte sink for a muxer: both muxers seek back at the end to fill in the
// header (FLAC's STREAMINFO sample count, MP3's Xing/LAME frame with encoder delay and padding).
class MemorySink {
public:
    std::vector<std::uint8_t> take() { return std::move(m_bytes); }

    // FFmpeg 5.1 declares the buffer non-const; it is only read.
    static int write(void* opaque, std::uint8_t* data, int size) {
        auto& sink = *static_cast<MemorySink*>(opaque);
        const auto end = sink.m_position + static_cast<std::size_t>(size);
        if (end > sink.m_bytes.size()) sink.m_bytes.resize(end);
        std::memcpy(sink.m_bytes.data() + sink.m_position, data, static_cast<std::size_t>(size));
        sink.m_position = end;
        return size;
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto& sink = *static_cast<MemorySink*>(opaque);
        const auto size = static_cast<std::int64_t>(sink.m_bytes.size());
        std::int64_t target = 0;
        switch (whence & ~AVSEEK_FORCE) {
        case AVSEEK_SIZE: return size;
        case SEEK_SET: target = offset; break;
        case SEEK_CUR: target = static_cast<std::int64_t>(sink.m_position) + offset; break;
        case SEEK_END: target = size + offset; break;
        default: return AVERROR(EINVAL);
        }
        if (target < 0) return AVERROR(EINVAL);
        sink.m_position = static_cast<std::size_t>(target);
        return target;
    }

private:
    std::vector<std::uint8_t> m_bytes;
    std::size_t m_position = 0;
};

struct IoContextDeleter {
    void operator()(AVIOContext* context) const {
        av_freep(&context->buffer);  // may have been replaced by FFmpeg: free what it holds now
        avio_context_free(&context);
    }
};
using IoContextPtr = std::unique_ptr<AVIOContext, IoContextDeleter>;

// An output context owns its streams but not its pb, which the IoContextPtr owns.
struct OutputContextDeleter {
    void operator()(AVFormatContext* context) const { avformat_free_context(context); }
};
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextDeleter>;

struct Encoding {
    const char* muxer;
    const char* encoder;
    AVSampleFormat sample_format;
};

Encoding encoding_of(core::AudioFormat format) {
    if (format == core::AudioFormat::mp3) return {"mp3", "libmp3lame", AV_SAMPLE_FMT_FLTP};
    return {"flac", "flac", AV_SAMPLE_FMT_S16};
}

core::Error failed(core::AudioFormat format, const std::string& what, int status) {
    return core::Error{"cannot encode " + std::string(core::to_string(format)) + ": " + what + " (" + ffmpeg::error_text(status) + ")"};
}

void fill_frame(AVFrame& frame, std::span<const float> chunk, AVSampleFormat sample_format) {
    if (sample_format == AV_SAMPLE_FMT_S16) {
        auto* out = reinterpret_cast<std::int16_t*>(frame.data[0]);
        std::transform(chunk.begin(), chunk.end(), out, to_pcm16);
    } else {
        // The same clipping as PCM: LAME takes floats in [-1, 1].
        auto* out = reinterpret_cast<float*>(frame.data[0]);
        std::transform(chunk.begin(), chunk.end(), out, [](float sample) {
            return std::isnan(sample) ? 0.0f : std::clamp(sample, -1.0f, 1.0f);
        });
    }
}

// Moves every packet the encoder has ready into the muxer.
int drain(AVCodecContext& codec, AVFormatContext& output, AVPacket& packet) {
    for (;;) {
        int status = avcodec_receive_packet(&codec, &packet);
        if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return 0;
        if (status < 0) return status;
        av_packet_rescale_ts(&packet, codec.time_base, output.streams[0]->time_base);
        packet.stream_index = 0;
        status = av_write_frame(&output, &packet);
        av_packet_unref(&packet);
        if (status < 0) return status;
    }
}

core::Result<std::vector<std::uint8_t>> encode_compressed(std::span<const float> samples, int sample_rate,
                                                          core::AudioFormat format) {
    const auto encoding = encoding_of(format);
    const AVCodec* encoder = avcodec_find_encoder_by_name(encoding.encoder);
    if (!encoder) return core::Error{"cannot encode " + std::string(core::to_string(format)) + ": this FFmpeg has no " + encoding.encoder};
    if (sample_rate <= 0) return core::Error{"cannot encode: invalid sample rate " + std::to_string(sample_rate)};

    MemorySink sink;
    auto* io_buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
    if (!io_buffer) return failed(format, "out of memory", AVERROR(ENOMEM));
    IoContextPtr io(avio_alloc_context(io_buffer, kIoBufferBytes, 1, &sink, nullptr, &MemorySink::write, &MemorySink::seek));
    if (!io) {
        av_free(io_buffer);
        return failed(format, "out of memory", AVERROR(ENOMEM));
    }

    AVFormatContext* raw_output = nullptr;
    int status = avformat_alloc_output_context2(&raw_output, nullptr, encoding.muxer, nullptr);
    OutputContextPtr output(raw_output);
    if (status < 0) return failed(format, "no muxer", status);
    output->pb = io.get();
    // Same samples, same bytes: no encoder version strings, so the server's cache key (a hash of
    // the bytes) holds across FFmpeg builds.
    output->flags |= AVFMT_FLAG_BITEXACT;

    ffmpeg::CodecContextPtr codec(avcodec_alloc_context3(encoder));
    if (!codec) return failed(format, "out of memory", AVERROR(ENOMEM));
    codec->sample_rate = sample_rate;
    codec->sample_fmt = encoding.sample_format;
    codec->time_base = AVRational{1, sample_rate};
    codec->flags |= AV_CODEC_FLAG_BITEXACT;
    if (format == core::AudioFormat::mp3) codec->bit_rate = kMp3BitRate;
    const auto mono = ffmpeg::ChannelLayout::with_channels(1);
    status = av_channel_layout_copy(&codec->ch_layout, &mono.get());
    if (status < 0) return failed(format, "channel layout", status);
    if (output->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    status = avcodec_open2(codec.get(), encoder, nullptr);
    if (status < 0) return failed(format, "cannot open the encoder", status);

    AVStream* stream = avformat_new_stream(output.get(), nullptr);
    if (!stream) return failed(format, "out of memory", AVERROR(ENOMEM));
    stream->time_base = codec->time_base;
    status = avcodec_parameters_from_context(stream->codecpar, codec.get());
    if (status < 0) return failed(format, "stream parameters", status);

    ffmpeg::Dictionary options;
    if (format == core::AudioFormat::mp3) options.set("id3v2_version", "0");  // no tag: only the audio
    status = avformat_write_header(output.get(), options.out());
    if (status < 0) return failed(format, "cannot write the header", status);

    ffmpeg::FramePtr frame(av_frame_alloc());
    ffmpeg::PacketPtr packet(av_packet_alloc());
    if (!frame || !packet) return failed(format, "out of memory", AVERROR(ENOMEM));
    // Encoders with a fixed frame size take exactly that many samples per frame but the last.
    const std::size_t frame_samples = codec->frame_size > 0 ? static_cast<std::size_t>(codec->frame_size) : 4096;
    for (std::size_t at = 0; at < samples.size(); at += frame_samples) {
        const auto chunk = samples.subspan(at, std::min(frame_samples, samples.size() - at));
        frame->nb_samples = static_cast<int>(chunk.size());
        frame->format = codec->sample_fmt;
        frame->sample_rate = sample_rate;
        status = av_channel_layout_copy(&frame->ch_layout, &codec->ch_layout);
        if (status >= 0) status = av_frame_get_buffer(frame.get(), 0);
        if (status < 0) return failed(format, "frame", status);
        fill_frame(*frame, chunk, codec->sample_fmt);
        frame->pts = static_cast<std::int64_t>(at);
        status = avcodec_send_frame(codec.get(), frame.get());
        av_frame_unref(frame.get());
        if (status >= 0) status = drain(*codec, *output, *packet);
        if (status < 0) return failed(format, "encoding", status);
    }
    status = avcodec_send_frame(codec.get(), nullptr);
    if (status >= 0) status = drain(*codec, *output, *packet);
    if (status >= 0) status = av_write_trailer(output.get());
    if (status < 0) return failed(format, "encoding", status);
    avio_flush(io.get());
    return sink.take();
}

}  // namespace

core::Result<std::vector<std::uint8_t>> encode_audio(std::span<const float> samples, int sample_rate, core::AudioFormat format) {
    if (format == core::AudioFormat::wav) {
        if (sample_rate <= 0) return core::Error{"cannot encode: invalid sample rate " + std::to_string(sample_rate)};
        return encode_wav_pcm16(samples, sample_rate);
    }
    return encode_compressed(samples, sample_rate, format);
}

std::string lossy_encoding(core::AudioFormat format) {
    if (format != core::AudioFormat::mp3) return "";
    return "mp3 " + std::to_string(kMp3BitRate / 1000) + " kbit/s";
}

}  // namespace tunecap::audio
