// SPDX-License-Identifier: GPL-3.0-or-later
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/clock.hpp"
#include "html/report.hpp"
#include "metrics/metrics.hpp"
#include "report/json_output.hpp"
#include "store/store.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

// The per-track view's column and row order: the config's phases, and their prompts as first named.
void set_order(html::Report& page, const config::Config& config) {
    std::set<std::string> seen;
    for (const auto& phase : config.phases) {
        page.phase_order.push_back(phase.id);
        for (const auto& prompt : phase.prompts) {
            if (seen.insert(prompt).second) page.prompt_order.push_back(prompt);
        }
    }
}

// The metrics over the whole store, then its rows moved into the page: at 55,000 steps the rows are
// the largest thing tunecap holds, so they are read once and never copied.
html::Report build_page(store::Store& store, const config::Config& config, const fs::path& out_dir) {
    std::vector<std::string> phase_order;
    for (const auto& phase : config.phases) phase_order.push_back(phase.id);
    auto inputs = metrics::read_inputs(store, phase_order);
    std::map<std::string, store::TrackRow> rows;  // the file of each track, for its player
    for (const auto& [id, info] : inputs.tracks) rows.emplace(id, store.find_track(id).value_or(store::TrackRow{id, "", "", ""}));

    html::Report page;
    page.metrics = metrics::compute(inputs);
    const auto folder = fs::absolute(out_dir).lexically_normal();
    page.title = (folder.has_filename() ? folder : folder.parent_path()).filename().string();
    page.generated_at = core::utc_now_iso();
    set_order(page, config);
    page.report_dir = out_dir;
    page.working_dir = fs::current_path();
    // all_steps() orders rows by track, so each track's rows are one run.
    for (auto& step : inputs.steps) {
        if (page.tracks.empty() || page.tracks.back().row.track_id != step.track_id) {
            auto& track = page.tracks.emplace_back();
            track.row = std::move(rows.at(step.track_id));
            track.info = std::move(inputs.tracks.at(step.track_id));
        }
        page.tracks.back().steps.push_back(std::move(step));
    }
    return page;
}

core::Result<fs::path> write_report(store::Store& store, const config::Config& config, const fs::path& out_dir) {
    const auto path = out_dir / "report.html";
    if (auto written = core::write_file_atomically(path, html::render(build_page(store, config, out_dir)), {}, core::Sync::no); !written) {
        return written.error();
    }
    return path;
}

}  // namespace

std::optional<fs::path> write_report_after_run(store::Store& store, const config::Config& config, const fs::path& out_dir,
                                               core::Log& log) {
    try {
        auto written = write_report(store, config, out_dir);
        if (written) return *written;
        log.warn("report", "report.html not written: {}", written.error().message);
    } catch (const std::exception& e) {
        log.warn("report", "report.html not written: {}", e.what());
    }
    return std::nullopt;
}

int report_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    if (line.positionals.size() != 1) {
        log.error("report", "expected one folder; usage: tunecap report DIR [--config FILE]");
        return kExitUsage;
    }
    const fs::path dir = line.positionals.front();
    std::error_code ec;
    if (!fs::is_regular_file(dir / "tunecap.db", ec)) {
        log.error("report", "{}: no tunecap.db here; give the --out folder of a run", dir.string());
        return kExitUsage;
    }
    const auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    auto store = store::Store::open(dir / "tunecap.db");
    if (!store) {
        log.error("report", "{}", store.error().message);
        return kExitSomeFailed;
    }
    const auto written = write_report(**store, loaded->config, dir);
    if (!written) {
        log.error("report", "{}", written.error().message);
        return kExitSomeFailed;
    }
    out << written->string() << "\n";
    return kExitOk;
}

}  // namespace tunecap::app
