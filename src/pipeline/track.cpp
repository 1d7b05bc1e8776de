// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/track.hpp"

#include "core/hash.hpp"
#include "core/text.hpp"

namespace tunecap::pipeline {

std::string_view to_string(StepStatus status) {
    switch (status) {
    case StepStatus::pending: return "pending";
    case StepStatus::done: return "done";
    case StepStatus::failed: return "failed";
    case StepStatus::skipped: return "skipped";
    case StepStatus::not_configured: return "not_configured";
    }
    return "unknown";
}

std::string make_track_id(const std::filesystem::path& file, std::string_view content_hash) {
    auto stem = core::slug(file.stem().string());
    if (stem.empty()) stem = "track";
    return stem + "-" + std::string(content_hash.substr(0, 12));
}

void set_decoded_audio(TrackRecord& track, const audio::DecodedAudio& decoded) {
    track.audio = decoded.source;
    track.model_samples = decoded.samples.size();
    const auto wav = audio::encode_wav_pcm16(decoded.samples, decoded.sample_rate);
    track.audio_sha256 = core::sha256_hex(std::string_view(reinterpret_cast<const char*>(wav.data()), wav.size()));
}

}  // namespace tunecap::pipeline
