// SPDX-License-Identifier: GPL-3.0-or-later
#include <filesystem>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "metrics/metrics.hpp"
#include "store/store.hpp"

namespace tunecap::app {

namespace fs = std::filesystem;

int metrics_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    if (line.positionals.size() != 1) {
        log.error("metrics", "expected one folder; usage: tunecap metrics DIR [--json] [--by-prompt]");
        return kExitUsage;
    }
    const fs::path dir = line.positionals.front();
    const auto db = dir / "tunecap.db";
    std::error_code ec;
    if (!fs::is_regular_file(db, ec)) {
        log.error("metrics", "{}: no tunecap.db here; give the --out folder of a run", dir.string());
        return kExitUsage;
    }
    const auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    auto store = store::Store::open(db);
    if (!store) {
        log.error("metrics", "{}", store.error().message);
        return kExitSomeFailed;
    }
    std::vector<std::string> phase_order;
    for (const auto& phase : loaded->config.phases) phase_order.push_back(phase.id);
    const auto inputs = metrics::read_inputs(**store, std::move(phase_order));
    const auto result = metrics::compute(inputs, {.by_prompt = line.has("--by-prompt")});
    out << (line.has("--json") ? metrics::to_json(result) + "\n" : metrics::to_table(result));
    return kExitOk;
}

}  // namespace tunecap::app
