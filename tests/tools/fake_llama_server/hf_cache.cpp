// SPDX-License-Identifier: GPL-3.0-or-later
#include "hf_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace tunecap::fake_llama_server {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

fs::path hub_dir() {
    if (!env("LLAMA_CACHE").empty()) return env("LLAMA_CACHE");
    if (!env("HF_HUB_CACHE").empty()) return env("HF_HUB_CACHE");
    if (!env("HUGGINGFACE_HUB_CACHE").empty()) return env("HUGGINGFACE_HUB_CACHE");
    if (!env("HF_HOME").empty()) return fs::path(env("HF_HOME")) / "hub";
    if (!env("XDG_CACHE_HOME").empty()) return fs::path(env("XDG_CACHE_HOME")) / "huggingface" / "hub";
    return fs::path(env("HOME")) / ".cache" / "huggingface" / "hub";
}

fs::path files_dir() {
    if (!env("LLAMA_CACHE").empty()) return env("LLAMA_CACHE");
    if (!env("XDG_CACHE_HOME").empty()) return fs::path(env("XDG_CACHE_HOME")) / "llama.cpp";
    return fs::path(env("HOME")) / ".cache" / "llama.cpp";
}

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// The snapshot's GGUF files (that exist: a dangling link is not cached), sorted.
std::vector<fs::path> snapshot_ggufs(const fs::path& repo_dir) {
    std::ifstream ref(repo_dir / "refs" / "main");
    std::string commit;
    std::getline(ref, commit);
    std::vector<fs::path> files;
    if (commit.empty()) return files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(repo_dir / "snapshots" / commit, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code exists_ec;
        if (it->path().extension() == ".gguf" && fs::is_regular_file(it->path(), exists_ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

bool is_projector(const fs::path& file) { return file.filename().string().find("mmproj") != std::string::npos; }

bool has_quant(const fs::path& file, const std::string& quant) {
    const auto name = upper(file.filename().string());
    return name.find(upper(quant) + ".") != std::string::npos || name.find(upper(quant) + "-") != std::string::npos;
}

}  // namespace

std::string resolve_from_cache(Options& options) {
    std::string failures;
    if (!options.hf_repo.empty()) {
        const auto colon = options.hf_repo.find(':');
        const auto repo = options.hf_repo.substr(0, colon);
        const auto quant = colon == std::string::npos ? "" : options.hf_repo.substr(colon + 1);
        std::string folder = "models--" + repo;
        for (auto at = folder.find('/'); at != std::string::npos; at = folder.find('/')) folder.replace(at, 1, "--");
        const auto files = snapshot_ggufs(hub_dir() / folder);
        const std::vector<std::string> quants = quant.empty() ? std::vector<std::string>{"Q4_K_M", "Q8_0", ""} : std::vector{quant};
        for (const auto& q : quants) {
            const auto found = std::find_if(files.begin(), files.end(), [&](const fs::path& f) {
                return !is_projector(f) && (q.empty() || has_quant(f, q));
            });
            if (found != files.end()) {
                options.model = found->string();
                break;
            }
        }
        if (options.model.empty()) {
            failures += fmt::format("common_download_file_single_online: HEAD failed, status: -1 (the fake never downloads)\n"
                                    "error: failed to download model from {} (not in the cache {})\n",
                                    options.hf_repo, hub_dir().string());
        }
        const bool auto_projector = options.mmproj_auto && options.mmproj.empty() && options.mmproj_url.empty();
        if (auto_projector && !options.model.empty()) {
            const auto projector = std::find_if(files.begin(), files.end(), is_projector);
            if (projector != files.end()) options.mmproj = projector->string();
        }
    }
    if (!options.mmproj_url.empty()) {
        const auto name = options.mmproj_url.substr(options.mmproj_url.rfind('/') + 1);
        const auto path = files_dir() / name;
        std::error_code ec;
        if (fs::is_regular_file(path, ec)) {
            options.mmproj = path.string();
        } else {
            failures += fmt::format("error: failed to download {} (the fake never downloads; not in the cache as {})\n",
                                    options.mmproj_url, path.string());
        }
    }
    return failures;
}

}  // namespace tunecap::fake_llama_server
