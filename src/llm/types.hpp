// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a generation request and its answer carry, independent of the wire format.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio_format.hpp"
#include "core/model_types.hpp"

namespace tunecap::llm {

using core::RequestPath;
using core::Sampling;

struct GenerationRequest {
    core::Family family = core::Family::chatml;
    RequestPath path = RequestPath::chat;
    std::optional<std::string> system;  // nullopt: the family's default system prompt, if any
    std::string user;
    // Base64 of the audio file (16 kHz mono) in audio_format; shared so a track's prompts do not
    // each copy megabytes.
    std::shared_ptr<const std::string> audio_base64;
    core::AudioFormat audio_format = core::AudioFormat::wav;
    Sampling sampling;
    int id_slot = -1;  // -1: any idle slot
    std::chrono::milliseconds deadline{std::chrono::minutes(10)};
};

struct Timings {
    int cache_n = 0;       // prompt tokens reused from the slot's cache
    int prompt_n = 0;      // prompt tokens evaluated
    double prompt_ms = 0;
    int predicted_n = 0;
    double predicted_ms = 0;
};

struct GenerationResult {
    std::string content;
    std::string reasoning;      // reasoning_content (llama.cpp) or reasoning (vLLM)
    std::string finish_reason;  // "stop", "length", ...
    int prompt_tokens = 0;
    int completion_tokens = 0;
    std::optional<Timings> timings;  // llama-server only
    double elapsed_ms = 0;           // wall time of the request as tunecap saw it
    std::string raw_prompt;          // the rendered prompt (raw path), for the record
};

enum class ErrorKind {
    context_overflow,  // 400 exceed_context_size_error: shrink the input
    bad_request,       // other 4xx: a client mistake, do not retry as is
    unauthorized,      // 401
    unavailable,       // 503: still loading
    server_error,      // 5xx (the real server also answers some client mistakes with 500)
    connection_lost,   // refused, reset, or the child died
    timeout,           // the request's deadline passed
    bad_response,      // 2xx whose body is not what the protocol says
};
std::string_view to_string(ErrorKind kind);

struct LlmError {
    ErrorKind kind = ErrorKind::server_error;
    int http_status = 0;
    std::string message;
    std::optional<int> n_prompt_tokens;  // context_overflow only
    std::optional<int> n_ctx;
};

}  // namespace tunecap::llm
