// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What llama-server's -hf and -mmu downloads leave on disk, found the way llama-server finds them
// when it starts offline, without a network. Followed: ggml-org/llama.cpp after PR #21009
// (2026-03-25, "make LLAMA_CACHE the one cache for everything"): common/hf-cache.cpp
// (get_cache_directory, get_cached_files), common/download.cpp (find_best_model,
// find_best_sibling, get_gguf_split_info) and common/common.cpp (fs_get_cache_directory).
// Builds before PR #20775 (2026-03-19) kept -hf files flat in the -mmu folder as
// OWNER_REPO_FILE; those are not looked for: such a build's cached model shows as one a run
// would download, and the run still works.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "config/config.hpp"

namespace tunecap::server {

struct HfCacheDirs {
    // -hf: the Hugging Face hub layout, models--OWNER--REPO/{refs/main, snapshots/COMMIT/FILE}.
    // LLAMA_CACHE, else HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub,
    // XDG_CACHE_HOME/huggingface/hub, HOME/.cache/huggingface/hub (the first one set and not empty).
    std::filesystem::path hub;
    // -mmu: one flat folder, each file by the last part of its URL. LLAMA_CACHE, else
    // XDG_CACHE_HOME/llama.cpp, else HOME/.cache/llama.cpp.
    std::filesystem::path files;
};

// Empty paths where the environment names none (no HOME).
HfCacheDirs hf_cache_dirs(const config::Environment& environment);

struct CachedFile {
    std::filesystem::path path;  // the file llama-server opens (the first part of a split GGUF)
    std::uint64_t bytes = 0;     // every part
};

// The GGUF llama-server would load for `hf` from the cache, or nullopt: a run would download it.
std::optional<CachedFile> cached_hf_model(const HfCacheDirs& dirs, const config::HfModel& hf);

// The projector llama-server would load for `projector` (the repo's own for `auto`, picked beside
// the model's file; a -mmu file by its name), or nullopt: a run would download it.
std::optional<CachedFile> cached_hf_projector(const HfCacheDirs& dirs, const config::HfModel& hf,
                                              const config::HfProjector& projector);

// The files llama-server will load for `model`: its gguf and mmproj, or for an hf model those the
// cache holds. An empty path: none configured, or an hf file a run would download first.
struct LocalModelFiles {
    std::filesystem::path gguf, mmproj;
    std::optional<CachedFile> hf_model, hf_projector;  // for an hf model: what the cache holds
};
LocalModelFiles local_model_files(const HfCacheDirs& dirs, const config::Model& model);

// True when a run's llama-server for `model` (an hf one) would first download a file.
bool hf_download_pending(const HfCacheDirs& dirs, const config::Model& model);

// How long a server that downloads first may take to become healthy, instead of
// SupervisorSettings::ready_deadline: 20 GB at 5 MB/s is 70 minutes. A stalled download ends the
// server by itself (llama.cpp gives up after 3 attempts at its HTTP client's 5-minute read
// timeout), so this bounds only a crawl.
inline constexpr std::chrono::minutes kDownloadReadyDeadline{120};

}  // namespace tunecap::server
