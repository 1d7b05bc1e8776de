// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace tunecap::fake_llama_server {

// More servers than tunecap ever runs side by side on one GPU.
constexpr int kEntries = 64;
constexpr std::int32_t kDemandScale = 1'000'000;

struct SharedGpu::Layout {
    GpuFileHeader header;
    struct Entry {
        std::int32_t pid;
        std::int32_t demand;  // millionths
    } entries[kEntries];
};

namespace {

bool alive(std::int32_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

double gpu_stretch(const double* demands, int count) {
    double total = 0;
    for (int i = 0; i < count; ++i) total += demands[i];
    if (total <= 1.0) return 1.0;
    // sum u / (1 - u + u s) falls as s grows and is at most 1 at s = count: bisect between.
    const auto filled = [&](double s) {
        double sum = 0;
        for (int i = 0; i < count; ++i) sum += demands[i] / (1.0 - demands[i] + demands[i] * s);
        return sum;
    };
    double low = 1.0;
    double high = std::max(1.0, static_cast<double>(count));
    for (int step = 0; step < 40; ++step) {
        const double mid = (low + high) / 2;
        (filled(mid) > 1.0 ? low : high) = mid;
    }
    return high;
}

std::unique_ptr<SharedGpu> SharedGpu::open(const std::string& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = fmt::format("FAKE_LLAMA_GPU: cannot open '{}': {}", path, std::strerror(errno));
        return nullptr;
    }
    // Every server grows the file to the same size; the new bytes read as zero.
    struct stat info{};
    const bool sized = ::fstat(fd, &info) == 0 && (info.st_size >= static_cast<off_t>(sizeof(Layout)) || ::ftruncate(fd, sizeof(Layout)) == 0);
    void* memory = sized ? ::mmap(nullptr, sizeof(Layout), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    const int saved = errno;
    ::close(fd);
    if (memory == MAP_FAILED) {
        error = fmt::format("FAKE_LLAMA_GPU: cannot map '{}': {}", path, std::strerror(saved));
        return nullptr;
    }
    auto* layout = static_cast<Layout*>(memory);
    const std::int32_t self = ::getpid();
    for (int i = 0; i < kEntries; ++i) {
        std::atomic_ref<std::int32_t> pid(layout->entries[i].pid);
        std::int32_t seen = pid.load();
        if (seen != 0 && alive(seen)) continue;
        if (!pid.compare_exchange_strong(seen, self)) continue;
        std::atomic_ref<std::int32_t>(layout->entries[i].demand).store(0);
        return std::unique_ptr<SharedGpu>(new SharedGpu(layout, i));
    }
    ::munmap(memory, sizeof(Layout));
    error = fmt::format("FAKE_LLAMA_GPU: '{}' already has {} live servers", path, kEntries);
    return nullptr;
}

SharedGpu::SharedGpu(Layout* layout, int entry) : m_layout(layout), m_entry(entry) {}

SharedGpu::~SharedGpu() {
    auto& entry = m_layout->entries[m_entry];
    std::atomic_ref<std::int32_t>(entry.demand).store(0);
    std::atomic_ref<std::int32_t>(entry.pid).store(0);
    ::munmap(m_layout, sizeof(Layout));
}

void SharedGpu::set_demand(double demand) {
    const auto scaled = static_cast<std::int32_t>(std::lround(std::clamp(demand, 0.0, 1.0) * kDemandScale));
    std::atomic_ref<std::int32_t>(m_layout->entries[m_entry].demand).store(scaled);
}

double SharedGpu::stretch() const {
    double demands[kEntries];
    int count = 0;
    for (int i = 0; i < kEntries; ++i) {
        auto& entry = m_layout->entries[i];
        const auto demand = std::atomic_ref<std::int32_t>(entry.demand).load();
        if (demand <= 0) continue;
        if (i != m_entry && !alive(std::atomic_ref<std::int32_t>(entry.pid).load())) continue;
        demands[count++] = static_cast<double>(demand) / kDemandScale;
    }
    return gpu_stretch(demands, count);
}

void SharedGpu::add_busy(double model_ms) {
    std::atomic_ref<std::int64_t>(m_layout->header.busy_us).fetch_add(static_cast<std::int64_t>(std::llround(model_ms * 1000.0)));
}

void SharedGpu::add_decoded(int streams) {
    std::atomic_ref<std::int64_t>(m_layout->header.decode_tokens).fetch_add(1);
    std::atomic_ref<std::int64_t>(m_layout->header.decode_step_micros).fetch_add(1'000'000 / std::max(1, streams));
}

std::optional<GpuTotals> read_gpu_totals(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    GpuFileHeader header{};
    const auto got = ::pread(fd, &header, sizeof(header), 0);
    ::close(fd);
    if (got != static_cast<ssize_t>(sizeof(header))) return std::nullopt;
    return GpuTotals{static_cast<double>(header.busy_us) / 1e6, static_cast<double>(header.decode_tokens),
                     static_cast<double>(header.decode_step_micros) / 1e6};
}

}  // namespace tunecap::fake_llama_server
