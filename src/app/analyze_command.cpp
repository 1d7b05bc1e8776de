// SPDX-License-Identifier: GPL-3.0-or-later
#include <fmt/format.h>

#include "analysis/facts.hpp"
#include "app/commands.hpp"
#include "app/inputs.hpp"
#include "core/text.hpp"
#include "report/facts_json.hpp"

namespace tunecap::app {
namespace {

std::string table_row(const std::string& file, const analysis::Facts& f) {
    const auto lufs = f.loudness ? fmt::format("{:6.1f}", f.loudness->integrated_lufs) : std::string("     -");
    const auto lra = f.loudness ? fmt::format("{:5.1f}", f.loudness->range_lu) : std::string("    -");
    const auto peak = f.loudness ? fmt::format("{:6.1f}", f.loudness->true_peak_dbtp) : std::string("     -");
    const auto bpm = f.tempo ? fmt::format("{:6.1f} ({:.2f})", f.tempo->bpm, f.tempo->confidence) : std::string("     -       ");
    const auto key = f.key ? fmt::format("{:<8} ({:.2f})", analysis::key_name(*f.key), f.key->confidence) : std::string("-");
    return fmt::format("{:7.1f} {} {} {} {} {:5.1f} {:6.0f}  {:<17} {}\n", f.duration_seconds, lufs, lra, peak, bpm,
                       f.onsets_per_second, f.brightness_hz, key, file);
}

}  // namespace

int analyze_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    if (line.positionals.empty()) {
        log.error("analyze", "no files given; usage: tunecap analyze FILE_OR_DIR... [--json]");
        return kExitUsage;
    }
    const bool json = line.has("--json");
    const auto inputs = collect_inputs(line.positionals, input_filter(line));
    bool all_ok = inputs.failures.empty();
    for (const auto& failure : inputs.failures) log.error("analyze", "{}", failure.error);
    if (!json && !inputs.tracks.empty()) {
        out << "seconds   LUFS   LRA  dBTP    BPM (conf) onset/s  brightHz  key (conf)        file\n";
    }
    for (const auto& file : inputs.tracks) {
        auto facts = analysis::analyze_file(file);
        if (!facts) {
            log.error("analyze", "{}", facts.error().message);
            all_ok = false;
            continue;
        }
        if (facts->truncated) log.warn("analyze", "{}; measured what was read", audio::truncation_text(file, *facts->truncated));
        out << (json ? report::facts_json_line(file, *facts) + "\n" : table_row(core::escape_for_terminal(file.string()), *facts));
        out.flush();
    }
    return all_ok ? kExitOk : kExitSomeFailed;
}

}  // namespace tunecap::app
