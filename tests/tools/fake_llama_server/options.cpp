// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace tunecap::fake_llama_server {
namespace {

// A value the real server would reject; the message follows common/arg.cpp's wording.
struct BadValue : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Flag {
    std::vector<std::string_view> names;
    std::string_view value_name;  // empty: the flag takes no value
    std::string_view help;
    std::function<void(Options&, const std::string&)> apply;
};

int to_int(const std::string& value) {
    std::size_t used = 0;
    int number = 0;
    try {
        number = std::stoi(value, &used);
    } catch (const std::exception&) {
        throw BadValue("stoi");
    }
    if (used != value.size()) throw BadValue("stoi");
    return number;
}

std::string one_of(const std::string& value, std::initializer_list<std::string_view> allowed, std::string_view what) {
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        throw BadValue(fmt::format("unknown value for {}: '{}'", what, value));
    }
    return value;
}

std::string cache_type(const std::string& value) {
    static constexpr std::string_view kTypes[] = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"};
    if (std::find(std::begin(kTypes), std::end(kTypes), value) == std::end(kTypes)) {
        throw BadValue("Unsupported cache type: " + value);
    }
    return value;
}

std::string trimmed(std::string text) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
    text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
    return text;
}

void add_keys_from_list(Options& options, const std::string& list) {
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        auto key = trimmed(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!key.empty()) options.api_keys.push_back(std::move(key));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
}

// llama-server reads one key a line; the key is trimmed so a trailing newline or CR is not part of it.
void add_keys_from_file(Options& options, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw BadValue(fmt::format("failed to open file '{}'", path));
    for (std::string line; std::getline(in, line);) {
        auto key = trimmed(line);
        if (!key.empty()) options.api_keys.push_back(std::move(key));
    }
}

void ignore(Options&, const std::string&) {}

const std::vector<Flag>& flags() {
    using O = Options;
    using S = const std::string&;
    static const std::vector<Flag> table = {
        {{"-h", "--help", "--usage"}, "", "print this list and exit", ignore},
        {{"-m", "--model"}, "FNAME", "model path (must be readable)", [](O& o, S v) { o.model = v; }},
        {{"-mm", "--mmproj"}, "FILE", "multimodal projector; readable -> modalities.audio true", [](O& o, S v) { o.mmproj = v; }},
        {{"-hf", "-hfr", "--hf-repo"}, "<user>/<model>[:quant]", "model from llama-server's cache, never downloaded", [](O& o, S v) {
             const auto repo = v.substr(0, v.find(':'));
             if (std::count(repo.begin(), repo.end(), '/') != 1) throw BadValue("error: invalid HF repo format, expected <user>/<model>[:quant]");
             o.hf_repo = v;
         }},
        {{"-mmu", "--mmproj-url"}, "URL", "projector from the cache by the URL's file name", [](O& o, S v) { o.mmproj_url = v; }},
        {{"--mmproj-auto"}, "", "with -hf, the repo's projector too (default)", [](O& o, S) { o.mmproj_auto = true; }},
        {{"--no-mmproj", "--no-mmproj-auto"}, "", "with -hf, no projector", [](O& o, S) { o.mmproj_auto = false; }},
        {{"--mmproj-offload", "--no-mmproj-offload"}, "", "accepted, no effect", ignore},
        {{"-c", "--ctx-size"}, "N", "total context; each slot gets c / np", [](O& o, S v) { o.ctx_size = to_int(v); }},
        {{"-np", "--parallel"}, "N", "slots (-1 = auto: 4 slots, unified KV)", [](O& o, S v) { o.parallel = to_int(v); }},
        {{"-kvu", "--kv-unified"}, "", "every slot may use the whole context", [](O& o, S) { o.kv_unified = true; }},
        {{"-no-kvu", "--no-kv-unified"}, "", "per-slot context c / np", [](O& o, S) { o.kv_unified = false; }},
        {{"-b", "--batch-size"}, "N", "logical batch", [](O& o, S v) { o.batch = to_int(v); }},
        {{"-ub", "--ubatch-size"}, "N", "physical batch (prefill chunk)", [](O& o, S v) { o.ubatch = to_int(v); }},
        {{"-ctk", "--cache-type-k"}, "TYPE", "f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1", [](O& o, S v) { o.cache_type_k = cache_type(v); }},
        {{"-ctv", "--cache-type-v"}, "TYPE", "as -ctk; a quantized V cache needs -fa on|auto", [](O& o, S v) { o.cache_type_v = cache_type(v); }},
        {{"-ngl", "--gpu-layers", "--n-gpu-layers"}, "N", "number, auto or all", [](O& o, S v) {
             if (v != "auto" && v != "all") to_int(v);
             o.gpu_layers = v;
         }},
        {{"-fa", "--flash-attn"}, "on|off|auto", "flash attention", [](O& o, S v) {
             one_of(v, {"on", "off", "auto", "1", "0", "-1"}, "--flash-attn");
             o.flash_attn = v == "1" ? "on" : v == "0" ? "off" : v == "-1" ? "auto" : v;
         }},
        {{"-fit", "--fit"}, "on|off", "auto-fit to device memory", [](O& o, S v) { o.fit = one_of(v, {"on", "off"}, "--fit"); }},
        {{"-fitt", "--fit-target"}, "MiB", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"-fitc", "--fit-ctx"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"--jinja"}, "", "use the model's Jinja template (default)", [](O& o, S) { o.jinja = true; }},
        {{"--no-jinja"}, "", "legacy templates: no reasoning parsing", [](O& o, S) { o.jinja = false; }},
        {{"--webui", "--ui"}, "", "web UI (not served)", [](O& o, S) { o.webui = true; }},
        {{"--no-webui", "--no-ui"}, "", "no web UI", [](O& o, S) { o.webui = false; }},
        {{"--host"}, "HOST", "address to bind", [](O& o, S v) { o.host = v; }},
        {{"--port"}, "PORT", "port to bind; 0 = any free port", [](O& o, S v) { o.port = to_int(v); }},
        {{"--api-key"}, "KEY", "API key(s), comma separated", add_keys_from_list},
        {{"--api-key-file"}, "FNAME", "file with one API key a line", add_keys_from_file},
        {{"-a", "--alias"}, "NAME", "model name reported by the API", [](O& o, S v) { o.alias = v; }},
        {{"-t", "--threads"}, "N", "accepted, no effect", [](O& o, S v) { o.threads = to_int(v); }},
        {{"-tb", "--threads-batch"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"--threads-http"}, "N", "HTTP worker threads", [](O& o, S v) { o.threads_http = to_int(v); }},
        {{"--metrics"}, "", "enable GET /metrics", [](O& o, S) { o.metrics = true; }},
        {{"--slots"}, "", "enable GET /slots (default)", [](O& o, S) { o.slots = true; }},
        {{"--no-slots"}, "", "disable GET /slots", [](O& o, S) { o.slots = false; }},
        {{"--props"}, "", "allow POST /props", [](O& o, S) { o.props = true; }},
        {{"-to", "--timeout"}, "N", "HTTP read/write timeout in seconds", [](O& o, S v) { o.timeout_s = to_int(v); }},
        {{"--log-file"}, "FNAME", "also write the log to this file", [](O& o, S v) { o.log_file = v; }},
        {{"--log-disable"}, "", "no log output", [](O& o, S) { o.log_disable = true; }},
        {{"--log-timestamps", "--log-prefix", "-v", "--verbose", "--log-verbose"}, "", "accepted, no effect", ignore},
        {{"--log-colors"}, "on|off|auto", "accepted, no effect", [](O&, S v) { one_of(v, {"on", "off", "auto"}, "--log-colors"); }},
        {{"-lv", "--verbosity", "--log-verbosity"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"--reasoning-format"}, "FORMAT", "none, deepseek, deepseek-legacy or auto", [](O& o, S v) {
             o.reasoning_format = one_of(v, {"none", "deepseek", "deepseek-legacy", "auto"}, "--reasoning-format");
         }},
        {{"--reasoning-budget"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"--chat-template-kwargs"}, "JSON", "server-wide template kwargs (a JSON object)", [](O& o, S v) {
             auto parsed = nlohmann::json::parse(v, nullptr, false);
             if (!parsed.is_object()) throw BadValue("invalid JSON object for --chat-template-kwargs");
             o.chat_template_kwargs = std::move(parsed);
         }},
        {{"--chat-template", "--chat-template-file"}, "TEMPLATE", "accepted, no effect", ignore},
        {{"-cb", "--cont-batching", "-nocb", "--no-cont-batching"}, "", "accepted, no effect", ignore},
        {{"--context-shift", "--no-context-shift"}, "", "accepted, no effect", ignore},
        {{"--cache-ram", "-cram"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"-s", "--seed"}, "N", "accepted, no effect", [](O&, S v) { to_int(v); }},
        {{"--mmap", "--no-mmap", "--mlock"}, "", "accepted, no effect", ignore},
        {{"--no-warmup"}, "", "accepted, no effect", ignore},
    };
    return table;
}

const Flag* find_flag(std::string_view name) {
    for (const auto& flag : flags()) {
        if (std::find(flag.names.begin(), flag.names.end(), name) != flag.names.end()) return &flag;
    }
    return nullptr;
}

std::string help_text() {
    std::string text = "fake-llama-server: a protocol-faithful stand-in for llama-server (tests only)\n\n";
    for (const auto& flag : flags()) {
        std::string names;
        for (const auto& name : flag.names) names += (names.empty() ? "" : ", ") + std::string(name);
        if (!flag.value_name.empty()) names += " " + std::string(flag.value_name);
        text += fmt::format("  {:<44} {}\n", names, flag.help);
    }
    return text;
}

}  // namespace

ParseOutcome parse_options(const std::vector<std::string>& args) {
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const Flag* flag = find_flag(arg);
        if (flag == nullptr) return ArgError{"error: invalid argument: " + arg};
        if (flag->names.front() == "-h") return HelpRequested{help_text()};
        std::string value;
        if (!flag->value_name.empty()) {
            if (i + 1 >= args.size()) {
                return ArgError{fmt::format("error while handling argument \"{}\": expected value for argument", arg)};
            }
            value = args[++i];
        }
        try {
            flag->apply(options, value);
        } catch (const std::exception& error) {
            return ArgError{fmt::format("error while handling argument \"{}\": {}", arg, error.what())};
        }
    }
    if (options.parallel < 0) options.kv_unified = true;
    return options;
}

}  // namespace tunecap::fake_llama_server
