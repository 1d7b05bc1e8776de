// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything the environment tells the fake: simulated engine speed, output style, faults, and the
// files it leaves for tests. Read once at start; README.md has the table.

#include <optional>
#include <string>

namespace tunecap::fake_llama_server {

enum class OutputStyle { plain, think, harmony, wrapper };

struct Faults {
    bool crash_on_start = false;    // load error, exit 1, before healthy
    bool never_ready = false;       // 503 "Loading model" forever
    bool port_taken = false;        // print the real bind-failure line, exit 1
    bool port_taken_once = false;   // same, unless <FAKE_LLAMA_STATE_DIR>/port_taken exists (then created)
    std::optional<long> die_after;  // the generation request numbered die_after + 1 kills the process
    bool ignore_sigterm = false;    // SIGTERM and SIGINT ignored; only SIGKILL (or the idle exit) stops it
    bool sigterm_hang = false;      // first SIGTERM logs the clean-up line and hangs; a second one exits 1
    long slow_reply_ms = 0;         // extra wall-clock delay per generation (not scaled)
    std::optional<long> hang_after; // generation requests after the first N hold their slot and never answer
    bool context_overflow = false;  // every generation: 400 exceed_context_size_error
    std::optional<long> overflow_over;  // overflow when the prompt has more than N tokens (reported n_ctx = N)
    bool error_500 = false;         // chat generations: 500 "...peg-native format" (s0-01); /completion unaffected
    bool error_500_all = false;     // the same 500 on every generation endpoint
    bool no_audio_modality = false; // modalities.audio false even with a readable --mmproj
};

// Speeds of the simulated engine. Durations are computed in "model time" (reported in `timings`)
// and slept for model time x time_scale.
struct EngineTiming {
    double prefill_tps = 20000;     // prompt tokens/s for one slot (tiny-model CPU recordings: ~21,000)
    double decode_tps = 1000;       // generated tokens/s for one slot (recordings: ~1,100)
    double decode_agg_tps = 0;      // ceiling over all decoding slots; 0 = none
    // A decode step of n slots takes 1000 / decode_tps + (n - 1) x decode_stream_ms: each stream
    // adds its attention and sampling, so aggregate decode grows sublinearly with the slots.
    double decode_stream_ms = 0;
    double prefill_busy_tps = 0;    // prompt tokens/s of one slot while other slots decode; 0 = prefill_tps
    // CPU-side part of each decode step, per decoding slot (the rest of the step is GPU compute):
    // what another server on the same GPU (FAKE_LLAMA_GPU) can fill with its kernels.
    double host_ms = 0;
    double audio_overhead_ms = 0;   // per audio request, serialized, before a slot (H100: ~600)
    double time_scale = 1.0;        // 0 = never sleep
    long load_ms = 50;              // "Loading model" phase (scaled too)
};

struct Settings {
    Faults faults;
    EngineTiming timing;
    OutputStyle style = OutputStyle::plain;
    std::string argv_file;      // FAKE_LLAMA_ARGV_FILE: argv[1..], one a line, rewritten per start
    std::string counter_file;   // FAKE_LLAMA_COUNTER_FILE: one JSON line appended per process start
    std::string request_log;    // FAKE_LLAMA_REQUEST_LOG: one JSON line appended per generation request
    std::string state_dir;      // FAKE_LLAMA_STATE_DIR: survives restarts (port_taken_once marker)
    std::string port_file;      // FAKE_LLAMA_PORT_FILE: the bound port, written right after bind
    std::string keys_file;      // FAKE_LLAMA_KEYS_FILE: the API keys it accepts, appended per start
    std::string proc_dir;       // FAKE_LLAMA_PROC_DIR: PID.cmdline and PID.environ, copied from /proc at start
    std::string gpu_file;       // FAKE_LLAMA_GPU: servers naming the same file share one simulated GPU (gpu.hpp)
    double idle_exit_s = 120;   // FAKE_LLAMA_IDLE_EXIT_S: exit 0 after this long without requests
    long n_ctx_train = 131072;  // FAKE_LLAMA_N_CTX_TRAIN: the model's training context
    std::string build_info = "b0-fake";  // FAKE_LLAMA_BUILD_INFO
    // FAKE_LLAMA_IGNORE_EOS=1: every request generates its whole n_predict, as a benchmark of
    // full-length captions needs (the natural captions here end after a few dozen tokens).
    bool ignore_eos = false;
    // FAKE_LLAMA_IGNORE_PARENT=1: keep running when the parent process dies, as llama-server does
    // (it does not watch its parent), so a test sees what stops an orphan: tunecap's death signal.
    bool ignore_parent = false;
    std::optional<std::string> media_marker;  // LLAMA_MEDIA_MARKER (real env var): pins the marker
};

struct SettingsError {
    std::string message;
};

// Reads the FAKE_LLAMA_* variables (and LLAMA_MEDIA_MARKER). A malformed value or an unknown fault
// name is an error, so a typo in a test never silently runs without its fault.
std::optional<SettingsError> read_settings(Settings& settings);

}  // namespace tunecap::fake_llama_server
