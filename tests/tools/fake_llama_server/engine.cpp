// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace tunecap::fake_llama_server {

Pacer::Pacer(double scale, const std::atomic<bool>& stopping)
    : m_scale(scale), m_stopping(stopping), m_start(std::chrono::steady_clock::now()) {}

bool Pacer::advance(double model_ms) {
    m_model_ms += model_ms;
    if (m_scale <= 0) return !m_stopping;
    const auto deadline = m_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double, std::milli>(m_model_ms * m_scale));
    // Sleep in slices so a shutdown is noticed within 20 ms.
    constexpr auto kSlice = std::chrono::milliseconds(20);
    while (!m_stopping) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(deadline - now, kSlice));
    }
    return false;
}

std::size_t reusable_prefix(const std::vector<std::uint64_t>& cache, const TokenizedPrompt& prompt) {
    const auto limit = std::min(cache.size(), prompt.keys.size());
    std::size_t n = 0;
    while (n < limit && cache[n] == prompt.keys[n]) ++n;
    if (!prompt.keys.empty() && n >= prompt.keys.size()) n = prompt.keys.size() - 1;
    for (const auto& [begin, end] : prompt.audio_spans) {
        if (n > begin && n < end) n = begin;
    }
    return n;
}

Engine::Engine(int n_slots, int n_ctx_slot, int ubatch, const EngineTiming& timing, Logger& log, SharedGpu* gpu)
    : m_n_ctx_slot(n_ctx_slot),
      m_ubatch(std::max(1, ubatch)),
      m_timing(timing),
      m_log(log),
      m_start(std::chrono::steady_clock::now()),
      m_slots(static_cast<std::size_t>(std::max(1, n_slots))),
      m_gpu(gpu) {
    for (std::size_t i = 0; i < m_slots.size(); ++i) m_slots[i].snapshot.id = static_cast<int>(i);
}

double Engine::step_ms(int n) const {
    n = std::max(1, n);
    double step = 1000.0 / m_timing.decode_tps + (n - 1) * m_timing.decode_stream_ms;
    if (m_timing.decode_agg_tps > 0) step = std::max(step, 1000.0 * n / m_timing.decode_agg_tps);
    return step;
}

double Engine::host_ms(int n) const { return std::min(step_ms(n), m_timing.host_ms * std::max(1, n)); }

void Engine::update_demand() {
    if (m_gpu == nullptr) return;
    std::lock_guard lock(m_demand_mutex);
    const int decoding = m_decoding.load();
    double demand = 0;
    if (m_prefilling.load() > 0) demand = 1;
    else if (decoding > 0) demand = 1.0 - host_ms(decoding) / step_ms(decoding);
    m_gpu->set_demand(demand);
}

std::int64_t Engine::now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - m_start).count();
}

int Engine::choose_slot_locked(const TokenizedPrompt& prompt, std::string& how) const {
    // The server's --slot-prompt-similarity default.
    constexpr double kSimilarityThreshold = 0.10;
    int best = -1;
    double best_similarity = 0;
    double best_keep = 0;
    int lru = -1;
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        const auto& slot = m_slots[i];
        if (slot.busy) continue;
        if (lru < 0 || slot.t_last < m_slots[static_cast<std::size_t>(lru)].t_last) lru = static_cast<int>(i);
        if (prompt.keys.empty() || slot.cache.empty()) continue;
        const auto common = reusable_prefix(slot.cache, prompt);
        const double similarity = static_cast<double>(common) / static_cast<double>(prompt.keys.size());
        if (similarity > best_similarity) {
            best = static_cast<int>(i);
            best_similarity = similarity;
            best_keep = static_cast<double>(common) / static_cast<double>(slot.cache.size());
        }
    }
    if (best >= 0 && best_similarity > kSimilarityThreshold) {
        how = fmt::format("selected slot by LCP similarity, f_sim_best = {:.3f} (> {:.3f} thold), f_keep = {:.3f}", best_similarity,
                          kSimilarityThreshold, best_keep);
        return best;
    }
    if (lru >= 0) how = fmt::format("selected slot by LRU, t_last = {}", m_slots[static_cast<std::size_t>(lru)].t_last);
    return lru;
}

void Engine::dispatch_locked() {
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        Waiter& waiter = **it;
        int chosen = -1;
        if (waiter.id_slot >= 0) {
            if (!m_slots[static_cast<std::size_t>(waiter.id_slot)].busy) chosen = waiter.id_slot;
        } else {
            chosen = choose_slot_locked(*waiter.prompt, waiter.how);
        }
        if (chosen < 0) {
            ++it;
            continue;
        }
        m_slots[static_cast<std::size_t>(chosen)].busy = true;
        waiter.assigned = chosen;
        it = m_waiting.erase(it);
    }
    m_changed.notify_all();
}

std::unique_ptr<Engine::Lease> Engine::acquire(const TokenizedPrompt& prompt, int id_slot, bool cache_prompt, ordered_json params) {
    std::unique_lock lock(m_mutex);
    Waiter waiter{&prompt, id_slot, -1, {}};
    m_waiting.push_back(&waiter);
    dispatch_locked();
    m_changed.wait(lock, [&] { return waiter.assigned >= 0 || m_stopping; });
    if (waiter.assigned < 0) {
        m_waiting.erase(std::find(m_waiting.begin(), m_waiting.end(), &waiter));
        return nullptr;
    }
    auto& slot = m_slots[static_cast<std::size_t>(waiter.assigned)];
    const std::size_t cache_n = cache_prompt ? reusable_prefix(slot.cache, prompt) : 0;
    const long task = m_next_task++;
    auto& snapshot = slot.snapshot;
    snapshot.is_processing = true;
    snapshot.id_task = task;
    snapshot.n_prompt_tokens = prompt.size();
    snapshot.n_prompt_tokens_processed = prompt.size() - cache_n;
    snapshot.n_prompt_tokens_cache = cache_n;
    snapshot.params = std::move(params);
    snapshot.has_next_token = true;
    snapshot.n_decoded = 0;
    snapshot.n_remain = -1;
    lock.unlock();
    if (!waiter.how.empty()) m_log.info(fake_llama_server::slot("get_availabl", waiter.assigned, -1, waiter.how));
    m_log.info(fake_llama_server::slot("launch_slot_", waiter.assigned, task, "processing task, is_child = 0"));
    return std::unique_ptr<Lease>(new Lease(*this, waiter.assigned, task, prompt.size(), cache_n));
}

bool Engine::audio_overhead() {
    if (m_timing.audio_overhead_ms <= 0) return !m_stopping;
    std::lock_guard lock(m_audio_mutex);
    Pacer pacer(m_timing.time_scale, m_stopping);
    return pacer.advance(m_timing.audio_overhead_ms);
}

void Engine::release(int slot_id, long task, const std::vector<std::uint64_t>* cache) {
    std::size_t n_tokens = 0;
    {
        std::lock_guard lock(m_mutex);
        auto& slot = m_slots[static_cast<std::size_t>(slot_id)];
        if (cache != nullptr) slot.cache = *cache;
        n_tokens = slot.cache.size();
        slot.busy = false;
        slot.t_last = now_us();
        slot.snapshot.is_processing = false;
        slot.snapshot.has_next_token = false;
        slot.snapshot.n_remain = -1;
        dispatch_locked();
    }
    m_log.info(fake_llama_server::slot("release", slot_id, task, fmt::format("stop processing: n_tokens = {}, truncated = 0", n_tokens)));
}

std::vector<SlotSnapshot> Engine::slots() const {
    std::lock_guard lock(m_mutex);
    std::vector<SlotSnapshot> out;
    for (const auto& slot : m_slots) out.push_back(slot.snapshot);
    return out;
}

Metrics Engine::metrics() const {
    std::lock_guard lock(m_mutex);
    Metrics out = m_metrics;
    out.requests_processing = static_cast<int>(std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.busy; }));
    out.requests_deferred = static_cast<int>(m_waiting.size());
    return out;
}

bool Engine::all_busy() const {
    std::lock_guard lock(m_mutex);
    return std::all_of(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.busy; });
}

void Engine::stop() {
    m_stopping = true;
    std::lock_guard lock(m_mutex);
    m_changed.notify_all();
}

Engine::Lease::Lease(Engine& engine, int slot, long task, std::size_t prompt_size, std::size_t cache_n)
    : m_engine(engine),
      m_slot(slot),
      m_task(task),
      m_prompt_size(prompt_size),
      m_cache_n(cache_n),
      m_pacer(engine.m_timing.time_scale, engine.m_stopping) {}

Engine::Lease::~Lease() {
    if (m_decoding) {
        --m_engine.m_decoding;
        m_engine.update_demand();
    }
    m_engine.release(m_slot, m_task, nullptr);
}

bool Engine::Lease::prefill() {
    ++m_engine.m_prefilling;
    m_engine.update_demand();
    struct Done {
        Engine& engine;
        ~Done() {
            --engine.m_prefilling;
            engine.update_demand();
        }
    } done{m_engine};
    const auto& timing = m_engine.m_timing;
    auto remaining = prompt_n();
    while (remaining > 0) {
        const auto chunk = std::min<std::size_t>(remaining, static_cast<std::size_t>(m_engine.m_ubatch));
        // Slots prefilling at the same time share the prompt throughput; decoding slots slow it.
        const double tps = m_engine.m_decoding.load() > 0 && timing.prefill_busy_tps > 0 ? timing.prefill_busy_tps : timing.prefill_tps;
        const double rate = tps / std::max(1, m_engine.m_prefilling.load());
        double ms = static_cast<double>(chunk) / rate * 1000.0;
        if (m_engine.m_gpu != nullptr) {
            // The GPU work is the chunk's alone; the rest of its time is spent waiting for a turn.
            m_engine.m_gpu->add_busy(static_cast<double>(chunk) / timing.prefill_tps * 1000.0);
            ms *= m_engine.m_gpu->stretch();
        }
        m_prompt_ms += ms;
        if (!m_pacer.advance(ms)) return false;
        remaining -= chunk;
    }
    return true;
}

bool Engine::Lease::decode_token() {
    if (!m_decoding) {
        m_decoding = true;
        ++m_engine.m_decoding;
        m_engine.update_demand();
    }
    // This slot's share of one decode step of all decoding slots: a whole step per token.
    const int n = std::max(1, m_engine.m_decoding.load());
    const double host = m_engine.host_ms(n);
    const double gpu = m_engine.step_ms(n) - host;
    double ms = host + gpu;
    if (m_engine.m_gpu != nullptr) {
        m_engine.m_gpu->add_busy(gpu / n);
        m_engine.m_gpu->add_decoded(n);
        ms = host + gpu * m_engine.m_gpu->stretch();
    }
    m_predicted_ms += ms;
    ++m_predicted_n;
    {
        std::lock_guard lock(m_engine.m_mutex);
        m_engine.m_slots[static_cast<std::size_t>(m_slot)].snapshot.n_decoded = m_predicted_n;
    }
    return m_pacer.advance(ms);
}

void Engine::Lease::set_remaining(long n_remain) {
    std::lock_guard lock(m_engine.m_mutex);
    m_engine.m_slots[static_cast<std::size_t>(m_slot)].snapshot.n_remain = n_remain;
}

void Engine::Lease::commit(std::vector<std::uint64_t> cache) {
    const auto prompt_tokens = prompt_n();
    {
        std::lock_guard lock(m_engine.m_mutex);
        auto& metrics = m_engine.m_metrics;
        metrics.prompt_tokens_total += prompt_tokens;
        metrics.prompt_tokens_cached_total += m_cache_n;
        metrics.prompt_seconds_total += m_prompt_ms / 1000.0;
        metrics.tokens_predicted_total += static_cast<std::uint64_t>(m_predicted_n);
        metrics.tokens_predicted_seconds_total += m_predicted_ms / 1000.0;
        metrics.n_decode_total += static_cast<std::uint64_t>(m_predicted_n);
        metrics.n_tokens_max = std::max<std::uint64_t>(metrics.n_tokens_max, cache.size());
        m_engine.m_slots[static_cast<std::size_t>(m_slot)].cache = std::move(cache);
    }
    const auto per_token = [](double ms, double n) { return n > 0 ? ms / n : 0.0; };
    const auto per_second = [](double ms, double n) { return ms > 0 ? n / ms * 1000.0 : 0.0; };
    const double pn = static_cast<double>(prompt_tokens);
    const double gn = static_cast<double>(m_predicted_n);
    auto& log = m_engine.m_log;
    log.info(fake_llama_server::slot("print_timing", m_slot, m_task,
                                     fmt::format("prompt eval time = {:10.2f} ms / {:5} tokens ({:8.2f} ms per token, {:8.2f} tokens per second)",
                                                 m_prompt_ms, prompt_tokens, per_token(m_prompt_ms, pn), per_second(m_prompt_ms, pn))));
    log.info(fake_llama_server::slot("print_timing", m_slot, m_task,
                                     fmt::format("       eval time = {:10.2f} ms / {:5} tokens ({:8.2f} ms per token, {:8.2f} tokens per second)",
                                                 m_predicted_ms, m_predicted_n, per_token(m_predicted_ms, gn), per_second(m_predicted_ms, gn))));
    log.info(fake_llama_server::slot("print_timing", m_slot, m_task,
                                     fmt::format("      total time = {:10.2f} ms / {:5} tokens", m_prompt_ms + m_predicted_ms,
                                                 prompt_tokens + static_cast<std::size_t>(m_predicted_n))));
}

}  // namespace tunecap::fake_llama_server
