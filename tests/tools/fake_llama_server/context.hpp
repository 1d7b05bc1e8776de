// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// State shared by the HTTP handlers and the process lifecycle.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "api.hpp"
#include "engine.hpp"
#include "log.hpp"
#include "options.hpp"
#include "settings.hpp"

namespace tunecap::fake_llama_server {

struct ServerContext {
    ServerContext(const Options& options_, const Settings& settings_, Logger& log_, Engine& engine_, ServerFacts facts_)
        : options(options_), settings(settings_), log(log_), engine(engine_), facts(std::move(facts_)) {
        touch();
    }

    const Options& options;
    const Settings& settings;
    Logger& log;
    Engine& engine;
    const ServerFacts facts;
    // input_audio / multimodal_data accepted: a projector is loaded and /props says audio.
    bool accepts_audio() const { return facts.audio; }

    std::atomic<bool> ready{false};
    std::atomic<long> generation_requests{0};  // numbering for die_after
    std::atomic<int> in_flight{0};
    std::atomic<std::int64_t> last_activity_ms{0};

    static std::int64_t now_ms() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    void touch() { last_activity_ms = now_ms(); }
};

// Counts a request as in flight (the idle exit waits for none) and marks activity at both ends.
class InFlight {
public:
    explicit InFlight(ServerContext& context) : m_context(context) {
        ++m_context.in_flight;
        m_context.touch();
    }
    ~InFlight() {
        m_context.touch();
        --m_context.in_flight;
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    ServerContext& m_context;
};

}  // namespace tunecap::fake_llama_server
