// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The command line: one options table drives parsing, defaults, --help and `config show`.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace tunecap::app {

// What `tunecap --help` and the man page's NAME say tunecap does.
inline constexpr std::string_view kProgramSummary = "caption music with local models and benchmark the captions";

enum class OptionKind { flag, value, repeated };

struct OptionSpec {
    std::string_view name;           // "--out"
    std::string_view short_name;     // "-v", or empty
    OptionKind kind;
    std::string_view metavar;        // "DIR"
    std::string_view default_value;  // shown in --help and config show; empty: none
    std::string_view help;
    std::string_view expands_to;     // for aliases: "--skip=revision,--skip=omni"
    std::vector<std::string_view> commands;  // the commands that take it
};

const std::vector<OptionSpec>& option_table();

// One command: what `tunecap --help` says of it and what `tunecap NAME --help` shows after the name.
struct CommandSpec {
    std::string_view name;      // "config show"
    std::string_view operands;  // "TRACK_OR_DIR... [options]"
    // Its lines in `tunecap --help`: what follows "tunecap ", and what it does (may be empty).
    std::vector<std::pair<std::string_view, std::string_view>> overview;
};

// The commands in the order `tunecap --help` lists them. The man page and the bash completion are
// generated from this and option_table() (app/docs.hpp).
const std::vector<CommandSpec>& command_table();

struct CommandLine {
    std::string command;                  // "run", "config show", "clean", "help", "version"
    std::vector<std::string> positionals;
    // Values by long option name ("--skip" -> all values); flags hold one empty value.
    std::map<std::string, std::vector<std::string>> values;
    // Where each value came from, for config show: "--skip-phase3" for an expanded alias.
    std::map<std::string, std::vector<std::string>> sources;

    bool has(std::string_view name) const;
    std::optional<std::string> value(std::string_view name) const;  // last one given
    std::vector<std::string> all(std::string_view name) const;
    // The value given or the table's default.
    std::string value_or_default(std::string_view name) const;
};

// Errors are usage errors (exit 2), naming the option and the reason.
core::Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

std::string help_text(std::string_view command);
std::string_view default_of(std::string_view option_name);

}  // namespace tunecap::app
