// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Text into report.html's three contexts: HTML text and attributes, JSON inside a <script> element,
// and URL paths. Captions, genres and file names are model output or user data: every byte of them
// reaches the page through one of these. Invalid UTF-8 becomes U+FFFD, one per invalid byte, in all
// three, so offsets computed with utf16_offset match what the page shows.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tunecap::html {

// For element text and double- or single-quoted attribute values: & < > " ' as character references.
void append_escaped(std::string& out, std::string_view text);
std::string escape(std::string_view text);

// A JSON string literal (quotes included) that is also safe inside <script type="application/json">:
// < > & are written \u003c \u003e \u0026, so neither "</script" nor "<!--" can appear, whatever the
// text holds; control characters are escaped.
void append_json_string(std::string& out, std::string_view text);

// The offset in UTF-16 code units (what JavaScript strings index) of byte offset `byte_offset` of
// `text`, decoded as the writers above decode it; byte offsets past the end give the length.
std::size_t utf16_offset(std::string_view text, std::size_t byte_offset);

// A relative URL path: each byte other than ASCII letters, digits, - . _ ~ and the separator / is
// percent-encoded (so ':' cannot start a scheme and '#', '?', '%' stay part of the name).
std::string percent_encode_path(const std::filesystem::path& path);

}  // namespace tunecap::html
