// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Log lines shaped like llama-server's (server-logs/*.server.log in the recordings):
//   0.00.013.975 I srv    load_model: loading model 'models/tiny-qwen2.gguf'
// Written unbuffered to stderr and to --log-file, so nothing is lost when the fake _exit()s on
// purpose. Callers never pass the API key here.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace tunecap::fake_llama_server {

class Logger {
public:
    Logger();
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    // --log-file (truncated, like common_log_set_file) and --log-disable.
    void configure(const std::string& log_file, bool disabled);

    void info(std::string_view text) { line('I', text); }
    void warn(std::string_view text) { line('W', text); }
    void error(std::string_view text) { line('E', text); }
    // A line without the time/level prefix (the real server prints a few with plain fprintf).
    void plain(std::string_view text);

private:
    void line(char level, std::string_view text);
    void write_all(std::string_view text);

    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_start;
    int m_file = -1;
    bool m_disabled = false;
};

// "srv  %12.*s: message", the server-wide format.
std::string srv(std::string_view function, std::string_view message);
// "slot %12.*s: id %2d | task %d | message", the per-slot format.
std::string slot(std::string_view function, int slot_id, long task_id, std::string_view message);

}  // namespace tunecap::fake_llama_server
