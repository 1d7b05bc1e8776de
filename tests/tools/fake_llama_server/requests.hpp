// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Request bodies of the generation endpoints, parsed at the edge into a Job, with llama-server's
// errors for what it refuses (s1-12, s1-13, s1-14, s1-21, s3-06, s3-07, the media-marker rules).

#include <string>

#include "context.hpp"
#include "prompt.hpp"

namespace tunecap::fake_llama_server {

enum class Endpoint { chat, completion, oai_completion };

struct Job {
    Endpoint endpoint = Endpoint::chat;
    SamplingParams sampling;
    Prompt prompt;
    TokenizedPrompt tokens;
    std::string prompt_text;  // media shown as the server's marker
    int id_slot = -1;
    bool cache_prompt = true;
    bool include_usage = false;    // stream_options.include_usage
    bool return_tokens = false;
    bool parse_reasoning = false;  // chat with --jinja and reasoning_format other than none
};

// Invalid JSON: 500 server_error with nlohmann's parse message, like the real server (s1-12).
ordered_json parse_body(const std::string& body);

Job parse_chat_request(const ordered_json& body, const ServerContext& context);
Job parse_completion_request(const ordered_json& body, Endpoint endpoint, const ServerContext& context);
// POST /apply-template: the chat prompt as rendered text.
std::string render_template_request(const ordered_json& body, const ServerContext& context);

}  // namespace tunecap::fake_llama_server
