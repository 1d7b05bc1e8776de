// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The subcommands. Each returns the process exit code (see kExit*).

#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>

#include "app/cli.hpp"
#include "clean/token_counter.hpp"
#include "config/config.hpp"
#include "core/log.hpp"

namespace tunecap::store {
class Store;
}

namespace tunecap::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;  // Ctrl-C: what was finished is stored

struct LoadedConfig {
    config::Config config;
    // cleaning.sentencepiece_model loaded; nullptr when the config names none (the estimate).
    std::shared_ptr<const clean::TokenCounter> token_counter;
};

// The config named by --config (layered over the built-in default), with the SentencePiece model
// it names loaded; on error logs the one-line reason (file:line: what) and returns nullopt, for the
// caller to exit with kExitUsage before any audio is read.
std::optional<LoadedConfig> load_config(const CommandLine& line, core::Log& log);

int run_command(const CommandLine& line, core::Log& log, std::ostream& out);
int config_show_command(const CommandLine& line, core::Log& log, std::ostream& out);
// `tunecap plan [TRACK_OR_DIR...]`: the load order and the steps per model load, with counts.
int plan_command(const CommandLine& line, core::Log& log, std::ostream& out);
// `tunecap clean --family F [--max-t5-tokens N]`: raw text on stdin, caption on stdout, flags on
// stderr; exit 0 with a caption, 3 when nothing usable remains.
// `tunecap clean --results DIR`: re-derives every stored caption from its stored raw output.
int clean_command(const CommandLine& line, core::Log& log, std::istream& in, std::ostream& out, std::ostream& err);
// `tunecap claims [--bpm X] [--key K]`: the tempo and key claims of the caption on stdin as JSON,
// with a verdict for each when facts are given. Exit 0, or 2 for a bad --bpm or --key.
int claims_command(const CommandLine& line, core::Log& log, std::istream& in, std::ostream& out);
// One row per configured model from its GGUF header, with a GPU memory estimate against
// runtime.vram_budget_gb. Exit 0 when every file was readable, 1 otherwise, 2 for config errors.
int models_command(const CommandLine& line, core::Log& log, std::ostream& out);
// `tunecap analyze FILE_OR_DIR... [--json]`: the measured facts of each audio file, a table for
// people or one JSON object per line with --json. A file that cannot be read is one line naming it
// and the reason; the others go on. Exit 0 when every file was analyzed, 1 otherwise, 2 for usage.
int analyze_command(const CommandLine& line, core::Log& log, std::ostream& out);
// `tunecap export DIR --phase P [--model M] [--prompt ID] --format audiofolder|jsonl|csv|info
// [--out PATH] [--include-flagged]`: the stored captions of a run as a training set's file. Exit
// 0 when every selected caption was written, 1 when some were not (one line each), 2 for usage.
int export_command(const CommandLine& line, core::Log& log);
// `tunecap metrics DIR [--json] [--by-prompt]`: the benchmark's figures from a run's store, a table
// for people or one JSON object. Exit 0, or 2 when DIR holds no tunecap.db or the config is bad.
int metrics_command(const CommandLine& line, core::Log& log, std::ostream& out);

// `tunecap report DIR [--config FILE]`: DIR/report.html from DIR/tunecap.db (html/report.hpp), its
// path printed. Exit 0, 1 when it cannot be written, 2 for usage (no store in DIR: one line naming it).
int report_command(const CommandLine& line, core::Log& log, std::ostream& out);
// After a run: OUT/report.html from the whole store. Everything is stored and written by then, so a
// failure is a warning; the path written, or nullopt.
std::optional<std::filesystem::path> write_report_after_run(store::Store& store, const config::Config& config,
                                                            const std::filesystem::path& out_dir, core::Log& log);

}  // namespace tunecap::app
