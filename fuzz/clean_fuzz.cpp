// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for clean_caption. Input: byte 0 picks the family (low seven bits) and whether
// the output was cut by the token limit (high bit), byte 1 a token budget (0 = none), the rest is
// the raw model output. Checks the module's contract (clean/clean.hpp) and aborts with the
// offending caption when it does not hold.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "clean/clean.hpp"

namespace {

using tunecap::clean::CleanOptions;
using tunecap::clean::CleanResult;
using tunecap::clean::Flag;

[[noreturn]] void fail(const char* what, std::string_view raw, const std::string& caption) {
    std::fprintf(stderr, "clean_fuzz: %s\nraw: %.*s\ncaption: %s\n", what,
                 static_cast<int>(raw.size()), raw.data(), caption.c_str());
    std::abort();
}

bool is_allowed(char c) {
    constexpr std::string_view kPunctuation = ".,;:!?'\"()-/&%+#";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || kPunctuation.find(c) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    CleanOptions options;
    options.family = tunecap::clean::kAllFamilies[(data[0] & 0x7F) % tunecap::clean::kAllFamilies.size()];
    options.cut_off = (data[0] & 0x80) != 0;
    // Budgets 1..64 cover "cut to the first word" up to typical encoder lengths.
    constexpr int kMaxFuzzBudget = 64;
    if (data[1] != 0) options.max_t5_tokens = 1 + data[1] % kMaxFuzzBudget;
    const std::string_view raw(reinterpret_cast<const char*>(data) + 2, size - 2);

    const CleanResult result = tunecap::clean::clean_caption(raw, options);
    const std::string& caption = result.caption;
    for (char c : caption) {
        if (!is_allowed(c)) fail("character outside the T5 alphabet", raw, caption);
    }
    if (result.usable() != !caption.empty() || result.has(Flag::empty) != caption.empty()) {
        fail("usable()/empty disagree with the caption", raw, caption);
    }
    if (!caption.empty()) {
        if (caption.back() != '.') fail("caption does not end with a period", raw, caption);
        if (caption.front() == ' ' || caption.find("  ") != std::string::npos) {
            fail("whitespace not collapsed", raw, caption);
        }
    }
    // The budget is a promise whatever the input: no run of brackets or long word may break it.
    if (options.max_t5_tokens && result.t5_tokens > *options.max_t5_tokens) {
        fail("over the token budget", raw, caption);
    }
    if (result.has(Flag::no_answer) && !caption.empty()) fail("no_answer with a caption", raw, caption);
    const CleanResult again = tunecap::clean::clean_caption(caption, options);
    if (again.caption != caption) {
        fail(("not idempotent; second pass: " + again.caption).c_str(), raw, caption);
    }
    return 0;
}
