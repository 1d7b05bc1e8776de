// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// POST /v1/chat/completions, /completion and /v1/completions: parse, wait for a slot, check the
// context, simulate prefill and decode, and reply in the recorded shapes, streamed (SSE) or not.

#include <httplib.h>

#include "context.hpp"
#include "requests.hpp"

namespace tunecap::fake_llama_server {

void handle_generation(ServerContext& context, Endpoint endpoint, const httplib::Request& request, httplib::Response& response);

}  // namespace tunecap::fake_llama_server
