// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/executor.hpp"


#include <fmt/format.h>

#include "audio/audio.hpp"
#include "pipeline/caption.hpp"
#include "pipeline/request_deadline.hpp"

namespace tunecap::pipeline {
namespace {

store::StepRow base_row(const TrackRecord& track, const StepNode& node) {
    store::StepRow row;
    row.key = node.planned ? node.planned->key : "";
    row.track_id = track.id;
    row.phase = node.phase->id;
    row.model = node.model ? node.model->name : std::string(kNoModel);
    row.prompt = node.prompt->id;
    if (track.truncated) row.flags.emplace_back(kTruncatedAudioFlag);
    if (node.planned) {
        row.hint_kind = node.planned->request.hint_kind;
        row.hint = node.planned->request.hint;
    }
    return row;
}

clean::CleanOptions for_family(clean::CleanOptions options, core::Family family) {
    options.family = family;
    return options;
}

}  // namespace

core::Result<PreparedAudio> load_track_audio(const TrackRecord& track, const AudioBudget& budget, core::AudioFormat format) {
    auto decoded = audio::decode(track.file, audio::kModelSampleRate, budget.max_seconds);
    if (!decoded) return decoded.error();
    // Steps are keyed by the audio read when the run was planned; a file replaced since would get
    // another file's key, and its caption would be reused for the old content forever.
    if (audio_sha256(*decoded) != track.audio_sha256) {
        return core::Error{track.file.string() + ": the file changed during the run; run again to caption what it holds now"};
    }
    auto prepared = prepare_audio(std::move(decoded->samples), decoded->sample_rate, budget, format);
    if (!prepared) return core::Error{track.file.string() + ": " + prepared.error().message};
    return prepared;
}

store::StepRow run_model_step(const config::Config& config, const TrackRecord& track, const StepNode& node,
                              const PreparedAudio* audio, BackendSession& session, int slot,
                              const clean::CleanOptions& cleaning) {
    auto row = base_row(track, node);
    const auto& planned = *node.planned;
    auto request_plan = planned.request;
    if (audio && audio->cut_at != request_plan.audio_cut_at) {
        auto identity = planned.identity;
        identity.audio_cut_at = audio->cut_at;
        row.key = identity.key();
    }
    llm::GenerationRequest request;
    request.family = request_plan.family;
    request.path = request_plan.path;
    request.system = request_plan.system;
    request.sampling = request_plan.sampling;
    if (audio) {
        request.audio_base64 = audio->base64;
        request.audio_format = audio->format;
    }

    auto attempt = [&](std::optional<std::size_t> limit) {
        request.user = render_user(config, *node.phase, *node.prompt, node.model, request_plan, limit);
        const RequestWork work{request.user.size() + request.system.value_or("").size(), audio ? audio->seconds : 0,
                               request.sampling.max_tokens.value_or(0)};
        request.deadline = request_deadline(work, config.runtime.request_deadline);
        return session.generate(request, slot);
    };
    const auto result = llm::generate_shrinking(attempt, request_plan.input_chars, std::nullopt);
    request_plan.user = request.user;
    row.request = full_prompt_text(request_plan);
    row.server_build = session.props().build_info;
    if (audio && audio->cut_at) row.flags.emplace_back(kAudioCutFlag);
    if (!result) {
        row.outcome = store::StepOutcome::failed;
        row.error = fmt::format("{} ({})", result.error().message, llm::to_string(result.error().kind));
        return row;
    }
    row.raw_output = result->content;
    row.reasoning = result->reasoning;
    row.finish_reason = result->finish_reason;
    row.prompt_tokens = result->prompt_tokens;
    row.completion_tokens = result->completion_tokens;
    row.elapsed_ms = result->elapsed_ms;
    if (result->timings) {
        row.cached_tokens = result->timings->cache_n;
        row.prompt_ms = result->timings->prompt_ms;
        row.predicted_ms = result->timings->predicted_ms;
    }
    derive_caption(row, for_family(cleaning, request_plan.family), track.facts);
    return row;
}

store::StepRow run_local_step(const TrackRecord& track, const StepNode& node, const clean::CleanOptions& cleaning) {
    auto row = base_row(track, node);
    row.request = node.planned->request.user;
    row.raw_output = node.planned->request.user;
    derive_caption(row, for_family(cleaning, core::Family::chatml), track.facts);
    return row;
}

store::StepRow failed_step(const TrackRecord& track, const StepNode& node, std::string error) {
    auto row = base_row(track, node);
    row.outcome = store::StepOutcome::failed;
    row.error = std::move(error);
    row.claims = "[]";  // no caption, so nothing claimed
    return row;
}

}  // namespace tunecap::pipeline
