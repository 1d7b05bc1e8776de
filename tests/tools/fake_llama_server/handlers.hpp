// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The HTTP surface: the "Loading model" gate and the API-key check in front of every route, the
// routes of llama-server that tunecap can use, and the recorded 404 for everything else.

#include <httplib.h>

#include "context.hpp"

namespace tunecap::fake_llama_server {

void install_routes(httplib::Server& server, ServerContext& context);

}  // namespace tunecap::fake_llama_server
