// SPDX-License-Identifier: GPL-3.0-or-later
#include "api.hpp"

#include <fmt/format.h>

#include <random>

namespace tunecap::fake_llama_server {

ApiError::ApiError(int code_, std::string type_, const std::string& message, ordered_json extra_)
    : std::runtime_error(message), code(code_), type(std::move(type_)), extra(std::move(extra_)) {}

ApiError invalid_request(const std::string& message) { return ApiError(400, "invalid_request_error", message); }

ApiError server_error(const std::string& message) { return ApiError(500, "server_error", message); }

ApiError exceed_context(long n_prompt_tokens, long n_ctx) {
    ordered_json extra = ordered_json::object();
    extra["n_prompt_tokens"] = n_prompt_tokens;
    extra["n_ctx"] = n_ctx;
    return ApiError(400, "exceed_context_size_error",
                    fmt::format("request ({} tokens) exceeds the available context size ({} tokens), try increasing it", n_prompt_tokens, n_ctx),
                    std::move(extra));
}

ordered_json error_body(const ApiError& error) {
    ordered_json inner = ordered_json::object();
    inner["code"] = error.code;
    inner["message"] = error.what();
    inner["type"] = error.type;
    for (const auto& [key, value] : error.extra.items()) inner[key] = value;
    return ordered_json{{"error", inner}};
}

ordered_json loading_body() {
    return ordered_json{{"error", {{"message", "Loading model"}, {"type", "unavailable_error"}, {"code", 503}}}};
}

ordered_json not_found_body() {
    return ordered_json{{"error", {{"message", "File Not Found"}, {"type", "not_found_error"}, {"code", 404}}}};
}

ordered_json params_json(const SamplingParams& p, bool full) {
    // Floats go through double as the server's do: 0.8f prints as 0.800000011920929.
    const auto f = [](float value) { return static_cast<double>(value); };
    ordered_json j;
    j["seed"] = p.seed;
    j["temperature"] = f(p.temperature);
    j["dynatemp_range"] = 0.0;
    j["dynatemp_exponent"] = 1.0;
    j["top_k"] = p.top_k;
    j["top_p"] = f(p.top_p);
    j["min_p"] = f(p.min_p);
    j["top_n_sigma"] = -1.0;
    j["xtc_probability"] = 0.0;
    j["xtc_threshold"] = f(0.1f);
    j["typical_p"] = f(p.typical_p);
    j["repeat_last_n"] = p.repeat_last_n;
    j["repeat_penalty"] = f(p.repeat_penalty);
    j["presence_penalty"] = f(p.presence_penalty);
    j["frequency_penalty"] = f(p.frequency_penalty);
    j["dry_multiplier"] = 0.0;
    j["dry_base"] = 1.75;
    j["dry_allowed_length"] = 2;
    j["dry_penalty_last_n"] = 64;
    if (full) j["dry_sequence_breakers"] = {"\n", ":", "\"", "*"};
    j["mirostat"] = 0;
    j["mirostat_tau"] = 5.0;
    j["mirostat_eta"] = f(0.1f);
    j["adaptive_target"] = -1.0;
    j["adaptive_decay"] = f(0.9f);
    if (full) j["stop"] = p.stop;
    j["max_tokens"] = p.n_predict;
    j["n_predict"] = p.n_predict;
    j["n_keep"] = 0;
    j["n_discard"] = 0;
    j["ignore_eos"] = p.ignore_eos;
    j["stream"] = p.stream;
    if (full) j["logit_bias"] = ordered_json::array();
    j["n_probs"] = 0;
    j["min_keep"] = 0;
    if (full) {
        j["grammar"] = "";
        j["grammar_lazy"] = false;
        j["grammar_triggers"] = ordered_json::array();
        j["preserved_tokens"] = ordered_json::array();
    }
    j["chat_format"] = p.chat_format;
    j["reasoning_format"] = p.reasoning_format;
    j["reasoning_in_content"] = false;
    j["generation_prompt"] = p.generation_prompt;
    j["samplers"] = {"penalties", "dry", "top_n_sigma", "top_k", "typ_p", "top_p", "min_p", "xtc", "temperature"};
    j["speculative.types"] = "none";
    j["timings_per_token"] = false;
    j["post_sampling_probs"] = false;
    j["backend_sampling"] = false;
    j["lora"] = ordered_json::array();
    return j;
}

ordered_json timings_json(const Timings& t) {
    const double pn = static_cast<double>(t.prompt_n);
    const double gn = static_cast<double>(t.predicted_n);
    ordered_json j;
    j["cache_n"] = t.cache_n;
    j["prompt_n"] = t.prompt_n;
    j["prompt_ms"] = t.prompt_ms;
    j["prompt_per_token_ms"] = pn > 0 ? t.prompt_ms / pn : 0.0;
    j["prompt_per_second"] = t.prompt_ms > 0 ? pn / t.prompt_ms * 1000.0 : 0.0;
    j["predicted_n"] = t.predicted_n;
    j["predicted_ms"] = t.predicted_ms;
    j["predicted_per_token_ms"] = gn > 0 ? t.predicted_ms / gn : 0.0;
    j["predicted_per_second"] = t.predicted_ms > 0 ? gn / t.predicted_ms * 1000.0 : 0.0;
    return j;
}

ordered_json props_json(const ServerFacts& facts) {
    SamplingParams defaults;
    ordered_json j;
    j["default_generation_settings"] = {{"params", params_json(defaults, false)}, {"n_ctx", facts.n_ctx_slot}};
    j["total_slots"] = facts.n_slots;
    j["model_alias"] = facts.model_alias;
    j["model_ftype"] = "Q4_K - Medium";
    j["model_path"] = facts.model_path;
    j["modalities"] = {{"vision", false}, {"video", false}, {"audio", facts.audio}};
    j["media_marker"] = facts.media_marker;
    j["endpoint_slots"] = facts.endpoint_slots;
    j["endpoint_props"] = facts.endpoint_props;
    j["endpoint_metrics"] = facts.endpoint_metrics;
    j["ui"] = facts.webui;
    j["ui_settings"] = ordered_json::object();
    j["chat_template"] = facts.chat_template;
    j["chat_template_caps"] = {
        {"supports_object_arguments", true}, {"supports_parallel_tool_calls", true}, {"supports_preserve_reasoning", false},
        {"supports_reasoning_effort", false}, {"supports_string_content", true},     {"supports_system_role", true},
        {"supports_tool_calls", true},        {"supports_tools", true},              {"supports_typed_content", false},
    };
    j["bos_token"] = "<|endoftext|>";
    j["eos_token"] = "<|im_end|>";
    j["build_info"] = facts.build_info;
    j["is_sleeping"] = false;
    j["cors_proxy_enabled"] = false;
    return j;
}

ordered_json models_json(const ServerFacts& facts, long created) {
    ordered_json capabilities = {"completion"};
    if (facts.multimodal) capabilities.push_back("multimodal");
    ordered_json model = {
        {"name", facts.model_alias}, {"model", facts.model_alias}, {"modified_at", ""}, {"size", ""}, {"digest", ""},
        {"type", "model"}, {"description", ""}, {"tags", {""}}, {"capabilities", capabilities}, {"parameters", ""},
        {"details",
         {{"parent_model", ""}, {"format", "gguf"}, {"family", ""}, {"families", {""}}, {"parameter_size", ""}, {"quantization_level", ""}}},
    };
    ordered_json data = {
        {"id", facts.model_alias}, {"aliases", {facts.model_alias}}, {"tags", ordered_json::array()}, {"object", "model"},
        {"created", created}, {"owned_by", "llamacpp"},
        {"meta",
         {{"vocab_type", true}, {"n_vocab", 50262}, {"n_ctx", facts.n_ctx_slot}, {"n_ctx_train", facts.n_ctx_train}, {"n_embd", 3584},
          {"n_params", 7615616512LL}, {"size", 4683073536LL}, {"ftype", "Q4_K - Medium"}}},
    };
    return ordered_json{{"models", {model}}, {"object", "list"}, {"data", {data}}};
}

ordered_json slots_json(const std::vector<SlotSnapshot>& slots, int n_ctx_slot) {
    ordered_json out = ordered_json::array();
    for (const auto& slot : slots) {
        ordered_json j;
        j["id"] = slot.id;
        j["n_ctx"] = n_ctx_slot;
        j["speculative"] = false;
        j["is_processing"] = slot.is_processing;
        j["id_task"] = slot.id_task;
        j["n_prompt_tokens"] = slot.n_prompt_tokens;
        j["n_prompt_tokens_processed"] = slot.is_processing ? slot.n_prompt_tokens_processed : 0;
        j["n_prompt_tokens_cache"] = slot.is_processing ? slot.n_prompt_tokens_cache : 0;
        j["params"] = slot.params.is_null() ? params_json(SamplingParams{}, false) : slot.params;
        j["next_token"] = {{{"has_next_token", slot.has_next_token},
                            {"has_new_line", false},
                            {"n_remain", slot.n_remain},
                            {"n_decoded", slot.is_processing ? slot.n_decoded : 0}}};
        out.push_back(std::move(j));
    }
    return out;
}

std::string metrics_text(const Metrics& m) {
    std::string out;
    const auto add = [&](std::string_view name, std::string_view help, std::string_view type, const std::string& value) {
        out += fmt::format("# HELP llamacpp:{} {}\n# TYPE llamacpp:{} {}\nllamacpp:{} {}\n", name, help, name, type, name, value);
    };
    const auto num = [](double value) { return fmt::format("{:g}", value); };
    add("prompt_tokens_total", "Number of prompt tokens processed, excluding cached tokens", "counter", std::to_string(m.prompt_tokens_total));
    add("prompt_tokens_cached_total", "Number of prompt tokens reused from the cache", "counter", std::to_string(m.prompt_tokens_cached_total));
    add("prompt_seconds_total", "Total time spent processing prompts", "counter", num(m.prompt_seconds_total));
    add("tokens_predicted_total", "Number of generation tokens processed", "counter", std::to_string(m.tokens_predicted_total));
    add("tokens_predicted_seconds_total", "Total time spent generating tokens", "counter", num(m.tokens_predicted_seconds_total));
    add("n_decode_total", "Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding", "counter",
        std::to_string(m.n_decode_total));
    add("n_tokens_max", "Largest observed sequence length (prompt + generation)", "counter", std::to_string(m.n_tokens_max));
    add("prompt_tokens_seconds", "Average prompt throughput in tokens/s", "gauge",
        num(m.prompt_seconds_total > 0 ? static_cast<double>(m.prompt_tokens_total) / m.prompt_seconds_total : 0.0));
    add("predicted_tokens_seconds", "Average generation throughput in tokens/s", "gauge",
        num(m.tokens_predicted_seconds_total > 0 ? static_cast<double>(m.tokens_predicted_total) / m.tokens_predicted_seconds_total : 0.0));
    add("requests_processing", "Number of requests processing", "gauge", std::to_string(m.requests_processing));
    add("requests_deferred", "Number of requests deferred", "gauge", std::to_string(m.requests_deferred));
    return out;
}

std::string completion_id() {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 random{std::random_device{}()};
    std::string id = "chatcmpl-";
    for (int i = 0; i < 32; ++i) id += kAlphabet[random() % kAlphabet.size()];
    return id;
}

}  // namespace tunecap::fake_llama_server
