// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/backend.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>

namespace tunecap::server {
namespace {

namespace fs = std::filesystem;

// llama-server ports are drawn from above most registered services and below Linux's default
// ephemeral range (32768-60999), where outgoing connections take their ports; a collision that
// still happens is reported by the child and retried with another port.
constexpr int kFirstPort = 20000;
constexpr int kLastPort = 32000;

// One /health probe. llama-server answers /health from its HTTP thread in well under a
// millisecond on loopback, even while the model loads; a probe unanswered for a second means a
// wedged server, and the next probe is a fresh try. Never longer than what is left of the
// ready deadline.
constexpr auto kHealthProbeDeadline = std::chrono::seconds(1);

// Something already answers on this port? A connect probe, not a bind: nothing is held open that
// the child would then race for.
bool port_in_use(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

}  // namespace

int pick_port() {
    std::random_device seed;
    std::mt19937 generator(seed());
    std::uniform_int_distribution<int> range(kFirstPort, kLastPort);
    for (int tries = 0; tries < 50; ++tries) {
        const int port = range(generator);
        if (!port_in_use(port)) return port;
    }
    return range(generator);
}

namespace {

std::string random_key() {
    unsigned char bytes[24];
    std::size_t filled = 0;
    while (filled < sizeof bytes) {
        const auto got = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
        if (got > 0) filled += static_cast<std::size_t>(got);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key;
    for (unsigned char b : bytes) {
        key.push_back(kHex[b >> 4]);
        key.push_back(kHex[b & 0xF]);
    }
    return key;
}

std::string last_lines(const fs::path& log, std::size_t count) {
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    std::string out;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        out += (out.empty() ? "" : " | ") + lines[i];
    }
    return out;
}

bool log_says_port_taken(const fs::path& log) {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.find("couldn't bind") != std::string::npos || line.find("Address already in use") != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string_view to_string(ServerStatus status) {
    switch (status) {
    case ServerStatus::stopped: return "stopped";
    case ServerStatus::starting: return "starting";
    case ServerStatus::ready: return "ready";
    case ServerStatus::stopping: return "stopping";
    case ServerStatus::failed: return "failed";
    }
    return "unknown";
}

std::vector<std::string> server_arguments(const config::Model& model, int port, const fs::path& api_key_file) {
    // Values used when the config leaves a field out, chosen by tunecap rather than left to
    // llama-server, whose defaults moved several times in 2025-26.
    constexpr int kDefaultBatch = 2048;
    constexpr int kDefaultUbatch = 512;
    constexpr int kAllLayers = 999;
    std::vector<std::string> args;
    if (model.hf) {
        // llama-server downloads the repo's file for the quant into its cache, or finds it there
        // (server/hf_cache.hpp). With -hf it also fetches the repo's projector unless told not to
        // (--no-mmproj) or given one (--mmproj, -mmu); `auto` keeps that default, which every
        // build with -hf projectors has, rather than pass --mmproj-auto, which older ones lack.
        args = {"-hf", model.hf->text()};
        if (model.mmproj_hf && !model.mmproj_hf->repo.empty()) args.insert(args.end(), {"-mmu", model.mmproj_hf->url});
        if (!model.mmproj_hf && model.mmproj.empty()) args.push_back("--no-mmproj");
    } else {
        args = {"-m", model.gguf.string()};
    }
    if (!model.mmproj.empty()) args.insert(args.end(), {"--mmproj", model.mmproj.string()});
    args.insert(args.end(), {
        "-c", std::to_string(model.ctx.value_or(config::kDefaultContext)),
        // Always explicit: without -np the server picks 4 slots with a unified KV cache, which
        // breaks audio-prefix reuse across slots.
        "-np", std::to_string(model.slots.value_or(1)),
        "-b", std::to_string(model.batch.value_or(kDefaultBatch)),
        "-ub", std::to_string(model.ubatch.value_or(kDefaultUbatch)),
        "-ctk", model.cache_type_k.value_or(config::kDefaultCacheType),
        "-ctv", model.cache_type_v.value_or(config::kDefaultCacheType),
        "-ngl", std::to_string(model.gpu_layers.value_or(kAllLayers)),
        "-fa", "on",  // a quantized V cache needs flash attention; a bare -fa would eat the next flag
        "--fit", "off",
        "--jinja",
        "--no-webui",
        "--host", "127.0.0.1",
        "--port", std::to_string(port),
        "--api-key-file", api_key_file.string(),
        "--alias", model.name,
    });
    args.insert(args.end(), model.server_args.begin(), model.server_args.end());
    return args;
}

ManagedServer::ManagedServer(config::Model model, bool needs_audio, fs::path binary, SupervisorSettings settings,
                             Seams seams)
    : m_model(std::move(model)),
      m_needs_audio(needs_audio),
      m_binary(std::move(binary)),
      m_settings(std::move(settings)),
      m_seams(std::move(seams)) {}

core::Result<std::unique_ptr<ManagedServer>> ManagedServer::start(const config::Model& model, bool needs_audio,
                                                                  const fs::path& binary, const SupervisorSettings& settings,
                                                                  Seams seams) {
    std::unique_ptr<ManagedServer> server(new ManagedServer(model, needs_audio, binary, settings, std::move(seams)));
    if (auto started = server->launch(); !started) return started.error();
    return server;
}

ManagedServer::~ManagedServer() { stop(); }

llm::EndpointAddress ManagedServer::address() const {
    return {"http://127.0.0.1:" + std::to_string(m_port), m_api_key, m_model.name};
}

bool ManagedServer::child_running() { return m_child && !m_child->poll(); }

std::optional<pid_t> ManagedServer::pid() const {
    if (!m_child) return std::nullopt;
    return m_child->pid();
}

core::Status ManagedServer::launch() {
    std::error_code ec;
    fs::create_directories(m_settings.log_dir, ec);
    if (ec) return core::Error{m_settings.log_dir.string() + ": cannot create the log folder: " + ec.message()};
    std::string error;
    for (int attempt = 0; attempt < m_settings.port_attempts; ++attempt) {
        bool port_taken = false;
        auto launched = launch_once(m_seams.choose_port(), port_taken);
        if (launched) return launched;
        error = launched.error().message;
        if (!port_taken) break;
    }
    m_status = ServerStatus::failed;
    return core::Error{error};
}

core::Status ManagedServer::launch_once(int port, bool& port_taken) {
    m_status = ServerStatus::starting;
    m_port = port;
    ++m_starts;
    const auto stem = m_settings.log_stem.empty() ? m_model.name : m_settings.log_stem;
    m_log_file = m_settings.log_dir / (stem + "-" + std::to_string(m_starts) + ".log");

    // A fresh key per start, in a file only this user can read; the key itself is never logged.
    if (m_secret_dir.empty()) {
        std::error_code ec;
        const auto temp = fs::temp_directory_path(ec);
        std::string pattern = ((ec ? fs::path("/tmp") : temp) / "tunecap-key-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return core::Error{"cannot create a private folder for the API key"};
        m_secret_dir = pattern;
    }
    m_api_key = random_key();
    const auto key_file = m_secret_dir / "api-key";
    std::error_code ignored;
    fs::remove(key_file, ignored);  // a key of an earlier start; O_EXCL below refuses anything left
    const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || ::write(fd, m_api_key.data(), m_api_key.size()) != static_cast<ssize_t>(m_api_key.size())) {
        if (fd >= 0) ::close(fd);
        return core::Error{key_file.string() + ": cannot write the API key file"};
    }
    ::close(fd);

    auto child = m_seams.launcher->spawn(
        {m_binary, server_arguments(m_model, port, key_file), m_log_file, m_settings.guard, m_settings.environment});
    if (!child) return child.error();
    m_child = std::move(child).take();

    llm::Client client(address(), m_seams.transport);
    const core::Deadline deadline(*m_seams.clock, m_settings.ready_deadline);
    const std::string who = "model " + m_model.name + ": llama-server";
    while (true) {
        if (const auto status = m_child->poll()) {
            port_taken = log_says_port_taken(m_log_file);
            m_status = ServerStatus::failed;
            return core::Error{who + " exited with status " + std::to_string(*status) + " during start-up (log " +
                               m_log_file.string() + "): " + last_lines(m_log_file, 2)};
        }
        if (m_settings.cancelled && m_settings.cancelled()) {
            stop_child();
            m_status = ServerStatus::failed;
            return core::Error{who + " start cancelled: the run is stopping"};
        }
        if (deadline.passed()) {
            stop_child();
            m_status = ServerStatus::failed;
            return core::Error{who + " was not healthy within " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(m_settings.ready_deadline).count()) +
                               " s (log " + m_log_file.string() + ")"};
        }
        if (client.health(std::min<std::chrono::milliseconds>(kHealthProbeDeadline, deadline.left())) == llm::Health::ready) break;
        deadline.sleep(m_settings.poll_interval);
    }
    auto props = client.props();
    if (!props) {
        stop_child();
        m_status = ServerStatus::failed;
        return core::Error{who + ": cannot read /props: " + props.error().message};
    }
    m_props = std::move(props).take();
    if (m_needs_audio && !m_props.audio) {
        stop_child();
        m_status = ServerStatus::failed;
        const auto projector = m_model.mmproj_hf ? "mmproj_hf (" + m_model.mmproj_hf->text() + ")" : "mmproj (" + m_model.mmproj.string() + ")";
        return core::Error{who + " reports no audio input (modalities.audio is false); check models." + m_model.name + "." + projector};
    }
    m_status = ServerStatus::ready;
    return core::Ok{};
}

void ManagedServer::stop_child() {
    if (!m_child) return;
    stop_process(*m_child, m_settings.stop_grace, *m_seams.clock);
    m_child.reset();
}

core::Status ManagedServer::recover() {
    if (m_child) {
        m_status = ServerStatus::stopping;
        stop_child();
    }
    return launch();
}

void ManagedServer::stop() {
    if (m_child) {
        m_status = ServerStatus::stopping;
        stop_child();
    }
    if (!m_secret_dir.empty()) {
        std::error_code ec;
        fs::remove_all(m_secret_dir, ec);
        m_secret_dir.clear();
    }
    m_status = ServerStatus::stopped;
}

core::Result<std::unique_ptr<ExternalEndpoint>> ExternalEndpoint::connect(
    const config::Model& model, std::size_t replica,
    const std::function<std::optional<std::string>(const std::string&)>& environment,
    std::shared_ptr<llm::HttpTransport> transport) {
    if (replica >= model.endpoints.size()) {
        return core::Error{"model " + model.name + ": no endpoint " + std::to_string(replica + 1)};
    }
    const auto& configured = model.endpoints[replica];
    auto endpoint = std::make_unique<ExternalEndpoint>();
    std::string url = configured.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.ends_with("/v1")) url.resize(url.size() - 3);  // the client adds /v1/... itself
    endpoint->m_address = {url, "", model.name};
    if (!configured.api_key_env.empty()) {
        const auto key = environment(configured.api_key_env);
        if (!key || key->empty()) {
            return core::Error{"model " + model.name + ": environment variable " + configured.api_key_env +
                               " (endpoint.api_key_env) is not set"};
        }
        endpoint->m_address.api_key = *key;
    }
    llm::Client client(endpoint->m_address, std::move(transport));
    auto props = client.props();
    if (props) {
        endpoint->m_props = std::move(props).take();
    } else if (props.error().kind == llm::ErrorKind::connection_lost || props.error().kind == llm::ErrorKind::timeout ||
               props.error().kind == llm::ErrorKind::unauthorized) {
        return core::Error{"model " + model.name + ": endpoint " + url + " is not usable: " + props.error().message};
    } else {
        // Not a llama-server (vLLM and others have no /props): what the config says stands.
        endpoint->m_props.n_ctx = model.ctx.value_or(0) / std::max(1, model.slots.value_or(1));
        endpoint->m_props.total_slots = model.slots.value_or(1);
        endpoint->m_props.audio = model.takes_audio();
        endpoint->m_props.media_marker = "<__media__>";
    }
    return endpoint;
}

}  // namespace tunecap::server
