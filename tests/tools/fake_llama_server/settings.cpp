// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace tunecap::fake_llama_server {
namespace {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

double to_number(const std::string& name, const std::string& value) {
    std::size_t used = 0;
    double number = 0;
    try {
        number = std::stod(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value.size() || number < 0) throw std::invalid_argument(fmt::format("{}: not a non-negative number: '{}'", name, value));
    return number;
}

void read_number(const char* name, double& target) {
    if (auto value = env(name)) target = to_number(name, *value);
}

void read_number(const char* name, long& target) {
    if (auto value = env(name)) target = static_cast<long>(to_number(name, *value));
}

void read_string(const char* name, std::string& target) {
    if (auto value = env(name)) target = *value;
}

void apply_fault(Faults& faults, std::string_view entry) {
    const auto colon = entry.find(':');
    const std::string name(entry.substr(0, colon));
    const std::string argument = colon == std::string_view::npos ? "" : std::string(entry.substr(colon + 1));
    const auto number = [&]() -> long {
        if (argument.empty()) throw std::invalid_argument(fmt::format("FAKE_LLAMA_FAULT: '{}' needs a number, as in {}:N", name, name));
        return static_cast<long>(to_number("FAKE_LLAMA_FAULT " + name, argument));
    };
    if (name == "crash_on_start") faults.crash_on_start = true;
    else if (name == "never_ready") faults.never_ready = true;
    else if (name == "port_taken") faults.port_taken = true;
    else if (name == "port_taken_once") faults.port_taken_once = true;
    else if (name == "die_after") faults.die_after = number();
    else if (name == "ignore_sigterm") faults.ignore_sigterm = true;
    else if (name == "sigterm_hang") faults.sigterm_hang = true;
    else if (name == "slow_reply") faults.slow_reply_ms = number();
    else if (name == "hang_after") faults.hang_after = number();
    else if (name == "context_overflow") faults.context_overflow = true;
    else if (name == "overflow_over") faults.overflow_over = number();
    else if (name == "error_500") faults.error_500 = true;
    else if (name == "error_500_all") faults.error_500_all = true;
    else if (name == "no_audio_modality") faults.no_audio_modality = true;
    else throw std::invalid_argument(fmt::format("FAKE_LLAMA_FAULT: unknown fault '{}'", entry));
}

void read_faults(Faults& faults) {
    const auto list = env("FAKE_LLAMA_FAULT");
    if (!list) return;
    std::size_t start = 0;
    while (start <= list->size()) {
        const auto comma = list->find(',', start);
        const auto entry = std::string_view(*list).substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!entry.empty()) apply_fault(faults, entry);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
}

OutputStyle read_style() {
    const auto style = env("FAKE_LLAMA_STYLE");
    if (!style || *style == "plain") return OutputStyle::plain;
    if (*style == "think") return OutputStyle::think;
    if (*style == "harmony") return OutputStyle::harmony;
    if (*style == "wrapper") return OutputStyle::wrapper;
    throw std::invalid_argument(fmt::format("FAKE_LLAMA_STYLE: unknown style '{}' (plain, think, harmony, wrapper)", *style));
}

}  // namespace

std::optional<SettingsError> read_settings(Settings& settings) {
    try {
        read_faults(settings.faults);
        settings.style = read_style();
        auto& timing = settings.timing;
        read_number("FAKE_LLAMA_PREFILL_TPS", timing.prefill_tps);
        read_number("FAKE_LLAMA_DECODE_TPS", timing.decode_tps);
        read_number("FAKE_LLAMA_DECODE_AGG_TPS", timing.decode_agg_tps);
        read_number("FAKE_LLAMA_DECODE_STREAM_MS", timing.decode_stream_ms);
        read_number("FAKE_LLAMA_PREFILL_BUSY_TPS", timing.prefill_busy_tps);
        read_number("FAKE_LLAMA_HOST_MS", timing.host_ms);
        read_number("FAKE_LLAMA_AUDIO_OVERHEAD_MS", timing.audio_overhead_ms);
        read_number("FAKE_LLAMA_TIME_SCALE", timing.time_scale);
        read_number("FAKE_LLAMA_LOAD_MS", timing.load_ms);
        if (timing.prefill_tps <= 0 || timing.decode_tps <= 0) {
            throw std::invalid_argument("FAKE_LLAMA_PREFILL_TPS and FAKE_LLAMA_DECODE_TPS must be above 0");
        }
        read_string("FAKE_LLAMA_ARGV_FILE", settings.argv_file);
        read_string("FAKE_LLAMA_COUNTER_FILE", settings.counter_file);
        read_string("FAKE_LLAMA_REQUEST_LOG", settings.request_log);
        read_string("FAKE_LLAMA_STATE_DIR", settings.state_dir);
        read_string("FAKE_LLAMA_PORT_FILE", settings.port_file);
        read_string("FAKE_LLAMA_KEYS_FILE", settings.keys_file);
        read_string("FAKE_LLAMA_PROC_DIR", settings.proc_dir);
        read_string("FAKE_LLAMA_GPU", settings.gpu_file);
        read_number("FAKE_LLAMA_IDLE_EXIT_S", settings.idle_exit_s);
        read_number("FAKE_LLAMA_N_CTX_TRAIN", settings.n_ctx_train);
        read_string("FAKE_LLAMA_BUILD_INFO", settings.build_info);
        if (auto ignore = env("FAKE_LLAMA_IGNORE_EOS")) settings.ignore_eos = *ignore == "1";
        if (auto ignore = env("FAKE_LLAMA_IGNORE_PARENT")) settings.ignore_parent = *ignore == "1";
        if (auto marker = env("LLAMA_MEDIA_MARKER")) settings.media_marker = *marker;
        if (settings.faults.port_taken_once && settings.state_dir.empty()) {
            throw std::invalid_argument("FAKE_LLAMA_FAULT port_taken_once needs FAKE_LLAMA_STATE_DIR");
        }
    } catch (const std::exception& error) {
        return SettingsError{error.what()};
    }
    return std::nullopt;
}

}  // namespace tunecap::fake_llama_server
