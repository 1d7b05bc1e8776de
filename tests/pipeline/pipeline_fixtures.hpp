// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Configs and tracks for the pipeline's unit tests: no process, no server, a temp folder at most.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pipeline/plan.hpp"
#include "pipeline/track.hpp"

namespace tunecap::pipeline::testing {

// The built-in default config, with `user_yaml` layered over it; HOME is /home/u.
inline config::Config load_config(const std::string& user_yaml = "") {
    auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "HOME") return "/home/u";
        return std::nullopt;
    };
    std::vector<config::Layer> layers = {{"default.yaml", std::string(config::default_config_text()), "/"}};
    if (!user_yaml.empty()) layers.push_back({"user.yaml", user_yaml, "/"});
    auto loaded = config::load_layers(layers, env);
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(loaded).take();
}

// A graph of one template phase: no model, its text made from the track's genres.
inline constexpr const char* kTemplateOnly = R"(
prompts: {facts: "A track tagged {genres}."}
phases:
  - {id: facts, kind: template, prompts: [facts]}
)";

inline FileCheck every_file_exists() {
    return [](const std::filesystem::path&) { return true; };
}

// A track of `seconds` of audio at 16 kHz whose audio identity is `name`, with the config's phases
// planned (every model file present unless `exists` says otherwise).
inline TrackRecord track(const config::Config& config, const std::string& name, double seconds = 180,
                         const PhaseSelection& selection = {}, const FileCheck& exists = every_file_exists()) {
    TrackRecord t;
    t.file = "/music/" + name + ".flac";
    t.content_hash = "file-" + name;
    t.id = name;
    t.genres.names = {"Techno"};
    t.audio.duration_seconds = seconds;
    t.model_samples = static_cast<std::size_t>(seconds * 16000);
    t.audio_sha256 = "audio-" + name;
    t.phases = plan_phases(config, selection, exists);
    return t;
}

}  // namespace tunecap::pipeline::testing
