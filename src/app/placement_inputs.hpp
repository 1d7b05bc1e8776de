// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What placement (pipeline/placement.hpp) needs from the world in a real run or plan: each model's
// memory from its GGUF headers (the estimate `tunecap models` prints) and the peaks measured in
// earlier runs, and the longest track.

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pipeline/placement.hpp"
#include "pipeline/track.hpp"
#include "server/hf_cache.hpp"
#include "store/store.hpp"

namespace tunecap::app {

// The last measured peak per model, in MiB per server (loads in the order they were stored).
std::map<std::string, double> last_peaks(const std::vector<store::LoadRow>& loads);

// A model's need from its GGUF and mmproj headers at its cache types (a server_args override of
// them is not seen), raised to its last measured peak; an error naming the file that cannot be read.
// An hf model is read from llama-server's cache (`hub`); one not cached yet has no known need.
pipeline::MemoryNeedOf gguf_memory_need(std::map<std::string, double> peaks_mib, server::HfCacheDirs hub);

// The placement of the models with work in `phases`, in load order, for a longest track of
// `longest_seconds`.
pipeline::Placement place_for_run(const config::Config& config, const std::vector<pipeline::PhaseRecord>& phases,
                                  double longest_seconds, const pipeline::MemoryNeedOf& need);

}  // namespace tunecap::app
