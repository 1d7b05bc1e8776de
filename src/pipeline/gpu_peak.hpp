// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The peak GPU memory while a model is loaded, from a probe (nvidia-smi in a real run).

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace tunecap::pipeline {

// Samples a GPU probe once a second on its own thread while a model is loaded.
class GpuPeak {
public:
    explicit GpuPeak(std::function<std::optional<double>()> probe);
    ~GpuPeak();
    GpuPeak(const GpuPeak&) = delete;
    GpuPeak& operator=(const GpuPeak&) = delete;
    // Stops sampling; the highest value seen, nullopt without a probe or a reading.
    std::optional<double> finish();

private:
    std::function<std::optional<double>()> m_probe;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::optional<double> m_peak;
    std::thread m_thread;
};

}  // namespace tunecap::pipeline
