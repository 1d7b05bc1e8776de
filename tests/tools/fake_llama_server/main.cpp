// SPDX-License-Identifier: GPL-3.0-or-later
// fake-llama-server: a protocol-faithful stand-in for llama.cpp's llama-server, for tunecap's
// tests and benchmarks (README.md beside this file). Lifecycle as recorded: bind the port, answer
// 503 "Loading model" while loading, then 200 /health; SIGTERM exits 0, a second signal exits 1.

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <httplib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <thread>

#include "context.hpp"
#include "files.hpp"
#include "hf_cache.hpp"
#include "handlers.hpp"
#include "http_util.hpp"
#include "prompt.hpp"

namespace tunecap::fake_llama_server {
namespace {

// How long a shutdown waits for the HTTP workers before ending the process anyway: requests in
// flight never get a reply (as with the real server), and idle keep-alive connections would
// otherwise hold a worker for up to 5 s. Long enough for an idle server to exit cleanly.
constexpr auto kShutdownGrace = std::chrono::milliseconds(150);
// How often the lifecycle thread checks for signals, idleness and a dead parent.
constexpr timespec kLifecycleTick{0, 50'000'000};

// SIGTERM and SIGINT are handled by the lifecycle thread (sigtimedwait); blocking them before any
// thread starts keeps every other thread from receiving them.
sigset_t block_shutdown_signals(const Faults& faults) {
    ::signal(SIGPIPE, SIG_IGN);  // a client that went away must not kill the server
    sigset_t set;
    sigemptyset(&set);
    if (faults.ignore_sigterm) {
        ::signal(SIGTERM, SIG_IGN);
        ::signal(SIGINT, SIG_IGN);
    } else {
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
    }
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

// Signals, the idle exit and the parent's death, on one thread.
class Lifecycle {
public:
    Lifecycle(sigset_t signals, pid_t parent, ServerContext& context, httplib::Server& server)
        : m_signals(signals), m_parent(parent), m_context(context), m_server(server) {}
    ~Lifecycle() { finish(); }
    Lifecycle(const Lifecycle&) = delete;
    Lifecycle& operator=(const Lifecycle&) = delete;

    void start() { m_thread = std::thread([this] { run(); }); }
    // main() is done with the server (clean exit): stop watching.
    void finish() {
        m_finished = true;
        if (m_thread.joinable()) m_thread.join();
    }

private:
    void run() {
        int received = 0;
        std::optional<std::chrono::steady_clock::time_point> exit_at;
        while (!m_finished) {
            const int signal = sigtimedwait(&m_signals, nullptr, &kLifecycleTick);
            const auto now = std::chrono::steady_clock::now();
            if (signal > 0) {
                if (++received >= 2) {
                    m_context.log.plain("Received second interrupt, terminating immediately.");
                    ::_exit(1);
                }
                m_context.log.info(srv("operator()", "operator(): cleaning up before exit..."));
                // sigterm_hang: the deadlock seen in 3 of 17 busy runs; only a second signal ends it.
                if (!m_context.settings.faults.sigterm_hang) exit_at = shut_down(now);
                continue;
            }
            if (!m_context.settings.ignore_parent && ::getppid() != m_parent) {
                m_context.log.plain("fake-llama-server: the parent process is gone, exiting");
                ::_exit(1);
            }
            const auto idle_ms = ServerContext::now_ms() - m_context.last_activity_ms;
            if (!exit_at && m_context.in_flight == 0 && static_cast<double>(idle_ms) >= m_context.settings.idle_exit_s * 1000.0) {
                m_context.log.plain(fmt::format("fake-llama-server: no request for {} s (FAKE_LLAMA_IDLE_EXIT_S), exiting", m_context.settings.idle_exit_s));
                exit_at = shut_down(now);
            }
            if (exit_at && now >= *exit_at) ::_exit(0);
        }
    }

    std::chrono::steady_clock::time_point shut_down(std::chrono::steady_clock::time_point now) {
        m_context.engine.stop();
        m_server.stop();
        return now + kShutdownGrace;
    }

    sigset_t m_signals;
    pid_t m_parent;
    ServerContext& m_context;
    httplib::Server& m_server;
    std::thread m_thread;
    std::atomic<bool> m_finished{false};
};

void log_bind_failure(Logger& log, const Options& options) {
    log.error(srv("start", fmt::format("couldn't bind HTTP server socket, hostname: {}, port: {}", options.host, options.port)));
    log.error(srv("llama_server", "exiting due to HTTP server error"));
}

// port_taken_once: the first start that finds no marker creates it and fails like a taken port.
bool port_taken_now(const Settings& settings) {
    if (settings.faults.port_taken) return true;
    if (!settings.faults.port_taken_once) return false;
    const auto marker = std::filesystem::path(settings.state_dir) / "port_taken";
    if (std::filesystem::exists(marker)) return false;
    append_line(marker.string(), std::to_string(::getpid()));
    return true;
}

std::string random_media_marker() {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::mt19937_64 random{std::random_device{}()};
    std::string marker = "<__media_";
    for (int i = 0; i < 32; ++i) marker += kAlphabet[random() % kAlphabet.size()];
    return marker + "__>";
}

void log_load_failure(Logger& log, const std::string& cause, const std::string& model) {
    log.error("llama_model_load: error loading model: " + cause);
    log.error("llama_model_load_from_file_impl: failed to load model");
    log.error(srv("load_model", fmt::format("failed to load model, '{}'", model)));
    log.error(srv("llama_server", "exiting due to model loading error"));
}

// The loading phase: 503 meanwhile, then the checks the real loader would fail on. Returns the
// exit code (0 also when a shutdown interrupted the load).
int load_model(const Options& options, const Settings& settings, ServerContext& context, int port) {
    auto& log = context.log;
    log.info(srv("load_model", fmt::format("loading model '{}'", options.model)));
    Pacer loading(settings.timing.time_scale, context.engine.stopping_flag());
    if (!loading.advance(static_cast<double>(settings.timing.load_ms))) return 0;
    if (settings.faults.crash_on_start) {
        log_load_failure(log, "simulated by FAKE_LLAMA_FAULT=crash_on_start", options.model);
        return 1;
    }
    if (!readable_file(options.model)) {
        log.error(fmt::format("gguf_init_from_file: failed to open GGUF file '{}' ({})", options.model,
                              std::filesystem::exists(options.model) ? "Permission denied" : "No such file or directory"));
        log_load_failure(log, "llama_model_loader: failed to load model from " + options.model, options.model);
        return 1;
    }
    const bool quantized_v = options.cache_type_v != "f16" && options.cache_type_v != "f32" && options.cache_type_v != "bf16";
    if (quantized_v && options.flash_attn == "off") {
        log.error("llama_init_from_model: V cache quantization requires flash_attn");
        log_load_failure(log, "failed to create context", options.model);
        return 1;
    }
    if (!options.mmproj.empty()) {
        if (!readable_file(options.mmproj)) {
            log.error(fmt::format("clip_model_loader: failed to open '{}'", options.mmproj));
            log.error(srv("load_model", fmt::format("failed to load multimodal model, '{}'", options.mmproj)));
            log.error(srv("llama_server", "exiting due to model loading error"));
            return 1;
        }
        log.warn("init_audio: audio input is in experimental stage and may have reduced quality:\n    https://github.com/ggml-org/llama.cpp/discussions/13759");
        log.info(srv("load_model", fmt::format("loaded multimodal model, '{}'", options.mmproj)));
    }
    // Where a real CUDA build lists its devices: which GPU this server was given, for the tests of
    // tunecap's one-server-per-GPU replicas.
    if (const char* devices = std::getenv("CUDA_VISIBLE_DEVICES")) log.info(fmt::format("fake: CUDA_VISIBLE_DEVICES={}", devices));
    log.info(srv("load_model", fmt::format("initializing, n_slots = {}, n_ctx_slot = {}, kv_unified = '{}'", context.engine.n_slots(),
                                           context.engine.n_ctx_slot(), options.kv_unified ? "true" : "false")));
    if (settings.faults.never_ready) return 0;
    context.ready = true;
    log.info(srv("llama_server", "model loaded"));
    log.info(srv("llama_server", fmt::format("listening on http://{}:{}", options.host, port)));
    return 0;
}

int run(int argc, char** argv) {
    const pid_t parent = ::getppid();
    const std::vector<std::string> args(argv + 1, argv + argc);
    Settings settings;
    if (auto error = read_settings(settings)) {
        std::fprintf(stderr, "fake-llama-server: %s\n", error->message.c_str());
        return 2;
    }
    if (!settings.argv_file.empty()) write_lines(settings.argv_file, args);
    append_line(settings.counter_file, dump(ordered_json{{"event", "start"}, {"pid", ::getpid()}, {"time", static_cast<long>(std::time(nullptr))}}));
    // What any process could read of this one while it runs, kept after it exits: a test need not
    // catch a short-lived server in /proc.
    if (!settings.proc_dir.empty()) {
        for (const char* entry : {"cmdline", "environ"}) {
            std::ifstream in(std::string("/proc/self/") + entry, std::ios::binary);
            const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            write_text(fmt::format("{}/{}.{}", settings.proc_dir, ::getpid(), entry), text);
        }
    }

    auto parsed = parse_options(args);
    if (const auto* error = std::get_if<ArgError>(&parsed)) {
        std::fprintf(stderr, "%s\n", error->message.c_str());
        return 1;
    }
    if (const auto* help = std::get_if<HelpRequested>(&parsed)) {
        std::fputs(help->text.c_str(), stdout);
        return 0;
    }
    Options options = std::get<Options>(std::move(parsed));
    for (const auto& key : options.api_keys) append_line(settings.keys_file, key);
    const sigset_t signals = block_shutdown_signals(settings.faults);

    Logger log;
    log.configure(options.log_file, options.log_disable);
    log.info("cmn  common_param: common_params_print_info: verbosity = 3 (adjust with the `-lv N` CLI arg)");
    if (options.api_keys.empty()) {
        log.warn(srv("llama_server", "-----------------"));
        log.warn(srv("llama_server", "CORS is set to allow all origins ('*') and no API key is set"));
        log.warn(srv("llama_server", "this can be a security risk (cross-origin attacks)"));
        log.warn(srv("llama_server", "more info: https://github.com/ggml-org/llama.cpp/pull/25655"));
        log.warn(srv("llama_server", "-----------------"));
    }
    // -hf and -mmu resolve before the server binds, as llama-server fetches its files before it
    // listens; a file not in the cache fails as a download without a network does.
    if (const auto failures = resolve_from_cache(options); !failures.empty()) {
        for (std::size_t start = 0, end; (end = failures.find('\n', start)) != std::string::npos; start = end + 1) {
            log.error(failures.substr(start, end - start));
        }
        return 1;
    }
    if (options.model.empty()) {
        log.error(srv("llama_server", "no model given (-m): router mode is not simulated by the fake"));
        return 1;
    }

    // Slots and per-slot context as llama-server computes them (s4: -c 131072 -np 2 capped to the
    // training context per slot).
    const int n_slots = options.parallel > 0 ? options.parallel : 4;
    const long total_ctx = options.ctx_size > 0 ? options.ctx_size : settings.n_ctx_train;
    long n_ctx_slot = options.kv_unified ? total_ctx : total_ctx / n_slots;
    if (n_ctx_slot > settings.n_ctx_train) {
        log.warn(srv("load_model", fmt::format("the slot context ({}) exceeds the training context of the model ({}) - capping", n_ctx_slot,
                                                settings.n_ctx_train)));
        n_ctx_slot = settings.n_ctx_train;
    }

    if (port_taken_now(settings)) {
        log_bind_failure(log, options);
        return 1;
    }
    httplib::Server server;
    // Generation requests block a worker while they wait for a slot; keep enough workers for the
    // queue plus /health, /props and /slots polls.
    const int workers = options.threads_http > 0 ? options.threads_http : std::max(32, 8 * n_slots + 16);
    server.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<std::size_t>(workers)); };
    // httplib 0.11 binds with SO_REUSEPORT, which lets a second server share a taken port; the
    // real server's httplib uses SO_REUSEADDR, so a taken port fails with "couldn't bind".
    server.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    server.set_keep_alive_max_count(100);  // "Keep-Alive: timeout=5, max=100" in the recordings
    server.set_read_timeout(options.timeout_s, 0);
    server.set_write_timeout(options.timeout_s, 0);
    int port = options.port;
    if (port == 0) port = server.bind_to_any_port(options.host);
    else if (!server.bind_to_port(options.host, port)) port = -1;
    if (port < 0) {
        log_bind_failure(log, options);
        return 1;
    }
    if (!settings.port_file.empty()) write_lines(settings.port_file, {std::to_string(port)});

    std::unique_ptr<SharedGpu> gpu;
    if (!settings.gpu_file.empty()) {
        std::string error;
        gpu = SharedGpu::open(settings.gpu_file, error);
        if (!gpu) {
            log.error("fake-llama-server: " + error);
            return 1;
        }
    }
    Engine engine(n_slots, static_cast<int>(n_ctx_slot), options.ubatch, settings.timing, log, gpu.get());
    ServerFacts facts;
    facts.model_path = options.model;
    facts.model_alias = options.alias.empty() ? options.model : options.alias;
    facts.build_info = settings.build_info;
    facts.media_marker = settings.media_marker.value_or(random_media_marker());
    facts.chat_template = chat_template_source(settings.style);
    facts.n_ctx_slot = static_cast<int>(n_ctx_slot);
    facts.n_slots = n_slots;
    facts.n_ctx_train = settings.n_ctx_train;
    facts.multimodal = !options.mmproj.empty();
    facts.audio = facts.multimodal && !settings.faults.no_audio_modality;
    facts.endpoint_slots = options.slots;
    facts.endpoint_props = options.props;
    facts.endpoint_metrics = options.metrics;
    facts.webui = options.webui;
    facts.process_start_unix = static_cast<long>(std::time(nullptr));
    ServerContext context(options, settings, log, engine, std::move(facts));
    install_routes(server, context);

    std::atomic<bool> listener_done{false};
    std::thread listener([&] {
        server.listen_after_bind();
        listener_done = true;
    });
    // stop() only works once the accept loop runs.
    while (!server.is_running() && !listener_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    Lifecycle lifecycle(signals, parent, context, server);
    lifecycle.start();

    // A failed load ends the process at once, as the real one does; joining the HTTP workers could
    // wait on a health poller's keep-alive connection.
    if (const int code = load_model(options, settings, context, port); code != 0) ::_exit(code);
    listener.join();
    lifecycle.finish();
    return 0;
}

}  // namespace
}  // namespace tunecap::fake_llama_server

int main(int argc, char** argv) { return tunecap::fake_llama_server::run(argc, argv); }
