// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reads the real llama-server recordings in tests/data/transcripts/ (their provenance is in
// tests/data/README.md).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tunecap::testing {

struct RecordedResponse {
    int status = 0;
    std::string content_type;
    std::string body;
};

inline std::filesystem::path transcript_dir() {
    return std::filesystem::path(TUNECAP_TEST_DATA) / "transcripts";
}

// "HTTP/1.1 400 Bad Request\r\n...headers...\r\n\r\nbody"
inline RecordedResponse read_recorded_response(const std::string& name) {
    std::ifstream in(transcript_dir() / (name + ".response.txt"), std::ios::binary);
    if (!in) throw std::runtime_error("missing transcript " + name);
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    while (all.starts_with("#")) all.erase(0, all.find('\n') + 1);  // recorder's comment lines
    RecordedResponse out;
    out.status = std::stoi(all.substr(all.find(' ') + 1, 3));
    const auto split = all.find("\r\n\r\n");
    const auto headers = all.substr(0, split);
    out.body = split == std::string::npos ? "" : all.substr(split + 4);
    const auto type = headers.find("Content-Type: ");
    if (type != std::string::npos) out.content_type = headers.substr(type + 14, headers.find("\r\n", type) - type - 14);
    return out;
}

}  // namespace tunecap::testing
