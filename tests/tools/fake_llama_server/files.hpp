// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The files the fake leaves for tests. Each line goes out in one O_APPEND write, so concurrent
// requests (and several fake processes sharing a counter file) never interleave within a line.

#include <string>
#include <vector>

namespace tunecap::fake_llama_server {

void append_line(const std::string& path, const std::string& line);
void write_lines(const std::string& path, const std::vector<std::string>& lines);
// Replaces the file with `text`; nothing when path is empty.
void write_text(const std::string& path, const std::string& text);
bool readable_file(const std::string& path);

}  // namespace tunecap::fake_llama_server
