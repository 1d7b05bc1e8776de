// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The typed configuration. YAML exists only in config.cpp; everything else sees these structs.
//
// Layers, lowest first: the built-in default (configs/default.yaml, compiled in), the user's
// --config file, then environment overrides. Mappings merge key by key; a scalar or a list in a
// higher layer replaces the lower one whole (so a user's `phases:` replaces the default graph).
// Every effective value remembers where it came from, for `tunecap config show` and for errors.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/audio_format.hpp"
#include "core/model_types.hpp"
#include "config/phase_kind.hpp"
#include "core/result.hpp"

namespace tunecap::config {

// Where a value came from: "configs/default.yaml:12", "/home/u/my.yaml:3", "env TUNECAP_LLAMA_SERVER".
using Origin = std::string;

// The speed a request's deadline assumes (pipeline/request_deadline.hpp). The defaults and the
// reasons for them are in configs/default.yaml, runtime.request_deadline.
struct RequestDeadline {
    double prefill_tps = 20;   // prompt tokens per second, per request
    double decode_tps = 2;     // generated tokens per second, per request
    double allowance_s = 120;  // seconds on top of the work
};

struct Runtime {
    std::string llama_server = "llama-server";
    double vram_budget_gb = 16;
    // Audio longer than this is cut before it is sent (Music Flamingo was trained on at most 10 minutes).
    double max_audio_seconds = 600;
    // The container a request's audio travels in (core/audio_format.hpp; configs/default.yaml says
    // why the default is what it is).
    core::AudioFormat audio_format = core::AudioFormat::mp3;
    // Environment variables (names, or globs with *) passed to managed servers beyond those they
    // need (server/environment.hpp); everything else of tunecap's environment is withheld.
    std::vector<std::string> server_env;
    RequestDeadline request_deadline;
    // Consecutive models that fit vram_budget_gb together are loaded side by side
    // (pipeline/placement.hpp); false: one model at a time.
    bool side_by_side = true;
};

struct Cleaning {
    std::optional<int> max_t5_tokens;             // captions over this are cut at a sentence boundary
    std::filesystem::path sentencepiece_model;    // exact T5 counts; empty: the estimate
};

using core::Family;
using core::RequestPath;
using core::Sampling;

struct Endpoint {
    std::string url;
    std::string api_key_env;  // name of the environment variable holding the key; may be empty
};

// What a managed llama-server gets when a model entry leaves these out: tunecap's choices, not the
// server's (whose defaults moved several times in 2025-26). Read by the server's flag list and by
// what a step's identity and audio budget assume, so the two cannot drift apart.
inline constexpr int kDefaultContext = 8192;
inline constexpr const char* kDefaultCacheType = "f16";

// A model llama-server fetches from Hugging Face into its own cache (`hf: owner/repo[:quant]`,
// passed as its -hf). The quant picks the file as llama-server does (server/hf_cache.hpp).
struct HfModel {
    std::string repo;   // owner/name
    std::string quant;  // "Q4_K_M"; empty: llama-server's choice (Q4_K_M, else Q8_0, else the first GGUF)
    std::string text() const { return quant.empty() ? repo : repo + ":" + quant; }
};

// The audio projector of an `hf:` model (`mmproj_hf:`). llama-server has no flag naming a
// projector by repo: `auto` keeps its -hf projector download (the repo's own mmproj file), and
// `owner/repo/path/file.gguf` becomes -mmu with that file's download URL.
struct HfProjector {
    std::string repo;  // empty: `auto`
    std::string file;  // path inside repo
    std::string url;   // MODEL_ENDPOINT, else HF_ENDPOINT, else https://huggingface.co/, + repo/resolve/main/file
    std::string text() const { return repo.empty() ? "auto" : repo + "/" + file; }
};

struct Model {
    std::string name;
    std::filesystem::path gguf;    // resolved: ~, ${ENV} and relative-to-config-file applied
    std::filesystem::path mmproj;  // empty when the model takes no audio
    std::optional<HfModel> hf;     // set instead of gguf
    std::optional<HfProjector> mmproj_hf;  // only with hf; instead of mmproj
    Family family = Family::chatml;
    std::optional<RequestPath> request;  // nullopt: the family's default
    std::optional<std::string> system;   // system prompt; nullopt: the family's default, "": none
    std::optional<int> ctx, slots, batch, ubatch, gpu_layers, max_input_chars;
    // `slots: auto`: placement (pipeline/placement.hpp) sets slots (and ctx when unset) before a run.
    bool slots_auto = false;
    std::optional<std::string> cache_type_k, cache_type_v;
    std::vector<std::string> server_args;
    Sampling sampling;
    // External servers serving this model (`endpoint:` is a list of one, `endpoints:` names several
    // replicas); none: a managed llama-server.
    std::vector<Endpoint> endpoints;
    // Local GPUs, one managed llama-server on each (CUDA_VISIBLE_DEVICES); empty: one server on
    // whatever devices llama-server finds.
    std::vector<int> gpus;
    Origin origin;  // where the entry was declared

    bool external() const { return !endpoints.empty(); }
    bool takes_audio() const { return !mmproj.empty() || mmproj_hf.has_value() || external(); }
    // How many servers serve this model side by side: its endpoints, its GPUs, else one.
    std::size_t replica_count() const { return external() ? endpoints.size() : std::max<std::size_t>(1, gpus.size()); }
};


// `genre_hint:` of a phase: false, true (the track's genres) or `wrong` (the wrong-hint probe: the
// contrasting genres of `genre_contrasts`, to measure how far a model follows the hint over the audio).
enum class GenreHint { none, genres, wrong };

struct Phase {
    std::string id;
    PhaseKind kind = PhaseKind::audio_caption;
    std::vector<std::string> models;
    std::vector<std::string> prompts;  // "all" expanded to every prompt id, in declaration order
    GenreHint genre_hint = GenreHint::none;
    std::vector<std::string> inputs;
    Origin origin;
};

struct Templates {
    std::string genre_hint, revise, ensemble, audio_revise;
};

struct Prompt {
    std::string id;
    std::string text;
};

// Two genres a model should never confuse ("techno" and "folk"): the wrong-hint probe names one
// for a track tagged with the other.
struct GenreContrast {
    std::string a, b;
};

struct Config {
    Runtime runtime;
    std::vector<Model> models;    // declaration order
    std::vector<Prompt> prompts;  // declaration order
    Templates templates;
    std::vector<GenreContrast> genre_contrasts;  // declaration order
    Cleaning cleaning;
    std::vector<Phase> phases;    // topological order (inputs before their users)
    std::filesystem::path user_file;  // empty when only the built-in default is used
    // Every effective leaf value, flattened ("models.qwen3_14b.ctx" -> "32768"), with its origin.
    std::map<std::string, std::pair<std::string, Origin>> effective;

    const Model* find_model(std::string_view name) const;
    const Phase* find_phase(std::string_view id) const;
    const Prompt* find_prompt(std::string_view id) const;
};

// Environment lookups go through this seam so tests choose the environment.
using Environment = std::function<std::optional<std::string>(const std::string&)>;
Environment process_environment();

struct LoadOptions {
    std::optional<std::filesystem::path> user_file;  // --config
    Environment environment = process_environment();
};

// Loads, merges and validates. Every error names the file, the line and the reason:
//   "/home/u/my.yaml:14: phases[2].models: unknown model 'qwen4' (known: ...)"
core::Result<Config> load(const LoadOptions& options);

// Lower-level entry for tests: layers given as (label, YAML text); the label is the file name used
// in origins and errors; relative paths resolve against base_dir of the layer.
struct Layer {
    std::string label;
    std::string text;
    std::filesystem::path base_dir;
};
core::Result<Config> load_layers(const std::vector<Layer>& layers, const Environment& environment);

// The built-in default config text (configs/default.yaml at build time).
std::string_view default_config_text();

}  // namespace tunecap::config
