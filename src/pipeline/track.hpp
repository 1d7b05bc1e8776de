// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a run knows about one track and each of its steps; report/ turns it into JSON.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/facts.hpp"
#include "audio/audio.hpp"
#include "config/config.hpp"
#include "store/store.hpp"
#include "tags/genres.hpp"

namespace tunecap::pipeline {

// The model name under which the steps of a phase kind that runs no model are listed.
inline constexpr std::string_view kNoModel = "template";

// Step status and its allowed transitions:
//   pending -> done | failed | skipped
//   not_configured and skipped are final when the plan is made (the model is missing, the phase is
//   excluded by --skip/--only, or an input phase cannot run).
enum class StepStatus { pending, done, failed, skipped, not_configured };
std::string_view to_string(StepStatus status);
std::optional<StepStatus> parse_step_status(std::string_view text);

// A model's status from its steps': the common one, else failed when any failed, else done when
// any is done; nullopt keeps the planned status (a mix of skipped and not configured).
std::optional<StepStatus> model_rollup(const std::vector<StepStatus>& steps);
// A phase's status from its models': the common one, else done when any model is done.
std::optional<StepStatus> phase_rollup(const std::vector<StepStatus>& models);

struct StepRecord {
    std::string prompt;
    StepStatus status = StepStatus::pending;
    std::string reason;  // why it is not done; empty when done
    std::optional<store::StepRow> result;  // done or failed: what the model returned
    bool reused = false;                   // taken from the store, not run again
};

struct ModelRecord {
    std::string model;
    StepStatus status = StepStatus::pending;
    std::string reason;
    std::vector<StepRecord> steps;
};

struct PhaseRecord {
    std::string id;
    config::PhaseKind kind = config::PhaseKind::audio_caption;
    StepStatus status = StepStatus::pending;
    std::string reason;
    std::vector<ModelRecord> models;
    // The status comes from an input phase that will not run (not from this phase's own selection
    // or models): the runner still runs it when the input's results are in the store.
    bool inherited = false;
};

struct TrackRecord {
    std::filesystem::path file;
    std::string id;            // "<slug of the file stem>-<first 12 hex of the content hash>"
    std::string content_hash;  // sha256 of the file's bytes
    tags::Genres genres;
    std::vector<std::string> warnings;
    audio::AudioInfo audio;
    // The decoded audio as models get it (mono, 16 kHz): its length in samples and the SHA-256 of
    // its 16-bit PCM, which is what a step's identity names (tags edited in the file change
    // content_hash, not this).
    std::size_t model_samples = 0;
    std::string audio_sha256;
    // The audio the models hear ends well before the file's header says: every step is flagged
    // truncated_audio. (A file that stops short only past runtime.max_audio_seconds is whole as far
    // as the models go; its facts say where it stops.)
    std::optional<audio::Truncation> truncated;
    // What tunecap measured of the track itself (loudness, tempo, key...); nullopt when not measured.
    std::optional<analysis::Facts> facts;
    std::vector<PhaseRecord> phases;
};

std::string make_track_id(const std::filesystem::path& file, std::string_view content_hash);

// Records what the models will get of a decoded track: audio info, length, audio_sha256 and
// whether the file was found truncated.
void set_decoded_audio(TrackRecord& track, const audio::DecodedAudio& decoded);
// The SHA-256 of the 16-bit PCM the models get of it: what a step's identity names.
std::string audio_sha256(const audio::DecodedAudio& decoded);

}  // namespace tunecap::pipeline
