// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/track.hpp"

#include <algorithm>
#include <functional>

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

std::optional<StepStatus> parse_step_status(std::string_view text) {
    for (auto status : {StepStatus::pending, StepStatus::done, StepStatus::failed, StepStatus::skipped,
                        StepStatus::not_configured}) {
        if (to_string(status) == text) return status;
    }
    return std::nullopt;
}

namespace {

bool all_equal(const std::vector<StepStatus>& states) {
    return std::adjacent_find(states.begin(), states.end(), std::not_equal_to<>()) == states.end();
}

bool contains(const std::vector<StepStatus>& states, StepStatus status) {
    return std::find(states.begin(), states.end(), status) != states.end();
}

}  // namespace

std::optional<StepStatus> model_rollup(const std::vector<StepStatus>& steps) {
    if (steps.empty()) return std::nullopt;
    if (all_equal(steps)) return steps.front();
    if (contains(steps, StepStatus::failed)) return StepStatus::failed;
    if (contains(steps, StepStatus::done)) return StepStatus::done;
    return std::nullopt;
}

std::optional<StepStatus> phase_rollup(const std::vector<StepStatus>& models) {
    if (models.empty()) return std::nullopt;
    if (all_equal(models)) return models.front();
    if (contains(models, StepStatus::done)) return StepStatus::done;
    return std::nullopt;
}

std::string make_track_id(const std::filesystem::path& file, std::string_view content_hash) {
    auto stem = core::slug(file.stem().string());
    if (stem.empty()) stem = "track";
    return stem + "-" + std::string(content_hash.substr(0, 12));
}

std::string audio_sha256(const audio::DecodedAudio& decoded) {
    const auto wav = audio::encode_wav_pcm16(decoded.samples, decoded.sample_rate);
    return core::sha256_hex(std::string_view(reinterpret_cast<const char*>(wav.data()), wav.size()));
}

void set_decoded_audio(TrackRecord& track, const audio::DecodedAudio& decoded) {
    track.audio = decoded.source;
    track.model_samples = decoded.samples.size();
    track.audio_sha256 = audio_sha256(decoded);
    track.truncated = decoded.truncated;
}

}  // namespace tunecap::pipeline
