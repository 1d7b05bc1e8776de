// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/gpu_peak.hpp"

#include <chrono>

namespace tunecap::pipeline {
namespace {

// nvidia-smi takes about 50 ms a call; once a second catches a model's peak, which lasts as long as
// its longest batch, without costing a core.
constexpr auto kGpuSampleInterval = std::chrono::seconds(1);

}  // namespace

GpuPeak::GpuPeak(std::function<std::optional<double>()> probe) : m_probe(std::move(probe)) {
    if (!m_probe) return;
    m_thread = std::thread([this] {
        std::unique_lock lock(m_mutex);
        do {
            lock.unlock();
            const auto used = m_probe();
            lock.lock();
            if (used && (!m_peak || *used > *m_peak)) m_peak = used;
        } while (!m_wake.wait_for(lock, kGpuSampleInterval, [this] { return m_done; }));
    });
}

GpuPeak::~GpuPeak() { finish(); }

std::optional<double> GpuPeak::finish() {
    if (m_thread.joinable()) {
        {
            const std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    const std::lock_guard lock(m_mutex);
    return m_peak;
}

}  // namespace tunecap::pipeline
