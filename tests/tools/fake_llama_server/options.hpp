// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The command line of the fake llama-server: the flags tunecap passes plus an allow-list of other
// real llama-server flags (README.md lists them). One table drives parsing and --help.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tunecap::fake_llama_server {

struct Options {
    std::string model;                // -m, or the file -hf names; required
    std::string mmproj;               // --mmproj; empty: text-only server
    std::string hf_repo;              // -hf owner/repo[:quant]: the model from the cache (hf_cache.hpp)
    std::string mmproj_url;           // -mmu: the projector from the cache, by the URL's file name
    bool mmproj_auto = true;          // with -hf, the repo's projector too; --no-mmproj: not
    int ctx_size = 0;                 // -c; 0 = the model's training context
    int parallel = -1;                // -np; -1 = auto: 4 slots sharing one unified KV cache
    bool kv_unified = false;          // -kvu, or implied by -np auto
    int batch = 2048;                 // -b
    int ubatch = 512;                 // -ub; prefill is simulated in chunks of this many tokens
    std::string cache_type_k = "f16";
    std::string cache_type_v = "f16";
    std::string gpu_layers = "auto";  // -ngl: a number, auto or all
    std::string flash_attn = "auto";  // -fa: on, off or auto (1, 0, -1)
    std::string fit = "on";           // --fit
    bool jinja = true;                // --jinja is the default in 2026 builds
    bool webui = true;
    std::string host = "127.0.0.1";
    int port = 8080;                  // 0: the OS picks a free port (logged, and written to FAKE_LLAMA_PORT_FILE)
    std::vector<std::string> api_keys;  // --api-key (comma list) and --api-key-file (one key a line)
    std::string alias;
    int threads = -1;
    int threads_http = -1;
    bool metrics = false;
    bool slots = true;
    bool props = false;               // --props: POST /props allowed
    int timeout_s = 600;              // --timeout: HTTP read/write timeout
    std::string log_file;
    bool log_disable = false;
    std::string reasoning_format = "auto";  // server default for chat requests
    nlohmann::json chat_template_kwargs = nlohmann::json::object();  // server-wide template kwargs
};

// A command line the real server would refuse: `message` is what it prints (to stderr), exit 1.
struct ArgError {
    std::string message;
};
struct HelpRequested {
    std::string text;
};

using ParseOutcome = std::variant<Options, ArgError, HelpRequested>;

// Parses argv[1..]. Values are checked the way llama-server checks them (numbers, enum values,
// cache types, the api key file); unknown flags give "error: invalid argument: X".
ParseOutcome parse_options(const std::vector<std::string>& args);

}  // namespace tunecap::fake_llama_server
