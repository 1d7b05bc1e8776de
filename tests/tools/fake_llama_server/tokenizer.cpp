// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenizer.hpp"

#include <array>
#include <utility>

namespace tunecap::fake_llama_server {
namespace {

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_blank(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Length of a special token starting at `at`, or 0.
std::size_t special_length(std::string_view text, std::size_t at) {
    const auto rest = text.substr(at);
    if (rest.starts_with("<think>")) return 7;
    if (rest.starts_with("</think>")) return 8;
    if (!rest.starts_with("<|")) return 0;
    constexpr std::size_t kLongestName = 40;
    for (std::size_t i = 2; i < rest.size() && i < kLongestName; ++i) {
        const auto c = static_cast<unsigned char>(rest[i]);
        if (c == '|') return (i > 2 && i + 1 < rest.size() && rest[i + 1] == '>') ? i + 2 : 0;
        if (!is_letter(c) && !is_digit(c) && c != '_' && c != '-' && c != '.') return 0;
    }
    return 0;
}

// Length of the word, number or punctuation run starting at `at` (not a blank, not special).
std::size_t body_length(std::string_view text, std::size_t at) {
    const auto first = static_cast<unsigned char>(text[at]);
    std::size_t end = at + 1;
    if (is_letter(first)) {
        while (end < text.size() && is_letter(static_cast<unsigned char>(text[end]))) ++end;
    } else if (is_digit(first)) {
        while (end < text.size() && end < at + 3 && is_digit(static_cast<unsigned char>(text[end]))) ++end;
    } else {
        while (end < text.size()) {
            const auto c = static_cast<unsigned char>(text[end]);
            if (is_letter(c) || is_digit(c) || is_blank(c) || special_length(text, end) != 0) break;
            ++end;
        }
    }
    return end - at;
}

}  // namespace

std::vector<std::string> split_pieces(std::string_view text) {
    std::vector<std::string> pieces;
    std::size_t at = 0;
    while (at < text.size()) {
        if (const auto special = special_length(text, at)) {
            pieces.emplace_back(text.substr(at, special));
            at += special;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[at]);
        if (c == ' ') {
            std::size_t end = at;
            while (end < text.size() && text[end] == ' ') ++end;
            const bool word_follows = end < text.size() && !is_blank(static_cast<unsigned char>(text[end])) && special_length(text, end) == 0;
            if (!word_follows) {
                pieces.emplace_back(text.substr(at, end - at));
                at = end;
                continue;
            }
            if (end - at > 1) pieces.emplace_back(text.substr(at, end - 1 - at));  // spaces before the last one
            const auto body = body_length(text, end);
            pieces.emplace_back(text.substr(end - 1, body + 1));
            at = end + body;
            continue;
        }
        if (is_blank(c)) {
            std::size_t end = at;
            while (end < text.size() && is_blank(static_cast<unsigned char>(text[end])) && text[end] != ' ') ++end;
            pieces.emplace_back(text.substr(at, end - at));
            at = end;
            continue;
        }
        const auto body = body_length(text, at);
        pieces.emplace_back(text.substr(at, body));
        at += body;
    }
    return pieces;
}

std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed) {
    std::uint64_t hash = seed;
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::int32_t token_id(std::string_view piece) {
    // Ids of the Qwen2 vocabulary for the tokens the recordings show; other special tokens land
    // above it, ordinary pieces below 50000.
    static constexpr std::array<std::pair<std::string_view, std::int32_t>, 5> kSpecial = {{
        {"<|endoftext|>", 50256}, {"<|im_start|>", 50257}, {"<|im_end|>", 50258}, {"<think>", 50259}, {"</think>", 50260},
    }};
    for (const auto& [text, id] : kSpecial) {
        if (piece == text) return id;
    }
    const auto hash = fnv1a64(piece);
    if (piece.starts_with("<|") && piece.ends_with("|>")) return 50261 + static_cast<std::int32_t>(hash % 1000);
    return static_cast<std::int32_t>(hash % 50000);
}

std::uint64_t token_key(std::string_view piece) { return fnv1a64(piece); }

}  // namespace tunecap::fake_llama_server
