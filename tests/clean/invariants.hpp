// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The contract every caption must meet (clean/clean.hpp), as gtest assertions.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "clean/clean.hpp"

namespace tunecap::clean::testing {

inline bool is_t5_char(char c) {
    constexpr std::string_view kPunctuation = ".,;:!?'\"()-/&%+#";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || kPunctuation.find(c) != std::string_view::npos;
}

// Only T5 characters, one line, collapsed spaces, a final period, within the budget; no_answer only
// without a caption; a fixed point of clean_caption.
inline void expect_contract(const CleanResult& result, const CleanOptions& options,
                            std::string_view context) {
    SCOPED_TRACE(std::string(context));
    const std::string& caption = result.caption;
    for (char c : caption) {
        EXPECT_TRUE(is_t5_char(c)) << "character " << static_cast<int>(c) << " in: " << caption;
    }
    EXPECT_EQ(result.usable(), !caption.empty());
    EXPECT_EQ(result.has(Flag::empty), caption.empty());
    if (result.has(Flag::no_answer)) {
        EXPECT_TRUE(caption.empty()) << "no_answer with a caption: " << caption;
    }
    if (options.max_t5_tokens) {
        EXPECT_LE(result.t5_tokens, *options.max_t5_tokens) << caption;
    }
    if (!caption.empty()) {
        EXPECT_EQ(caption.back(), '.') << caption;
        EXPECT_EQ(caption.find("  "), std::string::npos) << caption;
        EXPECT_NE(caption.front(), ' ') << caption;
    }
    EXPECT_EQ(clean_caption(caption, options).caption, caption) << "not idempotent";
}

}  // namespace tunecap::clean::testing
