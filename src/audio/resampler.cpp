// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/resampler.hpp"

extern "C" {
#include <libavutil/opt.h>
}

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tunecap::audio {
namespace {

// swresample's matrix: weight of input channel i in output channel o at [o * inputs + i].
std::vector<double> unpositioned_matrix(int inputs, int outputs) {
    std::vector<double> weights(static_cast<std::size_t>(inputs * outputs), 0.0);
    for (int o = 0; o < outputs; ++o) {
        const auto row = static_cast<std::size_t>(o * inputs);
        if (inputs == outputs) {
            weights[row + static_cast<std::size_t>(o)] = 1.0;
            continue;
        }
        const int share = outputs == 1 ? inputs : (inputs - o + 1) / 2;  // channels o, o + 2, ...
        for (int i = outputs == 1 ? 0 : o; i < inputs; i += outputs == 1 ? 1 : 2) {
            weights[row + static_cast<std::size_t>(i)] = 1.0 / share;
        }
    }
    return weights;
}

}  // namespace

core::Status Resampler::push(const AVFrame& frame, std::vector<float>& out) {
    if (!m_context || !matches(frame)) {
        if (m_context) {
            core::Status drained = flush(out);
            if (!drained) return drained;
        }
        core::Status configured = configure(frame);
        if (!configured) return configured;
    }
    return convert(&frame, out);
}

core::Status Resampler::flush(std::vector<float>& out) {
    if (!m_context) return core::Ok{};
    return convert(nullptr, out);
}

bool Resampler::matches(const AVFrame& frame) const {
    return frame.format == m_input_format && frame.sample_rate == m_input_rate &&
           av_channel_layout_compare(&frame.ch_layout, &m_input_layout.get()) == 0;
}

core::Status Resampler::configure(const AVFrame& frame) {
    const int channels = frame.ch_layout.nb_channels;
    if (frame.sample_rate <= 0 || channels <= 0) {
        return core::Error{"decoder returned a frame without rate or channels"};
    }
    auto layout = ffmpeg::ChannelLayout::copy_of(frame.ch_layout);
    if (!layout) return layout.error();

    const ffmpeg::ChannelLayout output = ffmpeg::ChannelLayout::with_channels(m_output_channels);
    SwrContext* raw_context = nullptr;
    // FFmpeg 5.1 declares the layouts non-const but only copies them (they are const from 6.0 on).
    int status = swr_alloc_set_opts2(&raw_context, const_cast<AVChannelLayout*>(&output.get()), AV_SAMPLE_FMT_FLT,
                                     m_output_rate, const_cast<AVChannelLayout*>(&layout->get()),
                                     static_cast<AVSampleFormat>(frame.format), frame.sample_rate, 0, nullptr);
    // swr_alloc_set_opts2 frees and nulls the context itself when it fails.
    ffmpeg::SwrContextPtr context(raw_context);
    if (status < 0) return core::Error{ffmpeg::error_text(status)};

    if (frame.ch_layout.order == AV_CHANNEL_ORDER_NATIVE) {
        // swresample's downmix (centre 1, front pair and surrounds -3 dB, LFE dropped) is only
        // normalised for integer formats; for float it would sum stereo to 1.41x and overshoot
        // full scale on loud masters. A ceiling of 1 turns stereo into the average (L+R)/2.
        status = av_opt_set_double(context.get(), "rematrix_maxval", 1.0, 0);
    } else {
        // Channels without positions (WAV files often say nothing) have no standard downmix: as
        // many channels as the output are passed through; into mono they are averaged; into stereo
        // the even ones average to the left, the odd ones to the right.
        status = swr_set_matrix(context.get(), unpositioned_matrix(channels, m_output_channels).data(), channels);
    }
    if (status < 0) return core::Error{ffmpeg::error_text(status)};

    status = swr_init(context.get());
    if (status < 0) return core::Error{ffmpeg::error_text(status)};

    m_context = std::move(context);
    m_input_layout = std::move(*layout);
    m_input_format = frame.format;
    m_input_rate = frame.sample_rate;
    return core::Ok{};
}

// frame == nullptr drains the delay line. The capacity is swresample's own upper bound for this
// call, so one call converts everything it can; draining repeats only while that bound was filled.
core::Status Resampler::convert(const AVFrame* frame, std::vector<float>& out) {
    const int input_samples = frame != nullptr ? frame->nb_samples : 0;
    // swr_convert's input is const-correct C; the frame's planes are not modified.
    const std::uint8_t** input = frame != nullptr ? const_cast<const std::uint8_t**>(frame->extended_data) : nullptr;
    for (;;) {
        const int capacity = swr_get_out_samples(m_context.get(), input_samples);
        if (capacity < 0) return core::Error{ffmpeg::error_text(capacity)};
        const auto channels = static_cast<std::size_t>(m_output_channels);
        const std::size_t old_size = out.size();
        out.resize(old_size + static_cast<std::size_t>(capacity) * channels);
        auto* target = reinterpret_cast<std::uint8_t*>(out.data() + old_size);
        const int converted = swr_convert(m_context.get(), &target, capacity, input, input_samples);
        if (converted < 0) {
            out.resize(old_size);
            return core::Error{ffmpeg::error_text(converted)};
        }
        out.resize(old_size + static_cast<std::size_t>(converted) * channels);
        if (frame != nullptr || converted == 0 || converted < capacity) return core::Ok{};
    }
}

}  // namespace tunecap::audio
