// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A Hugging Face hub cache as llama-server's -hf leaves it (common/hf-cache.cpp, 2026-04):
//   HUB/models--OWNER--REPO/refs/main                        the snapshot's commit
//   HUB/models--OWNER--REPO/blobs/ID                         the bytes
//   HUB/models--OWNER--REPO/snapshots/COMMIT/PATH -> ../../blobs/ID   (a relative link)
// Tests write one into a temp folder (LLAMA_CACHE) so nothing is ever downloaded.

#include <filesystem>
#include <string>

#include "files.hpp"

namespace tunecap::testing {

inline constexpr const char* kHfTestCommit = "0123456789abcdef0123456789abcdef01234567";

inline std::filesystem::path hf_repo_folder(const std::filesystem::path& hub, const std::string& repo) {
    std::string folder = "models--";
    for (const char c : repo) folder += c == '/' ? std::string("--") : std::string(1, c);
    return hub / folder;
}

// The blob that holds PATH of REPO (its folder made): write the file there (write_tiny_gguf,
// write_bytes), then link_hf_cached_file. The blob is named after the path, enough to keep a
// test's files apart.
inline std::filesystem::path hf_blob_path(const std::filesystem::path& hub, const std::string& repo, const std::string& path) {
    std::string blob_id = path;
    for (auto& c : blob_id) c = c == '/' ? '_' : c;
    std::filesystem::create_directories(hf_repo_folder(hub, repo) / "blobs");
    return hf_repo_folder(hub, repo) / "blobs" / blob_id;
}

// Links PATH of REPO's snapshot to its blob and points refs/main at the snapshot. Returns the
// link, the path llama-server opens.
inline std::filesystem::path link_hf_cached_file(const std::filesystem::path& hub, const std::string& repo, const std::string& path) {
    namespace fs = std::filesystem;
    write_bytes(hf_repo_folder(hub, repo) / "refs" / "main", kHfTestCommit);
    const auto link = hf_repo_folder(hub, repo) / "snapshots" / kHfTestCommit / path;
    fs::create_directories(link.parent_path());
    fs::create_symlink(fs::relative(hf_blob_path(hub, repo, path), link.parent_path()), link);
    return link;
}

inline std::filesystem::path write_hf_cached_file(const std::filesystem::path& hub, const std::string& repo,
                                                  const std::string& path, const std::string& bytes) {
    write_bytes(hf_blob_path(hub, repo, path), bytes);
    return link_hf_cached_file(hub, repo, path);
}

}  // namespace tunecap::testing
