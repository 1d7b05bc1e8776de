// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/hash.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace tunecap::core {
namespace {

struct DigestDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

DigestContext new_sha256() {
    DigestContext ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw Failure("OpenSSL could not start a SHA-256 digest");
    }
    return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx, digest.data(), &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0xF]);
    }
    return out;
}

}  // namespace

Result<std::string> sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path.string() + ": cannot open: " + std::strerror(errno)};
    auto ctx = new_sha256();
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) return Error{path.string() + ": read error"};
    return finish_hex(ctx.get());
}

Result<std::string> file_fingerprint(const std::filesystem::path& path, std::uint64_t head_bytes,
                                     std::uint64_t tail_bytes) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return Error{path.string() + ": cannot open: " + std::strerror(errno)};
    const auto size = static_cast<std::uint64_t>(in.tellg());
    auto ctx = new_sha256();
    std::vector<char> buffer(1 << 16);
    auto hash_range = [&](std::uint64_t from, std::uint64_t to) {
        in.seekg(static_cast<std::streamoff>(from));
        for (auto at = from; at < to && in;) {
            const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(buffer.size(), to - at));
            in.read(buffer.data(), want);
            if (in.gcount() <= 0) break;
            EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
            at += static_cast<std::uint64_t>(in.gcount());
        }
    };
    const auto head_end = std::min(size, head_bytes);
    hash_range(0, head_end);
    hash_range(std::max(head_end, size > tail_bytes ? size - tail_bytes : 0), size);
    if (in.bad()) return Error{path.string() + ": read error"};
    return std::to_string(size) + ":" + finish_hex(ctx.get());
}

std::string sha256_hex(std::string_view data) {
    auto ctx = new_sha256();
    EVP_DigestUpdate(ctx.get(), data.data(), data.size());
    return finish_hex(ctx.get());
}

}  // namespace tunecap::core
