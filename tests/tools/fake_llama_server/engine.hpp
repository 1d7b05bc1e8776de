// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The simulated inference engine: `-np` slots, each with its own prompt cache; requests that find
// no free slot wait in arrival order (the real server defers them, it does not refuse them); time
// spent in prefill and decode follows EngineTiming, in model time reported in `timings` and slept
// scaled by time_scale.
//
// Slot choice follows llama-server: `id_slot` >= 0 waits for that slot; otherwise the idle slot
// whose cache shares the longest prefix with the prompt (if more than 10% of it), else the least
// recently used one. cache_n is that common prefix, cut back to the start of an audio clip it
// would split (a clip is encoded whole) and to one token short of the prompt (the server always
// evaluates at least one token).
//
// A decode step of n slots takes 1000 / decode_tps + (n - 1) x decode_stream_ms (capped by
// decode_agg_tps), host_ms x n of it CPU-side and the rest GPU compute; with a SharedGpu the GPU
// part is stretched while other servers on the same GPU keep it full.

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "gpu.hpp"
#include "log.hpp"
#include "prompt.hpp"
#include "settings.hpp"

namespace tunecap::fake_llama_server {

using ordered_json = nlohmann::ordered_json;

struct SlotSnapshot {
    int id = 0;
    bool is_processing = false;
    long id_task = -1;
    std::size_t n_prompt_tokens = 0;
    std::size_t n_prompt_tokens_processed = 0;
    std::size_t n_prompt_tokens_cache = 0;
    ordered_json params;
    bool has_next_token = false;
    long n_remain = -1;
    long n_decoded = 0;
};

// Counters behind GET /metrics (names as in llama-server's Prometheus output).
struct Metrics {
    std::uint64_t prompt_tokens_total = 0;
    std::uint64_t prompt_tokens_cached_total = 0;
    double prompt_seconds_total = 0;
    std::uint64_t tokens_predicted_total = 0;
    double tokens_predicted_seconds_total = 0;
    std::uint64_t n_decode_total = 0;
    std::uint64_t n_tokens_max = 0;
    int requests_processing = 0;
    int requests_deferred = 0;
};

// Model time to wall time: sleeps until start + model_ms x scale, so rounding never accumulates.
class Pacer {
public:
    Pacer(double scale, const std::atomic<bool>& stopping);
    // false: the server is shutting down; the caller must not reply.
    bool advance(double model_ms);

private:
    double m_scale;
    const std::atomic<bool>& m_stopping;
    std::chrono::steady_clock::time_point m_start;
    double m_model_ms = 0;
};

class Engine {
public:
    // gpu: the simulated GPU shared with other servers, or nullptr for a GPU of its own; it must
    // outlive the engine.
    Engine(int n_slots, int n_ctx_slot, int ubatch, const EngineTiming& timing, Logger& log, SharedGpu* gpu = nullptr);

    class Lease {
    public:
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        int slot() const { return m_slot; }
        long task() const { return m_task; }
        std::size_t cache_n() const { return m_cache_n; }
        std::size_t prompt_n() const { return m_prompt_size - m_cache_n; }

        // Prefill of the uncached prompt tokens; returns false when shutting down.
        bool prefill();
        // One generated token; false when shutting down.
        bool decode_token();
        double prompt_ms() const { return m_prompt_ms; }
        double predicted_ms() const { return m_predicted_ms; }
        long predicted_n() const { return m_predicted_n; }
        void set_remaining(long n_remain);
        // The slot keeps prompt + generated tokens as its cache (what the next request can reuse).
        void commit(std::vector<std::uint64_t> cache);

    private:
        friend class Engine;
        Lease(Engine& engine, int slot, long task, std::size_t prompt_size, std::size_t cache_n);

        Engine& m_engine;
        int m_slot;
        long m_task;
        std::size_t m_prompt_size;
        std::size_t m_cache_n;
        Pacer m_pacer;
        double m_prompt_ms = 0;
        double m_predicted_ms = 0;
        long m_predicted_n = 0;
        bool m_decoding = false;
    };

    // Blocks until a slot is free for this prompt; nullptr when the server is shutting down.
    // id_slot outside [0, slots) must be checked by the caller.
    std::unique_ptr<Lease> acquire(const TokenizedPrompt& prompt, int id_slot, bool cache_prompt, ordered_json params);

    // The per-request audio work (JSON, base64, decode, log-mel) the real server does before a
    // slot; one request at a time. false when shutting down.
    bool audio_overhead();

    std::vector<SlotSnapshot> slots() const;
    Metrics metrics() const;
    int n_slots() const { return static_cast<int>(m_slots.size()); }
    int n_ctx_slot() const { return m_n_ctx_slot; }
    bool all_busy() const;
    const EngineTiming& timing() const { return m_timing; }
    const std::atomic<bool>& stopping_flag() const { return m_stopping; }

    // Shutdown: waiters give up, pacing stops.
    void stop();

private:
    struct Slot {
        std::vector<std::uint64_t> cache;
        bool busy = false;
        std::int64_t t_last = -1;  // microseconds of the last release, -1: never used
        SlotSnapshot snapshot;
    };
    struct Waiter {
        const TokenizedPrompt* prompt;
        int id_slot;
        int assigned = -1;
        std::string how;  // the get_availabl log line
    };

    void dispatch_locked();
    // Model time of one decode step with n slots decoding, and its CPU-side part.
    double step_ms(int n) const;
    double host_ms(int n) const;
    // Publishes this server's GPU demand after a slot starts or stops prefilling or decoding.
    void update_demand();
    int choose_slot_locked(const TokenizedPrompt& prompt, std::string& how) const;
    void release(int slot, long task, const std::vector<std::uint64_t>* cache);
    std::int64_t now_us() const;

    const int m_n_ctx_slot;
    const int m_ubatch;
    const EngineTiming m_timing;
    Logger& m_log;
    const std::chrono::steady_clock::time_point m_start;
    std::atomic<bool> m_stopping{false};
    std::atomic<long> m_next_task{0};
    std::atomic<int> m_prefilling{0};
    std::atomic<int> m_decoding{0};

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Slot> m_slots;
    std::deque<Waiter*> m_waiting;
    Metrics m_metrics;

    std::mutex m_audio_mutex;
    SharedGpu* m_gpu;
    std::mutex m_demand_mutex;
};

// Length of the common prefix of a slot cache and a prompt, as the server would reuse it.
std::size_t reusable_prefix(const std::vector<std::uint64_t>& cache, const TokenizedPrompt& prompt);

}  // namespace tunecap::fake_llama_server
