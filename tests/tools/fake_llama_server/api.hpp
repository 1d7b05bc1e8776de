// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// JSON shapes copied from the recordings (tests/data/transcripts): error bodies, /props,
// /v1/models, /slots, /metrics, sampling parameters and `timings`. Keys keep the recorded order
// (ordered_json), numbers keep the real server's float-to-double look (0.800000011920929).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine.hpp"

namespace tunecap::fake_llama_server {

using ordered_json = nlohmann::ordered_json;

// An error reply: {"error":{"code":N,"message":"...","type":"..."}} plus `extra` keys.
struct ApiError : std::runtime_error {
    ApiError(int code, std::string type, const std::string& message, ordered_json extra = ordered_json::object());
    int code;
    std::string type;
    ordered_json extra;
};

ApiError invalid_request(const std::string& message);  // 400 invalid_request_error
ApiError server_error(const std::string& message);     // 500 server_error
ApiError exceed_context(long n_prompt_tokens, long n_ctx);

ordered_json error_body(const ApiError& error);
// The 503 while loading and the 404 come out of a different code path in llama-server, with the
// keys in another order (s*-startup.health-during-startup-1-503, s1-19).
ordered_json loading_body();
ordered_json not_found_body();

// Sampling and generation parameters of one request, with llama-server's defaults.
struct SamplingParams {
    std::uint32_t seed = 4294967295U;  // LLAMA_DEFAULT_SEED; the fake is deterministic even then
    float temperature = 0.8f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.05f;
    float typical_p = 1.0f;
    int repeat_last_n = 64;
    float repeat_penalty = 1.0f;
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f;
    long n_predict = -1;
    bool ignore_eos = false;
    bool stream = false;
    std::vector<std::string> stop;
    std::string reasoning_format = "none";
    std::string chat_format = "Content-only";
    std::string generation_prompt;
};

// `full`: the /completion `generation_settings` form (with stop, grammar...); otherwise the
// shorter /props and /slots `params` form.
ordered_json params_json(const SamplingParams& params, bool full);

struct Timings {
    std::size_t cache_n = 0;
    std::size_t prompt_n = 0;
    double prompt_ms = 0;
    long predicted_n = 0;
    double predicted_ms = 0;
};
ordered_json timings_json(const Timings& timings);

struct ServerFacts {
    std::string model_path;
    std::string model_alias;
    std::string build_info;
    std::string media_marker;
    std::string chat_template;
    int n_ctx_slot = 0;
    int n_slots = 0;
    long n_ctx_train = 0;
    bool audio = false;
    bool multimodal = false;  // a projector is loaded
    bool endpoint_slots = true;
    bool endpoint_props = false;
    bool endpoint_metrics = false;
    bool webui = true;
    long process_start_unix = 0;  // the Process-Start-Time-Unix header of /metrics
};

ordered_json props_json(const ServerFacts& facts);
ordered_json models_json(const ServerFacts& facts, long created);
ordered_json slots_json(const std::vector<SlotSnapshot>& slots, int n_ctx_slot);
std::string metrics_text(const Metrics& metrics);

// "chatcmpl-" and 32 random letters and digits, like the real ids.
std::string completion_id();

}  // namespace tunecap::fake_llama_server
