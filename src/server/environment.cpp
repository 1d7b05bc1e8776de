// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/environment.hpp"

#include <fnmatch.h>

#include <algorithm>

extern char** environ;

namespace tunecap::server {
namespace {

bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0; });
}

}  // namespace

const std::vector<std::string>& needed_by_servers() {
    static const std::vector<std::string> kNeeded = {
        // finding programs and libraries, the user's home and cache, locale and time
        "PATH", "LD_LIBRARY_PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "XDG_CACHE_HOME", "LANG", "LANGUAGE",
        "LC_*", "TZ",
        // GPUs: which ones, and their runtimes' settings (CUDA, ROCm, Vulkan, SYCL) and ggml's own
        "CUDA_*", "NVIDIA_*", "HIP_*", "ROCR_*", "HSA_*", "GPU_DEVICE_ORDINAL", "VK_*", "ONEAPI_*", "SYCL_*", "ZE_*",
        "GGML_*",
        // CPU threading of the BLAS and OpenMP libraries a build may use
        "OMP_*", "KMP_*", "MKL_*", "OPENBLAS_*",
        // model downloads (-hf, -mmu): where they go (server/hf_cache.hpp), from where, through
        // which proxy, with which token
        "LLAMA_CACHE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "MODEL_ENDPOINT", "HF_ENDPOINT", "HF_TOKEN", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
        "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
    };
    return kNeeded;
}

std::vector<std::string> server_environment(const std::vector<std::string>& current, const std::vector<std::string>& extra,
                                            const std::vector<std::string>& withheld) {
    std::vector<std::string> out;
    for (const auto& entry : current) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        const auto name = entry.substr(0, eq);
        if (std::find(withheld.begin(), withheld.end(), name) != withheld.end()) continue;
        if (matches_any(name, needed_by_servers()) || matches_any(name, extra)) out.push_back(entry);
    }
    return out;
}

std::vector<std::string> process_environment_entries() {
    std::vector<std::string> out;
    for (char** entry = environ; entry && *entry; ++entry) out.emplace_back(*entry);
    return out;
}

void set_variable(std::vector<std::string>& environment, const std::string& name, const std::string& value) {
    const auto prefix = name + "=";
    std::erase_if(environment, [&](const std::string& entry) { return entry.starts_with(prefix); });
    environment.push_back(prefix + value);
}

}  // namespace tunecap::server
