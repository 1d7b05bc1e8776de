// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the built tunecap binary as a user would and captures what it printed.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tunecap::testing {

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// What every tunecap a test runs is given first: the built-in config looks for models under
// $TUNECAP_MODELS (else ~/models) and runs llama-server from PATH, so on a machine with the
// documented model layout a test would start real servers. Both point at nothing by default; a test
// that wants models or a server passes its own values, which come later and win.
inline std::vector<std::string> pinned_environment(const std::filesystem::path& scratch) {
    return {"TUNECAP_MODELS=" + (scratch / "no-models").string(),
            "TUNECAP_LLAMA_SERVER=" + (scratch / "no-llama-server").string()};
}

// Each run is ended (exit code 124, as `timeout` reports it) if it takes longer than this: far
// above the longest one a test makes (~20 s under the sanitizers), so only a hang reaches it, and
// the test then fails with what the run printed instead of being killed by ctest without a word.
inline constexpr const char* kRunDeadline = "timeout --kill-after=10 240";

// Runs a program (a path, or a name on PATH) with args in the test's own environment, what it
// prints captured in scratch, ended after kRunDeadline.
inline Outcome run_program(const std::string& program, const std::vector<std::string>& args,
                           const std::filesystem::path& scratch) {
    std::string command = std::string(kRunDeadline) + " " + shell_quote(program);
    for (const auto& arg : args) command += " " + shell_quote(arg);
    const auto out_file = scratch / "stdout.txt";
    const auto err_file = scratch / "stderr.txt";
    command += " >" + shell_quote(out_file.string()) + " 2>" + shell_quote(err_file.string()) + " </dev/null";
    const int status = std::system(command.c_str());
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.out = read_text(out_file);
    outcome.err = read_text(err_file);
    return outcome;
}

// env: extra "NAME=value" assignments for the child only, after pinned_environment(scratch).
inline Outcome run_tunecap(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                           const std::vector<std::string>& env = {}) {
    std::vector<std::string> env_args = pinned_environment(scratch);
    env_args.insert(env_args.end(), env.begin(), env.end());
    env_args.push_back(TUNECAP_BINARY);
    env_args.insert(env_args.end(), args.begin(), args.end());
    return run_program("env", env_args, scratch);
}

// The lines of a command's stderr that report an error ("error: ...").
inline std::vector<std::string> error_lines(const std::string& err) {
    std::vector<std::string> out;
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("error:")) out.push_back(line);
    }
    return out;
}

}  // namespace tunecap::testing
