// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/audio.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "audio/ffmpeg.hpp"
#include "audio/file_error.hpp"
#include "audio/resampler.hpp"
#include "core/text.hpp"

namespace tunecap::audio {
namespace {

constexpr std::array<std::string_view, 15> kAudioExtensions = {
    "flac", "wav", "mp3", "ogg", "oga", "opus", "m4a", "mp4", "aac", "wma", "aif", "aiff", "wv", "ape", "mka",
};

// The highest rate in studio use (DXD is 352.8 kHz); anything above is a caller's mistake, and
// would make the output reservation below absurd.
constexpr int kMaxTargetRate = 384000;

// Output is reserved up front from the header's duration to avoid regrowing a large vector, but a
// corrupt header can claim days; beyond this the vector grows as decoding proceeds.
constexpr double kMaxReservedSeconds = 30.0 * 60.0;

// A stream where more packets fail than decode is noise, not music, even if some frames survived.
// Below that, damaged packets are skipped, as the ffmpeg tool does.
constexpr double kMaxCorruptPacketShare = 0.5;

// Shortfalls below this are codec delay and padding, whatever the length.
constexpr double kMinShortfallSeconds = 0.1;
constexpr double kMaxShortfallSeconds = 1.0;
constexpr double kMaxShortfallShare = 0.01;

double header_duration(const AVFormatContext& format, const AVStream& stream) {
    if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0) {
        return static_cast<double>(stream.duration) * av_q2d(stream.time_base);
    }
    if (format.duration != AV_NOPTS_VALUE && format.duration > 0) {
        return static_cast<double>(format.duration) / AV_TIME_BASE;
    }
    return 0.0;
}

AudioInfo header_info(const ffmpeg::AudioInput& input) {
    const AVCodecParameters& parameters = *input.stream->codecpar;
    AudioInfo info;
    info.duration_seconds = header_duration(*input.format, *input.stream);
    info.sample_rate = parameters.sample_rate;
    info.channels = parameters.ch_layout.nb_channels;
    info.codec = avcodec_get_name(parameters.codec_id);
    info.container = input.format->iformat->name;
    return info;
}

std::string in_parentheses(int ffmpeg_error) { return " (" + ffmpeg::error_text(ffmpeg_error) + ")"; }

// Feeds one stream's packets through the decoder and the resampler. Decoder errors mark the packet
// corrupt and decoding goes on; only running out of memory or a failing conversion stops it.
class StreamDecoder {
public:
    StreamDecoder(AVFormatContext& format, int stream_index, AVCodecContext& codec, int output_rate, int output_channels)
        : m_format(format), m_stream_index(stream_index), m_codec(codec), m_resampler(output_rate, output_channels) {}

    // Reads to the end of the file (or to the first read error, as the ffmpeg tool does, or until
    // `out` holds max_samples when that is not 0), then drains decoder and resampler. Errors carry
    // the reason only.
    core::Status run(std::vector<float>& out, std::size_t max_samples) {
        ffmpeg::PacketPtr packet(av_packet_alloc());
        m_frame.reset(av_frame_alloc());
        if (!packet || !m_frame) return core::Error{ffmpeg::error_text(AVERROR(ENOMEM))};

        for (;;) {
            const int status = av_read_frame(&m_format, packet.get());
            if (status < 0) {
                if (status != AVERROR_EOF) m_last_error = status;
                break;
            }
            if (packet->stream_index == m_stream_index) {
                core::Status decoded = decode(packet.get(), out);
                if (!decoded) return decoded;
            }
            av_packet_unref(packet.get());
            if (max_samples > 0 && out.size() >= max_samples) {
                m_stopped_early = true;
                break;
            }
        }
        core::Status drained = decode(nullptr, out);
        if (!drained) return drained;
        return m_resampler.flush(out);
    }

    // Seconds of source audio the decoder produced, at each frame's own rate.
    double decoded_seconds() const { return m_decoded_seconds; }
    int good_packets() const { return m_good_packets; }
    int corrupt_packets() const { return m_corrupt_packets; }
    // The first decoded frame's rate and channel count: what the stream really holds, which for
    // HE-AAC or mislabelled containers can differ from the header.
    int first_frame_rate() const { return m_first_frame_rate; }
    int first_frame_channels() const { return m_first_frame_channels; }
    // 0 when nothing went wrong; otherwise the last FFmpeg error, for the "no samples" message.
    int last_error() const { return m_last_error; }
    bool stopped_early() const { return m_stopped_early; }

private:
    // packet == nullptr enters draining mode.
    core::Status decode(const AVPacket* packet, std::vector<float>& out) {
        bool corrupt = false;
        int status = avcodec_send_packet(&m_codec, packet);
        if (status == AVERROR(ENOMEM)) return core::Error{ffmpeg::error_text(status)};
        if (status < 0 && status != AVERROR_EOF) {
            corrupt = true;
            m_last_error = status;
        }
        // Frames decoded before an error are still good, so receive even after a failed send.
        for (;;) {
            status = avcodec_receive_frame(&m_codec, m_frame.get());
            if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) break;
            if (status == AVERROR(ENOMEM)) return core::Error{ffmpeg::error_text(status)};
            if (status < 0) {
                // The decoder has dropped the packet; asking again would only repeat the error.
                corrupt = true;
                m_last_error = status;
                break;
            }
            core::Status converted = take_frame(out);
            av_frame_unref(m_frame.get());
            if (!converted) return converted;
        }
        if (packet == nullptr) return core::Ok{};
        if (corrupt) {
            ++m_corrupt_packets;
        } else {
            ++m_good_packets;
        }
        return core::Ok{};
    }

    core::Status take_frame(std::vector<float>& out) {
        const AVFrame& frame = *m_frame;
        if (frame.nb_samples <= 0) return core::Ok{};
        if (m_first_frame_rate == 0) {
            m_first_frame_rate = frame.sample_rate;
            m_first_frame_channels = frame.ch_layout.nb_channels;
        }
        if (frame.sample_rate > 0) m_decoded_seconds += static_cast<double>(frame.nb_samples) / frame.sample_rate;
        return m_resampler.push(frame, out);
    }

    AVFormatContext& m_format;
    int m_stream_index;
    AVCodecContext& m_codec;
    Resampler m_resampler;
    ffmpeg::FramePtr m_frame;
    double m_decoded_seconds = 0.0;
    bool m_stopped_early = false;
    int m_good_packets = 0;
    int m_corrupt_packets = 0;
    int m_first_frame_rate = 0;
    int m_first_frame_channels = 0;
    int m_last_error = 0;
};

core::Result<ffmpeg::CodecContextPtr> open_decoder(const std::filesystem::path& path, const ffmpeg::AudioInput& input) {
    const AVCodecParameters& parameters = *input.stream->codecpar;
    if (input.decoder == nullptr) {
        return file_error(path, std::string("no decoder for codec ") + avcodec_get_name(parameters.codec_id));
    }
    ffmpeg::CodecContextPtr codec(avcodec_alloc_context3(input.decoder));
    if (!codec) return file_error(path, "cannot open decoder" + in_parentheses(AVERROR(ENOMEM)));
    int status = avcodec_parameters_to_context(codec.get(), &parameters);
    if (status < 0) return file_error(path, "cannot open decoder" + in_parentheses(status));
    // Lets decoders interpret packet timestamps (skip and trim of encoder padding).
    codec->pkt_timebase = input.stream->time_base;
    status = avcodec_open2(codec.get(), input.decoder, nullptr);
    if (status < 0) return file_error(path, "cannot open decoder" + in_parentheses(status));
    return codec;
}

// Lossy decoders and the resampler's ringing overshoot full scale slightly, and a float WAV may
// hold anything; DecodedAudio promises [-1, 1], so enforce it (NaN becomes silence).
void clamp_to_full_scale(std::vector<float>& samples) {
    for (float& sample : samples) sample = std::isnan(sample) ? 0.0f : std::clamp(sample, -1.0f, 1.0f);
}

}  // namespace

bool is_truncated(double decoded_seconds, double declared_seconds) {
    const double allowed = std::max(kMinShortfallSeconds, std::min(kMaxShortfallSeconds, kMaxShortfallShare * declared_seconds));
    return declared_seconds - decoded_seconds > allowed;
}

std::string truncation_text(const std::filesystem::path& path, const Truncation& truncation) {
    return fmt::format("{}: the audio stops at {:.1f} s of {:.1f} s declared (truncated or damaged file)", path.string(),
                       truncation.decoded_seconds, truncation.declared_seconds);
}

bool is_audio_extension(const std::filesystem::path& path) {
    const std::string extension = path.extension().string();
    if (extension.size() < 2) return false;
    const std::string_view name = std::string_view(extension).substr(1);
    return std::any_of(kAudioExtensions.begin(), kAudioExtensions.end(),
                       [&](std::string_view known) { return core::iequals_ascii(name, known); });
}

core::Result<AudioInfo> probe(const std::filesystem::path& path) {
    auto input = ffmpeg::open_audio_input(path);
    if (!input) return input.error();
    return header_info(*input);
}

namespace {

// Decodes to `sample_rate` (0: the stream's own) with `max_channels` channels at most (1 or 2), and
// at most max_seconds of it.
core::Result<DecodedAudio> decode_to(const std::filesystem::path& path, int sample_rate, int max_channels,
                                     std::optional<double> max_seconds) {
    auto input = ffmpeg::open_audio_input(path);
    if (!input) return input.error();
    auto codec = open_decoder(path, *input);
    if (!codec) return codec.error();

    DecodedAudio result;
    result.source = header_info(*input);
    if (sample_rate == 0) sample_rate = result.source.sample_rate;
    if (sample_rate <= 0 || sample_rate > kMaxTargetRate) {
        return file_error(path, "invalid sample rate " + std::to_string(sample_rate));
    }
    result.sample_rate = sample_rate;
    result.channels = std::clamp(result.source.channels, 1, max_channels);
    const double expected_seconds = std::min({result.source.duration_seconds, kMaxReservedSeconds, max_seconds.value_or(kMaxReservedSeconds)});
    const auto frame_count = [&](double seconds) {
        return static_cast<std::size_t>(std::ceil(seconds * sample_rate)) * static_cast<std::size_t>(result.channels);
    };
    const std::size_t max_samples = max_seconds ? std::max<std::size_t>(frame_count(*max_seconds), 1) : 0;
    result.samples.reserve(static_cast<std::size_t>(expected_seconds * sample_rate) * static_cast<std::size_t>(result.channels) + 1);

    StreamDecoder decoder(*input->format, input->stream->index, **codec, sample_rate, result.channels);
    core::Status status = decoder.run(result.samples, max_samples);
    if (!status) return file_error(path, "cannot decode (" + status.error().message + ")");

    if (result.samples.empty()) {
        std::string reason = "decoded no audio samples";
        if (decoder.last_error() != 0) reason += in_parentheses(decoder.last_error());
        return file_error(path, reason);
    }
    const int packets = decoder.good_packets() + decoder.corrupt_packets();
    if (decoder.corrupt_packets() > kMaxCorruptPacketShare * packets) {
        std::string reason = "mostly corrupt, " + std::to_string(decoder.corrupt_packets()) + " of " +
                             std::to_string(packets) + " packets undecodable";
        if (decoder.last_error() != 0) reason += in_parentheses(decoder.last_error());
        return file_error(path, reason);
    }

    result.stopped_early = decoder.stopped_early();
    if (result.stopped_early) {
        result.samples.resize(max_samples);  // the same samples however far past the limit the last packet went
    } else {
        const double declared = result.source.duration_seconds;
        result.source.duration_seconds = decoder.decoded_seconds();
        // A duration FFmpeg estimated from the bitrate is a guess; one from the stream header
        // (FLAC STREAMINFO, an MP3 frame count, an MP4 sample table) is a promise.
        if (input->format->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE &&
            is_truncated(decoder.decoded_seconds(), declared)) {
            result.truncated = Truncation{decoder.decoded_seconds(), declared};
        }
    }
    result.source.sample_rate = decoder.first_frame_rate();
    result.source.channels = decoder.first_frame_channels();
    clamp_to_full_scale(result.samples);
    return result;
}

}  // namespace

core::Result<DecodedAudio> decode(const std::filesystem::path& path, int sample_rate, std::optional<double> max_seconds) {
    if (sample_rate <= 0 || sample_rate > kMaxTargetRate) {
        return file_error(path, "invalid target sample rate " + std::to_string(sample_rate));
    }
    if (max_seconds && !(*max_seconds > 0)) return file_error(path, "invalid decoding limit");
    return decode_to(path, sample_rate, 1, max_seconds);
}

core::Result<DecodedAudio> decode_native(const std::filesystem::path& path) { return decode_to(path, 0, 2, std::nullopt); }

}  // namespace tunecap::audio
