// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/hf_cache.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace tunecap::server {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> set_value(const config::Environment& environment, const char* name) {
    auto value = environment(name);
    if (!value || value->empty()) return std::nullopt;
    return value;
}

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

bool is_hex_commit(const std::string& text) {
    return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// A file of a snapshot: its path inside the repo ("sub/model-Q4_K_M.gguf") and on disk.
struct RepoFile {
    std::string path;
    fs::path local;
};

// The commit refs/main names, else the first valid ref (get_cached_ref).
std::optional<std::string> cached_commit(const fs::path& repo_dir) {
    std::error_code ec;
    std::optional<std::string> fallback;
    std::vector<fs::path> refs;
    for (fs::directory_iterator it(repo_dir / "refs", ec), end; !ec && it != end; it.increment(ec)) refs.push_back(it->path());
    std::sort(refs.begin(), refs.end());
    for (const auto& ref : refs) {
        std::ifstream in(ref);
        std::string commit;
        if (!std::getline(in, commit) || !is_hex_commit(commit)) continue;
        if (ref.filename() == "main") return commit;
        if (!fallback) fallback = commit;
    }
    return fallback;
}

// Every file of the repo's cached snapshot, by path. A link whose blob is gone does not count:
// llama-server would download it again.
std::vector<RepoFile> snapshot_files(const fs::path& hub, const std::string& repo) {
    std::string folder = "models--";
    for (const char c : repo) folder += c == '/' ? std::string("--") : std::string(1, c);
    const auto commit = cached_commit(hub / folder);
    if (!commit) return {};
    const auto snapshot = hub / folder / "snapshots" / *commit;
    std::vector<RepoFile> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(snapshot, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code file_ec;
        if (fs::is_regular_file(it->path(), file_ec)) {
            files.push_back({it->path().lexically_relative(snapshot).generic_string(), it->path()});
        }
    }
    std::sort(files.begin(), files.end(), [](const RepoFile& a, const RepoFile& b) { return a.path < b.path; });
    return files;
}

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// get_gguf_split_info: "dir/name-Q4_K_M-00001-of-00003.gguf" -> prefix "dir/name-Q4_K_M", tag
// "Q4_K_M", part 1 of 3.
struct SplitInfo {
    std::string prefix, tag;
    int index = 1, count = 1;
};

SplitInfo split_info(const std::string& path) {
    SplitInfo info;
    if (!path.ends_with(".gguf")) return info;
    info.prefix = path.substr(0, path.size() - 5);
    const auto& p = info.prefix;
    // "-NNNNN-of-NNNNN" is 15 characters
    if (p.size() > 15 && p[p.size() - 15] == '-' && p.compare(p.size() - 9, 4, "-of-") == 0) {
        const auto index = p.substr(p.size() - 14, 5);
        const auto count = p.substr(p.size() - 5);
        const auto digits = [](const std::string& s) {
            return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
        };
        if (digits(index) && digits(count)) {
            info.index = std::stoi(index);
            info.count = std::stoi(count);
            info.prefix.resize(p.size() - 15);
        }
    }
    std::size_t start = info.prefix.size();
    while (start > 0 && (std::isalnum(static_cast<unsigned char>(info.prefix[start - 1])) || info.prefix[start - 1] == '_')) --start;
    if (start > 0 && start < info.prefix.size() && (info.prefix[start - 1] == '-' || info.prefix[start - 1] == '.')) {
        info.tag = upper(info.prefix.substr(start));
    }
    return info;
}

// "Q4_K_M" -> 4, "F16" -> 16, "MXFP4" -> 4; 0 without digits (extract_quant_bits).
int quant_bits(const std::string& tag) {
    const auto digit = tag.find_first_of("0123456789");
    if (digit == std::string::npos) return 0;
    int bits = 0;
    for (auto i = digit; i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i])) && bits < 1000; ++i) bits = bits * 10 + (tag[i] - '0');
    return bits;
}

// gguf_filename_is_model: a GGUF that is none of the side files llama-server downloads beside one.
bool is_model_file(const std::string& path) {
    if (!path.ends_with(".gguf")) return false;
    const auto name = base_name(path);
    for (const char* side : {"mmproj", "imatrix", "mtp-", "eagle3-", "dflash-", "dspark-"}) {
        if (name.find(side) != std::string::npos) return false;
    }
    return true;
}

// The path holds `tag` followed by '.' or '-', in any letter case (the regex TAG[.-] of find_best_model).
bool names_tag(const std::string& path, const std::string& tag) {
    const auto haystack = upper(path);
    const auto needle = upper(tag);
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
        const auto after = at + needle.size();
        if (after < haystack.size() && (haystack[after] == '.' || haystack[after] == '-')) return true;
    }
    return false;
}

const RepoFile* best_model(const std::vector<RepoFile>& files, const std::string& quant) {
    const auto first_part = [](const RepoFile& f) {
        const auto split = split_info(f.path);
        return split.count <= 1 || split.index == 1;
    };
    const std::vector<std::string> tags = quant.empty() ? std::vector<std::string>{"Q4_K_M", "Q8_0"} : std::vector{quant};
    for (const auto& tag : tags) {
        for (const auto& f : files) {
            if (is_model_file(f.path) && names_tag(f.path, tag) && first_part(f)) return &f;
        }
    }
    if (!quant.empty()) return nullptr;
    for (const auto& f : files) {
        if (is_model_file(f.path) && first_part(f)) return &f;
    }
    return nullptr;
}

std::vector<std::string> folders_of(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', start)) {
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

// find_best_sibling(files, model, "mmproj"): a GGUF with "mmproj" in its path, in the model's
// folder or one above it; the deepest wins, then the closest quantization to the model's.
const RepoFile* best_projector(const std::vector<RepoFile>& files, const std::string& model) {
    const auto model_folders = folders_of(model);
    const int model_bits = quant_bits(split_info(model).tag);
    const RepoFile* best = nullptr;
    std::size_t best_depth = 0;
    int best_diff = 0;
    for (const auto& f : files) {
        if (!f.path.ends_with(".gguf") || f.path.find("mmproj") == std::string::npos) continue;
        const auto folders = folders_of(f.path);
        if (folders.size() > model_folders.size() || !std::equal(folders.begin(), folders.end(), model_folders.begin())) continue;
        const int diff = std::abs(quant_bits(split_info(f.path).tag) - model_bits);
        if (!best || folders.size() > best_depth || (folders.size() == best_depth && diff < best_diff)) {
            best = &f;
            best_depth = folders.size();
            best_diff = diff;
        }
    }
    return best;
}

std::uint64_t size_of(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

// The file and, for a split GGUF, every part of it that is there; nullopt when a part is missing.
std::optional<CachedFile> with_parts(const std::vector<RepoFile>& files, const RepoFile& first) {
    const auto split = split_info(first.path);
    CachedFile cached{first.local, 0};
    int parts = 0;
    for (const auto& f : files) {
        const auto other = split_info(f.path);
        if (&f == &first || (split.count > 1 && other.count == split.count && other.prefix == split.prefix)) {
            cached.bytes += size_of(f.local);
            ++parts;
        }
    }
    if (parts < split.count) return std::nullopt;
    return cached;
}

}  // namespace

HfCacheDirs hf_cache_dirs(const config::Environment& environment) {
    HfCacheDirs dirs;
    const auto llama_cache = set_value(environment, "LLAMA_CACHE");
    const auto xdg = set_value(environment, "XDG_CACHE_HOME");
    const auto home = set_value(environment, "HOME");
    if (llama_cache) {
        dirs.hub = *llama_cache;
    } else if (auto hub = set_value(environment, "HF_HUB_CACHE")) {
        dirs.hub = *hub;
    } else if (auto old_hub = set_value(environment, "HUGGINGFACE_HUB_CACHE")) {
        dirs.hub = *old_hub;
    } else if (auto hf_home = set_value(environment, "HF_HOME")) {
        dirs.hub = fs::path(*hf_home) / "hub";
    } else if (xdg) {
        dirs.hub = fs::path(*xdg) / "huggingface" / "hub";
    } else if (home) {
        dirs.hub = fs::path(*home) / ".cache" / "huggingface" / "hub";
    }
    if (llama_cache) {
        dirs.files = *llama_cache;
    } else if (xdg) {
        dirs.files = fs::path(*xdg) / "llama.cpp";
    } else if (home) {
        dirs.files = fs::path(*home) / ".cache" / "llama.cpp";
    }
    return dirs;
}

std::optional<CachedFile> cached_hf_model(const HfCacheDirs& dirs, const config::HfModel& hf) {
    if (dirs.hub.empty()) return std::nullopt;
    const auto files = snapshot_files(dirs.hub, hf.repo);
    const auto* best = best_model(files, hf.quant);
    if (!best) return std::nullopt;
    return with_parts(files, *best);
}

std::optional<CachedFile> cached_hf_projector(const HfCacheDirs& dirs, const config::HfModel& hf,
                                              const config::HfProjector& projector) {
    if (!projector.repo.empty()) {
        if (dirs.files.empty()) return std::nullopt;
        const auto path = dirs.files / base_name(projector.file);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) return std::nullopt;
        return CachedFile{path, size_of(path)};
    }
    if (dirs.hub.empty()) return std::nullopt;
    const auto files = snapshot_files(dirs.hub, hf.repo);
    const auto* model = best_model(files, hf.quant);
    if (!model) return std::nullopt;
    const auto* best = best_projector(files, model->path);
    if (!best) return std::nullopt;
    return CachedFile{best->local, size_of(best->local)};
}

LocalModelFiles local_model_files(const HfCacheDirs& dirs, const config::Model& model) {
    LocalModelFiles files{model.gguf, model.mmproj, std::nullopt, std::nullopt};
    if (!model.hf) return files;
    files.hf_model = cached_hf_model(dirs, *model.hf);
    files.gguf = files.hf_model ? files.hf_model->path : std::filesystem::path();
    if (model.mmproj_hf) {
        files.hf_projector = cached_hf_projector(dirs, *model.hf, *model.mmproj_hf);
        files.mmproj = files.hf_projector ? files.hf_projector->path : std::filesystem::path();
    }
    return files;
}

bool hf_download_pending(const HfCacheDirs& dirs, const config::Model& model) {
    if (!model.hf) return false;
    if (!cached_hf_model(dirs, *model.hf)) return true;
    return model.mmproj_hf && !cached_hf_projector(dirs, *model.hf, *model.mmproj_hf);
}

}  // namespace tunecap::server
