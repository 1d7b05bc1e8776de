// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/step_request.hpp"

#include "audio/audio.hpp"
#include "core/hash.hpp"
#include "llm/prompt_format.hpp"
#include "pipeline/audio_budget.hpp"
#include "pipeline/facts_text.hpp"

namespace tunecap::pipeline {
namespace {

// Stands where the audio goes in the text an identity and the store record; the real marker is the
// server's and does not change the output.
constexpr std::string_view kAudioPlaceholder = "<audio>";

std::string fingerprint(const std::filesystem::path& path) {
    if (path.empty()) return "";
    auto print = core::file_fingerprint(path);
    return print ? *print : "missing:" + path.filename().string();
}

// The identity of a planned request.
StepIdentity identity_of(const config::Config& config, const StepRequest& request, const config::Model* model,
                         const ModelFiles& files, const TrackRecord& track, const std::vector<StepInput>& inputs) {
    StepIdentity id;
    for (const auto& input : inputs) id.input_keys.push_back(input.key);
    if (!model) {
        id.producer = "template";
        id.prompt = request.user;
        return id;
    }
    id.producer = "model";
    id.model_file = files.model_file;
    id.family = std::string(core::to_string(request.family));
    id.request_path = request.path == core::RequestPath::raw ? "raw" : "chat";
    id.prompt = request.full_prompt;
    id.sampling = request.sampling;
    if (!model->external()) {
        // What tunecap passes to a managed llama-server when the config leaves them out.
        id.cache_type_k = model->cache_type_k.value_or(config::kDefaultCacheType);
        id.cache_type_v = model->cache_type_v.value_or(config::kDefaultCacheType);
        id.server_args = model->server_args;
    }
    if (request.audio) {
        id.projector_file = files.projector_file;
        id.audio_sha256 = track.audio_sha256;
        id.audio_cut_at = request.audio_cut_at;
        id.audio_encoding = audio::lossy_encoding(config.runtime.audio_format);
    }
    return id;
}

}  // namespace

ModelFiles fingerprint_model_files(const config::Model& model) {
    // Replicas serve the same model: the first endpoint stands for them all, so adding or dropping
    // one re-runs nothing.
    if (model.external()) return {"endpoint " + model.endpoints.front().url + " " + model.name, ""};
    // An hf model is named by its text, never by the file in the cache: a step's key must not
    // change when the first run downloads the file (a resume would redo every step), nor depend on
    // whether `tunecap plan` runs before or after. The price: a new upload to the repo under the
    // same quant re-runs nothing; name another quant, or --force the phases.
    if (model.hf) {
        const auto projector = model.mmproj_hf ? "hf " + model.mmproj_hf->text() : fingerprint(model.mmproj);
        return {"hf " + model.hf->text(), projector};
    }
    return {fingerprint(model.gguf), fingerprint(model.mmproj)};
}

std::string full_prompt_text(const StepRequest& request) {
    const std::string_view marker = request.audio ? kAudioPlaceholder : "";
    if (request.path == core::RequestPath::raw) return llm::render_raw_prompt(request.family, request.system, request.user, marker).text;
    const auto system = request.system ? request.system : llm::default_system_prompt(request.family);
    std::string text;
    if (system && !system->empty()) text += "system:\n" + *system + "\n";
    text += "user:\n";
    if (request.audio) text += std::string(marker) + "\n";
    return text + request.user;
}

std::string render_user(const config::Config& config, const config::Phase& phase, const config::Prompt& prompt,
                        const config::Model* model, const StepRequest& request, std::optional<std::size_t> limit) {
    if (!limit && model && model->max_input_chars) limit = static_cast<std::size_t>(*model->max_input_chars);
    return render_step(config, phase, prompt, request.variables, request.inputs, limit).user;
}

PlannedStep plan_step(const config::Config& config, const config::Phase& phase, const config::Model* model,
                      const config::Prompt& prompt, const ModelFiles& files, const TrackRecord& track,
                      const std::vector<StepInput>& inputs) {
    PlannedStep planned;
    auto& request = planned.request;
    for (const auto& input : inputs) request.inputs.push_back(input.caption);
    // The wrong-hint probe's phase sees the contrasting genres wherever it names genres.
    const bool wrong = phase.genre_hint == config::GenreHint::wrong;
    const auto genres = wrong ? contrasting_genres(track.genres.names, config.genre_contrasts) : track.genres.names;
    request.variables = track_variables(genres, track.audio.duration_seconds, track.facts);
    request.audio = config::uses_audio(phase.kind);
    if (model) {
        request.family = model->family;
        request.path = model->request.value_or(llm::default_request_path(model->family));
        request.system = model->system;
        request.sampling = llm::sampling_with_defaults(model->family, model->sampling);
    }
    const auto text = render_step(config, phase, prompt, request.variables, request.inputs,
                                  model && model->max_input_chars ? std::optional<std::size_t>(*model->max_input_chars) : std::nullopt);
    request.user = text.user;
    request.input_chars = text.input_chars;
    request.hint = text.hint;
    if (!text.hint.empty()) request.hint_kind = wrong ? store::HintKind::wrong : store::HintKind::genres;
    if (model && request.audio) {
        // A budget too small for one window leaves the cut unplanned; the executor fails the step.
        const auto cut = plan_audio_cut(track.model_samples, audio::kModelSampleRate, audio_budget(config, *model, std::nullopt));
        if (cut) request.audio_cut_at = cut.value();
    }
    request.full_prompt = model ? full_prompt_text(request) : request.user;
    planned.identity = identity_of(config, request, model, files, track, inputs);
    planned.key = planned.identity.key();
    return planned;
}

}  // namespace tunecap::pipeline
