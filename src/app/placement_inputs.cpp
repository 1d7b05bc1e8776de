// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/placement_inputs.hpp"

#include <algorithm>
#include <set>

#include "gguf/gguf.hpp"
#include "gguf/memory_estimate.hpp"
#include "gguf/model_summary.hpp"
#include "pipeline/audio_budget.hpp"
#include "pipeline/scheduler.hpp"

namespace tunecap::app {
namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;
// Only the model's shape is wanted: tokenizer arrays are walked over, not stored (as in `tunecap models`).
constexpr std::uint64_t kMaxStoredArrayElements = 4096;

core::Result<gguf::ModelSummary> summary_of(const std::filesystem::path& file) {
    auto read = gguf::read_gguf(file, gguf::ReadOptions{kMaxStoredArrayElements});
    if (!read) return read.error();
    return gguf::summarize(*read);
}

gguf::GgmlType cache_type(const std::optional<std::string>& configured) {
    // The config accepts only llama-server's cache types, all of which ggml knows.
    return gguf::parse_ggml_type(configured.value_or(config::kDefaultCacheType)).value_or(gguf::GgmlType::f16);
}

}  // namespace

std::map<std::string, double> last_peaks(const std::vector<store::LoadRow>& loads) {
    std::map<std::string, double> peaks;
    for (const auto& load : loads) {
        if (load.peak_gpu_mib) peaks[load.model] = *load.peak_gpu_mib;
    }
    return peaks;
}

pipeline::MemoryNeedOf gguf_memory_need(std::map<std::string, double> peaks_mib, server::HfCacheDirs hub) {
    return [peaks = std::move(peaks_mib), hub = std::move(hub)](const config::Model& model) -> core::Result<pipeline::MemoryNeed> {
        const auto files = server::local_model_files(hub, model);
        if (model.hf && (files.gguf.empty() || (model.mmproj_hf && files.mmproj.empty()))) {
            return core::Error{"hf " + model.hf->text() + ": not in llama-server's cache yet (a run downloads it)"};
        }
        auto weights = summary_of(files.gguf);
        if (!weights) return weights.error();
        std::optional<gguf::ModelSummary> projector;
        if (!files.mmproj.empty()) {
            auto read = summary_of(files.mmproj);
            if (!read) return core::Error{"mmproj " + read.error().message};
            projector = std::move(*read);
        }
        gguf::EstimateParams params;  // one slot, no context: the fixed part
        params.cache_type_k = cache_type(model.cache_type_k);
        params.cache_type_v = cache_type(model.cache_type_v);
        const auto fixed = gguf::estimate_memory(*weights, projector, params);
        params.ctx = 1;
        const auto one_token = gguf::estimate_memory(*weights, projector, params);
        pipeline::MemoryNeed need;
        need.state_bytes_per_slot = fixed.recurrent_state;
        need.fixed_bytes = fixed.total() - fixed.recurrent_state;
        need.kv_bytes_per_token = one_token.kv_cache;
        if (const auto peak = peaks.find(model.name); peak != peaks.end()) {
            need.measured_peak_bytes = static_cast<std::uint64_t>(peak->second * kBytesPerMiB);
        }
        return need;
    };
}

pipeline::Placement place_for_run(const config::Config& config, const std::vector<pipeline::PhaseRecord>& phases,
                                  double longest_seconds, const pipeline::MemoryNeedOf& need) {
    std::set<std::string> with_work;
    for (const auto& phase : phases) {
        for (const auto& model : phase.models) {
            if (model.status == pipeline::StepStatus::pending) with_work.insert(model.model);
        }
    }
    std::vector<std::string> order;
    for (const auto& model : pipeline::model_load_order(config)) {
        if (with_work.count(model) != 0) order.push_back(model);
    }
    return pipeline::place_models(config, order, need, [&](const config::Model& model) {
        return pipeline::slot_context_needed(config, model, longest_seconds);
    });
}

}  // namespace tunecap::app
