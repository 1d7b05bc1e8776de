// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the config loader: the input is a user's --config file, layered over the
// built-in default as `tunecap` does. Whatever the bytes, load_layers returns (no crash, hang or
// runaway memory) either an error that names the file, or a config that holds what
// load() promises (config.hpp): every phase's models and prompts exist, a model that must hear
// audio can, and inputs come before their users. Aborts with the input when not.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/text.hpp"

namespace {

using namespace tunecap;

constexpr std::string_view kUserLabel = "/fuzz/user.yaml";
constexpr std::string_view kDefaultLabel = "configs/default.yaml (built in)";

[[noreturn]] void fail(const std::string& what, std::string_view input) {
    std::fprintf(stderr, "config_fuzz: %s\ninput: %s\n", core::escape_for_terminal(what).c_str(),
                 core::escape_for_terminal(input).c_str());
    std::abort();
}

// A fixed environment: ${HOME}, ${TUNECAP_MODELS} and ~ expand; any other variable is unset.
std::optional<std::string> environment(const std::string& name) {
    if (name == "HOME") return "/home/fuzz";
    if (name == "TUNECAP_MODELS") return "/models";
    return std::nullopt;
}

void check_config(const config::Config& c, std::string_view input) {
    if (c.prompts.empty()) fail("a config without prompts", input);
    if (c.effective.empty()) fail("a config without effective values", input);
    for (std::size_t i = 0; i < c.phases.size(); ++i) {
        const auto& phase = c.phases[i];
        if (c.find_phase(phase.id) != &phase) fail("duplicate phase id " + phase.id, input);
        const auto& info = config::describe(phase.kind);
        if (info.model && phase.models.empty()) fail("phase " + phase.id + " runs no model", input);
        for (const auto& name : phase.models) {
            const auto* model = c.find_model(name);
            if (!model) fail("phase " + phase.id + " names an unknown model " + name, input);
            if (info.audio && !model->takes_audio()) fail("phase " + phase.id + " sends audio to " + name, input);
        }
        for (const auto& prompt : phase.prompts) {
            if (!c.find_prompt(prompt)) fail("phase " + phase.id + " names an unknown prompt " + prompt, input);
        }
        for (const auto& input_id : phase.inputs) {
            bool earlier = false;
            for (std::size_t k = 0; k < i; ++k) earlier = earlier || c.phases[k].id == input_id;
            if (!earlier) fail("phase " + phase.id + " comes before its input " + input_id, input);
        }
    }
    for (const auto& model : c.models) {
        if (model.gguf.empty() && !model.hf && !model.external()) fail("model " + model.name + " has neither gguf, hf nor an endpoint", input);
    }
}

// The message may quote the input, newlines and escape sequences included (yaml-cpp's "unknown
// escape character: <the byte>"): core::Log escapes what it prints, so it is one line where it is
// shown, and it is not checked here.
void check_error(const std::string& message, std::string_view input) {
    if (message.empty()) fail("an empty error", input);
    if (!message.starts_with(std::string(kUserLabel) + ":") && !message.starts_with(std::string(kDefaultLabel) + ":")) {
        fail("an error that names no file: " + message, input);
    }
    // Quoting the input back is fine; growing far beyond it (an alias expanded into the message) is not.
    if (message.size() > 4096 + 2 * input.size()) fail("an error of " + std::to_string(message.size()) + " bytes", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::vector<config::Layer> layers = {
        {std::string(kDefaultLabel), std::string(config::default_config_text()), "/fuzz/built-in"},
        {std::string(kUserLabel), std::string(input), "/fuzz"},
    };
    const auto loaded = config::load_layers(layers, environment);
    if (loaded.ok()) {
        check_config(loaded.value(), input);
    } else {
        check_error(loaded.error().message, input);
    }
    return 0;
}
