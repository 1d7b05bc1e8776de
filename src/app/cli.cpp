// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"

namespace tunecap::app {
namespace {

const std::vector<std::string_view> kRunCommands = {"run", "plan", "config show"};

bool is_command(std::string_view name) {
    const auto& commands = command_table();
    return std::any_of(commands.begin(), commands.end(), [&](const CommandSpec& c) { return c.name == name; });
}

std::string command_names() {
    std::string out;
    for (const auto& c : command_table()) out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

// A value that names a file or folder, or a glob matched against file names, is bytes, as file
// names are; any other value may reach a prompt or a JSON file, so it must be UTF-8.
std::optional<core::Error> text_value_error(const OptionSpec& spec, const std::string& value) {
    const bool path =
        spec.metavar == "FILE" || spec.metavar == "DIR" || spec.metavar == "PATH" || spec.metavar == "GLOB";
    if (path) return std::nullopt;
    if (const auto bad = core::invalid_utf8_at(value)) {
        return core::Error{std::string(spec.name) + ": the value is not valid UTF-8 (byte " + std::to_string(*bad + 1) + ")"};
    }
    return std::nullopt;
}

bool takes(const OptionSpec& spec, std::string_view command) {
    return std::find(spec.commands.begin(), spec.commands.end(), command) != spec.commands.end();
}

const OptionSpec* find_spec(std::string_view name) {
    for (const auto& spec : option_table()) {
        if (spec.name == name || (!spec.short_name.empty() && spec.short_name == name)) return &spec;
    }
    return nullptr;
}

void add_value(CommandLine& line, const OptionSpec& spec, const std::string& value, const std::string& source) {
    auto& values = line.values[std::string(spec.name)];
    auto& sources = line.sources[std::string(spec.name)];
    if (spec.kind != OptionKind::repeated) {
        values.clear();
        sources.clear();
    }
    values.push_back(value);
    sources.push_back(source);
}

}  // namespace

const std::vector<OptionSpec>& option_table() {
    static const std::vector<OptionSpec> kTable = {
        {"--config", "", OptionKind::value, "FILE", "", "configuration layered over the built-in default", "",
         {"run", "plan", "config show", "models", "clean", "metrics", "report"}},
        {"--genre", "", OptionKind::value, "LIST", "", "genres for every track, comma separated (beats .INFO and tags)",
         "", kRunCommands},
        {"--info", "", OptionKind::value, "FILE", "", ".INFO JSON for every track (beats a co-located .INFO)", "",
         kRunCommands},
        {"--include", "", OptionKind::repeated, "GLOB", "",
         "in folders, take only audio files whose name matches (repeatable; with / the path below the folder)", "",
         {"run", "plan", "config show", "analyze"}},
        {"--exclude", "", OptionKind::repeated, "GLOB", "",
         "in folders, leave out audio files whose name matches (repeatable; with / the path below the folder)", "",
         {"run", "plan", "config show", "analyze"}},
        {"--skip", "", OptionKind::repeated, "PHASE", "", "do not run this phase (repeatable)", "", kRunCommands},
        {"--only", "", OptionKind::repeated, "PHASE", "", "run only these phases (repeatable)", "", kRunCommands},
        {"--force", "", OptionKind::repeated, "PHASE", "",
         "recompute this phase and what depends on it, even when stored (repeatable)", "", kRunCommands},
        {"--skip-phase3", "", OptionKind::flag, "", "", "alias of --skip revision (the original prototype's flag)",
         "--skip=revision", kRunCommands},
        {"--skip-phase4", "", OptionKind::flag, "", "",
         "alias of --skip for omni, omni_genre, omni_wrong_hint and omni_revision (the original prototype's flag)",
         "--skip=omni,--skip=omni_genre,--skip=omni_wrong_hint,--skip=omni_revision", kRunCommands},
        {"--out", "", OptionKind::value, "DIR", "./tunecap-out", "output folder (export: the file or folder to write)", "",
         {"run", "plan", "config show", "export"}},
        {"--verbose", "-v", OptionKind::flag, "", "", "more detail on stderr", "",
         {"run", "plan", "config show", "clean", "claims", "models", "analyze", "metrics"}},
        {"--dry-run", "", OptionKind::flag, "", "", "check the config and inputs, print the plan, write nothing", "",
         {"run"}},
        {"--family", "", OptionKind::value, "FAMILY", "chatml",
         "output format family: qwen3, chatml, harmony, granite, qwen2.5-omni, music-flamingo", "", {"clean"}},
        {"--max-t5-tokens", "", OptionKind::value, "N", "", "cut captions over N T5 tokens at a sentence boundary", "",
         {"clean"}},
        {"--results", "", OptionKind::value, "DIR", "",
         "re-derive every stored caption in this output folder from its stored raw output", "", {"clean"}},
        {"--finish-reason", "", OptionKind::value, "REASON", "",
         "the server's finish reason for the output on stdin; \"length\" (cut by the token limit) drops its "
         "unfinished last sentence",
         "", {"clean"}},
        {"--json", "", OptionKind::flag, "", "", "JSON instead of a table (analyze: one object per file)", "",
         {"analyze", "metrics"}},
        {"--by-prompt", "", OptionKind::flag, "", "", "one row per phase, model and prompt (default: per phase and model)",
         "", {"metrics"}},
        {"--bpm", "", OptionKind::value, "X", "", "measured tempo to check the caption's tempo claims against", "",
         {"claims"}},
        {"--key", "", OptionKind::value, "K", "",
         "measured key to check the caption's key claims against: \"A minor\", \"F#m\", \"Bb major\", \"C\" (major)", "",
         {"claims"}},
        {"--phase", "", OptionKind::value, "PHASE", "", "the phase whose captions to export (required)", "", {"export"}},
        {"--model", "", OptionKind::value, "MODEL", "", "only this model's captions", "", {"export"}},
        {"--prompt", "", OptionKind::value, "ID", "", "only this prompt's captions", "", {"export"}},
        {"--format", "", OptionKind::value, "FORMAT", "",
         "audiofolder (metadata.jsonl for Hugging Face datasets), jsonl, csv, or info (into each track's .INFO)", "",
         {"export"}},
        {"--include-flagged", "", OptionKind::flag, "", "",
         "also export captions flagged fallback_used or no_final_channel (never failed or empty ones)", "", {"export"}},
        {"--help", "-h", OptionKind::flag, "", "", "show help", "",
         {"run", "plan", "config show", "clean", "claims", "models", "analyze", "export", "metrics", "report", "help"}},
    };
    return kTable;
}

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> kTable = {
        {"run", "TRACK_OR_DIR... [options]",
         {{"run TRACK_OR_DIR... [options]", "caption tracks (folders are searched recursively)"}}},
        {"plan", "[TRACK_OR_DIR...] [options]", {{"plan [TRACK_OR_DIR...]", "the model load order and the steps of each load"}}},
        {"config show", "[options]", {{"config show [--config FILE]", "every effective setting and where it came from"}}},
        {"models", "[options]", {{"models [--config FILE]", "each model's GGUF facts and GPU memory estimate"}}},
        {"clean", "[options]",
         {{"clean --family F < raw.txt", "clean one raw model output into a caption"},
          {"clean --results DIR", "re-derive stored captions after a rule change"}}},
        {"claims", "[options]", {{"claims [--bpm X] [--key K]", "tempo and key claims of a caption on stdin, as JSON"}}},
        {"analyze", "FILE_OR_DIR... [options]",
         {{"analyze FILE_OR_DIR... [--json]", "loudness, tempo, key and more of each file"}}},
        {"export", "DIR --phase P --format F [options]",
         {{"export DIR --phase P --format F", "stored captions as metadata.jsonl, JSONL, CSV or .INFO keys"}}},
        {"metrics", "DIR [options]", {{"metrics DIR [--json]", "the benchmark: each phase and model's captions"}}},
        {"report", "DIR [options]", {{"report DIR [--config FILE]", "DIR/report.html: metrics, charts and captions on one page"}}},
        {"version", "[options]", {{"--version", "print the version"}}},
        {"help", "[options]", {{"COMMAND --help", "options of one command"}}},
    };
    return kTable;
}

bool CommandLine::has(std::string_view name) const { return values.contains(std::string(name)); }

std::optional<std::string> CommandLine::value(std::string_view name) const {
    const auto it = values.find(std::string(name));
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> CommandLine::all(std::string_view name) const {
    const auto it = values.find(std::string(name));
    return it == values.end() ? std::vector<std::string>{} : it->second;
}

std::string CommandLine::value_or_default(std::string_view name) const {
    return value(name).value_or(std::string(default_of(name)));
}

std::string_view default_of(std::string_view option_name) {
    const auto* spec = find_spec(option_name);
    return spec ? spec->default_value : std::string_view{};
}

core::Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
    CommandLine line;
    std::size_t i = 0;
    if (args.empty()) return core::Error{"no command given; try 'tunecap --help'"};
    if (args[0] == "--version" || args[0] == "version") {
        line.command = "version";
        return line;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        line.command = "help";
        if (args.size() > 1) line.positionals.push_back(args[1]);
        return line;
    }
    if (args[0] == "config") {
        if (args.size() < 2 || args[1] != "show") return core::Error{"config: expected 'tunecap config show'"};
        line.command = "config show";
        i = 2;
    } else if (is_command(args[0])) {
        line.command = args[0];
        i = 1;
    } else {
        return core::Error{"unknown command '" + args[0] + "' (commands: " + command_names() + "; see 'tunecap --help')"};
    }
    bool options_done = false;
    for (; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg == "-" || !arg.starts_with("-")) {
            line.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> inline_value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            name = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        const auto* spec = find_spec(name);
        if (!spec || !takes(*spec, line.command)) {
            return core::Error{"unknown option " + name + " for '" + line.command + "' (see 'tunecap " + line.command +
                               " --help')"};
        }
        if (spec->kind == OptionKind::flag) {
            if (inline_value) return core::Error{std::string(spec->name) + " takes no value"};
            if (!spec->expands_to.empty()) {
                std::string_view rest = spec->expands_to;
                while (!rest.empty()) {
                    const auto comma = rest.find(',');
                    const auto item = rest.substr(0, comma);
                    const auto eq = item.find('=');
                    add_value(line, *find_spec(item.substr(0, eq)), std::string(item.substr(eq + 1)), std::string(spec->name));
                    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                }
            }
            add_value(line, *spec, "", std::string(spec->name));
            continue;
        }
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return core::Error{std::string(spec->name) + " needs a value (" + std::string(spec->metavar) + ")"};
        }
        if (auto bad = text_value_error(*spec, value)) return *bad;
        add_value(line, *spec, value, std::string(spec->name));
    }
    return line;
}

std::string help_text(std::string_view command) {
    std::string out;
    if (command.empty() || command == "help") {
        out += fmt::format("tunecap - {}\n\nusage:\n", kProgramSummary);
        for (const auto& command : command_table()) {
            for (const auto& [synopsis, summary] : command.overview) {
                const std::string line = "tunecap " + std::string(synopsis);
                out += fmt::format("  {:<39} {}\n", line, summary);
            }
        }
        out += "\n"
               "exit codes: 0 all tracks fine, 1 some tracks or steps failed (or a finished step could not be\n"
               "            stored: the run stops there), 2 usage or config error,\n"
               "            130 interrupted (finished steps are stored; run again to resume)\n";
        return out;
    }
    const auto& commands = command_table();
    const auto found = std::find_if(commands.begin(), commands.end(), [&](const CommandSpec& c) { return c.name == command; });
    out += fmt::format("usage: tunecap {} {}\n\noptions:\n", command, found == commands.end() ? "[options]" : found->operands);
    for (const auto& spec : option_table()) {
        if (!takes(spec, command)) continue;
        std::string left = std::string(spec.name);
        if (!spec.short_name.empty()) left = std::string(spec.short_name) + ", " + left;
        if (!spec.metavar.empty()) left += " " + std::string(spec.metavar);
        std::string right = std::string(spec.help);
        if (!spec.default_value.empty()) right += fmt::format(" (default: {})", spec.default_value);
        out += fmt::format("  {:<22} {}\n", left, right);
    }
    return out;
}

}  // namespace tunecap::app
