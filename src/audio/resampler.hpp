// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private to src/audio: turns decoded frames of any layout, sample format and rate into float at
// one output rate, mono or interleaved stereo.

#include <vector>

#include "audio/ffmpeg.hpp"
#include "core/result.hpp"

namespace tunecap::audio {

class Resampler {
public:
    // output_channels: 1 (mono) or 2 (stereo).
    Resampler(int output_rate, int output_channels) : m_output_rate(output_rate), m_output_channels(output_channels) {}

    // Appends the frame's audio to out. A frame whose layout, sample format or rate differs from
    // the previous one (concatenated MP3s, AAC with changing configuration) first drains the old
    // conversion, then starts a new one. Errors carry the reason only; the caller names the file.
    core::Status push(const AVFrame& frame, std::vector<float>& out);

    // Appends the samples still held in the filter's delay line; call once after the last frame.
    core::Status flush(std::vector<float>& out);

private:
    bool matches(const AVFrame& frame) const;
    core::Status configure(const AVFrame& frame);
    core::Status convert(const AVFrame* frame, std::vector<float>& out);

    int m_output_rate;
    int m_output_channels;
    ffmpeg::SwrContextPtr m_context;
    ffmpeg::ChannelLayout m_input_layout;
    int m_input_format = AV_SAMPLE_FMT_NONE;
    int m_input_rate = 0;
};

}  // namespace tunecap::audio
