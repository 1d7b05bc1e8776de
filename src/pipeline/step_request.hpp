// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What one step will send, decided before it is sent, and the identity built from it. Pure: the
// model files' fingerprints come in as values.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pipeline/render.hpp"
#include "pipeline/step_identity.hpp"
#include "pipeline/track.hpp"

namespace tunecap::pipeline {

// Identities of a model's files (core::file_fingerprint), read once per run. A file that cannot be
// read is named as missing: no stored step can match it, and the model cannot run anyway.
struct ModelFiles {
    std::string model_file;
    std::string projector_file;
};
ModelFiles fingerprint_model_files(const config::Model& model);

// An input caption together with the key of the step that wrote it.
struct StepInput {
    UpstreamCaption caption;
    std::string key;
};

struct StepRequest {
    core::Family family = core::Family::chatml;
    core::RequestPath path = core::RequestPath::chat;
    std::optional<std::string> system;  // as configured; nullopt: the family's default
    std::string user;                   // rendered, each input cut to the model's max_input_chars
    std::string full_prompt;            // system prompt, user text and where the audio goes, as sent
    core::Sampling sampling;            // with the family's defaults
    bool audio = false;
    std::optional<std::size_t> audio_cut_at;  // where the track's audio is cut (16 kHz samples)
    // For re-rendering with shorter inputs after a context overflow.
    std::vector<UpstreamCaption> inputs;
    std::map<std::string, std::string> variables;
    std::size_t input_chars = 0;  // the longest input caption
    store::HintKind hint_kind = store::HintKind::none;
    std::string hint;  // the genres the genre hint named
};

struct PlannedStep {
    StepRequest request;
    StepIdentity identity;
    std::string key;
};

// The step of `phase` for `prompt` on `model` (nullptr for a phase kind without a model) for one
// track. The audio cut is planned from the config's context per slot; the executor re-plans it
// with the running server's and re-keys the step if the two differ.
PlannedStep plan_step(const config::Config& config, const config::Phase& phase, const config::Model* model,
                      const config::Prompt& prompt, const ModelFiles& files, const TrackRecord& track,
                      const std::vector<StepInput>& inputs);

// The user text with each input cut to at most `limit` characters (nullopt: the model's
// max_input_chars, or uncut).
std::string render_user(const config::Config& config, const config::Phase& phase, const config::Prompt& prompt,
                        const config::Model* model, const StepRequest& request, std::optional<std::size_t> limit);

// The whole prompt text as sent: the raw path's rendering, or the chat messages in order.
std::string full_prompt_text(const StepRequest& request);

}  // namespace tunecap::pipeline
