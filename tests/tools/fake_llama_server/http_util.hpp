// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small helpers shared by the HTTP handlers.

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "api.hpp"

namespace tunecap::fake_llama_server {

inline constexpr const char* kJsonType = "application/json; charset=utf-8";

// Like the server: invalid UTF-8 is replaced rather than thrown on.
inline std::string dump(const ordered_json& value) { return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// Error replies carry "Connection: close" in every recording (s1-09, s1-12, s1-19, the 503s).
inline void reply_json(httplib::Response& response, int status, const ordered_json& body) {
    response.status = status;
    response.set_content(dump(body), kJsonType);
    if (status >= 400) response.set_header("Connection", "close");
}

inline void reply_error(httplib::Response& response, const ApiError& error) { reply_json(response, error.code, error_body(error)); }

// A request caught by shutdown never gets a reply (s4, s5): its thread waits here until the
// lifecycle ends the process.
[[noreturn]] inline void hang_until_exit() {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace tunecap::fake_llama_server
