// SPDX-License-Identifier: GPL-3.0-or-later
// tunecap: caption music with local models and benchmark the captions.

#include <iostream>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/commands.hpp"
#include "core/log.hpp"
#include "server/child_process.hpp"

int main(int argc, char** argv) {
    using namespace tunecap;
    // Guard mode: tunecap starting llama-server so that it dies with tunecap (child_process.hpp).
    if (argc >= 2 && std::string(argv[1]) == server::kGuardCommand) server::exec_guard(argc, argv);
    core::Log log(stderr);
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto line = app::parse_command_line(args);
    if (!line) {
        log.error("cli", "{}", line.error().message);
        return app::kExitUsage;
    }
    if (line->has("--verbose")) log.set_threshold(core::Level::debug);
    try {
        if (line->command == "version") {
            std::cout << "tunecap " << TUNECAP_VERSION << "\n";
            return app::kExitOk;
        }
        if (line->command == "help") {
            std::cout << app::help_text(line->positionals.empty() ? "" : line->positionals.front());
            return app::kExitOk;
        }
        if (line->has("--help")) {
            std::cout << app::help_text(line->command);
            return app::kExitOk;
        }
        if (line->command == "run") return app::run_command(*line, log, std::cout);
        if (line->command == "config show") return app::config_show_command(*line, log, std::cout);
        if (line->command == "plan") return app::plan_command(*line, log, std::cout);
        if (line->command == "models") return app::models_command(*line, log, std::cout);
        if (line->command == "analyze") return app::analyze_command(*line, log, std::cout);
        if (line->command == "metrics") return app::metrics_command(*line, log, std::cout);
        if (line->command == "clean") return app::clean_command(*line, log, std::cin, std::cout, std::cerr);
        if (line->command == "claims") return app::claims_command(*line, log, std::cin, std::cout);
        if (line->command == "export") return app::export_command(*line, log);
        if (line->command == "report") return app::report_command(*line, log, std::cout);
        log.error("cli", "'{}' is not available in this build", line->command);
        return app::kExitUsage;
    } catch (const std::exception& e) {
        log.error("tunecap", "{}", e.what());
        return app::kExitSomeFailed;
    }
}
