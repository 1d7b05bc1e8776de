// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/step_identity.hpp"

#include <fmt/format.h>

#include "core/hash.hpp"

namespace tunecap::pipeline {
namespace {

std::string escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out.push_back(c);
    }
    return out;
}

template <class T>
std::string optional_text(const std::optional<T>& value) {
    return value ? fmt::format("{}", *value) : std::string("-");
}

class Lines {
public:
    void add(std::string_view name, std::string_view value) {
        m_text.append(name).append("=").append(escaped(value)).append("\n");
    }
    void add_list(std::string_view name, const std::vector<std::string>& values) {
        add(std::string(name) + ".count", std::to_string(values.size()));
        for (const auto& value : values) add(name, value);
    }
    std::string take() { return std::move(m_text); }

private:
    std::string m_text;
};

}  // namespace

std::string StepIdentity::canonical() const {
    Lines lines;
    lines.add("tunecap-step-identity", std::to_string(kFormat));
    lines.add("producer", producer);
    lines.add("model_file", model_file);
    lines.add("projector_file", projector_file);
    lines.add("family", family);
    lines.add("request_path", request_path);
    lines.add("prompt", prompt);
    lines.add("temperature", optional_text(sampling.temperature));
    lines.add("top_p", optional_text(sampling.top_p));
    lines.add("top_k", optional_text(sampling.top_k));
    lines.add("min_p", optional_text(sampling.min_p));
    lines.add("repeat_penalty", optional_text(sampling.repeat_penalty));
    lines.add("seed", optional_text(sampling.seed));
    lines.add("max_tokens", optional_text(sampling.max_tokens));
    lines.add("cache_type_k", cache_type_k);
    lines.add("cache_type_v", cache_type_v);
    lines.add_list("server_arg", server_args);
    lines.add("audio_sha256", audio_sha256);
    lines.add("audio_cut_at", optional_text(audio_cut_at));
    if (!audio_encoding.empty()) lines.add("audio_encoding", audio_encoding);
    lines.add_list("input_key", input_keys);
    return lines.take();
}

std::string StepIdentity::key() const { return core::sha256_hex(canonical()); }

}  // namespace tunecap::pipeline
