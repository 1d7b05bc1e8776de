// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One simulated GPU shared by every fake server that names the same file (FAKE_LLAMA_GPU), so
// servers side by side on one GPU share its compute instead of each getting a GPU of its own.
//
// Each server publishes its demand: the share of its time it would keep the GPU busy if it were
// alone (1 while a slot prefills, gpu/(gpu+host) of a decode step, 0 when idle). While the demands
// add up to more than 1, every server's GPU work is stretched by the same factor s, chosen so the
// GPU is exactly full: sum_i u_i / (1 - u_i + u_i * s) = 1 (processor sharing of the GPU; the
// CPU-side part of each step, and the per-request audio work, are not stretched, so they overlap
// with the other servers' kernels). Servers that died without clearing their entry are ignored.
//
// The file also totals the GPU's busy time (model time), which a benchmark reads to report how
// busy the GPU was, and its decode steps and the tokens they made, for how many streams a step
// decoded on average: the header, native int64s (GpuFileHeader).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tunecap::fake_llama_server {

struct GpuFileHeader {
    std::int64_t busy_us;             // GPU busy time of all servers on this GPU, model microseconds
    std::int64_t decode_tokens;       // tokens decoded
    std::int64_t decode_step_micros;  // decode steps, in millionths: a token of a step of n streams adds 1/n
};

// What a GPU file totals.
struct GpuTotals {
    double busy_seconds = 0;
    double decode_tokens = 0;
    double decode_steps = 0;
    // Streams a decode step decoded on average; 0 before any decoding.
    double streams_per_step() const { return decode_steps > 0 ? decode_tokens / decode_steps : 0; }
};

class SharedGpu {
public:
    // Opens or creates the file and claims an entry; nullptr with the reason in error.
    static std::unique_ptr<SharedGpu> open(const std::string& path, std::string& error);
    ~SharedGpu();
    SharedGpu(const SharedGpu&) = delete;
    SharedGpu& operator=(const SharedGpu&) = delete;

    // This server's demand, 0..1.
    void set_demand(double demand);
    // The factor GPU work takes longer now, >= 1.
    double stretch() const;
    void add_busy(double model_ms);
    // One token of a decode step of `streams` streams.
    void add_decoded(int streams);

private:
    struct Layout;
    SharedGpu(Layout* layout, int entry);

    Layout* m_layout;
    int m_entry;
};

// The stretch for these demands (exposed for the unit of the formula): 1 while they add up to
// 1 or less, otherwise the s that fills the GPU exactly.
double gpu_stretch(const double* demands, int count);

// What a GPU file holds; nullopt when it cannot be read.
std::optional<GpuTotals> read_gpu_totals(const std::string& path);

}  // namespace tunecap::fake_llama_server
