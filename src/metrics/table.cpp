// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap metrics`: the groups and the model loads as aligned columns for a terminal.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "metrics/metrics.hpp"

namespace tunecap::metrics {
namespace {

struct Column {
    std::string title;
    bool left = false;  // text left-aligned, numbers right-aligned
};

using Row = std::vector<std::string>;

std::string aligned(const std::vector<Column>& columns, const std::vector<Row>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& column : columns) widths.push_back(column.title.size());
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    const auto line = [&](const auto& cell_of) {
        std::string out;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i > 0) out += "  ";
            out += columns[i].left ? fmt::format("{:<{}}", cell_of(i), widths[i]) : fmt::format("{:>{}}", cell_of(i), widths[i]);
        }
        out.erase(out.find_last_not_of(' ') + 1);
        return out + "\n";
    };
    std::string out = line([&](std::size_t i) { return columns[i].title; });
    for (const auto& row : rows) out += line([&](std::size_t i) { return row[i]; });
    return out;
}

constexpr std::string_view kNone = "-";

std::string number(double value, int decimals, bool present = true) {
    return present ? fmt::format("{:.{}f}", value, decimals) : std::string(kNone);
}

std::string percent(std::size_t part, std::size_t whole) {
    return whole == 0 ? std::string(kNone) : fmt::format("{:.0f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

// Agreeing and contradicting claims: "12/3".
std::string verdicts(const Count& count) { return fmt::format("{}/{}", count.agrees, count.contradicts); }

std::string groups_table(const Metrics& metrics) {
    const bool by_prompt = std::any_of(metrics.groups.begin(), metrics.groups.end(), [](const Group& g) { return !g.prompt.empty(); });
    std::vector<Column> columns = {{"phase", true}, {"model", true}};
    if (by_prompt) columns.push_back({"prompt", true});
    for (const auto* title : {"steps", "done", "failed", "flagged", "words", "t5", "tempo +/-", "key +/-", "hint",
                              "wrong", "agree", "p50 ms", "p95 ms", "tok/s"}) {
        columns.push_back({title});
    }
    std::vector<Row> rows;
    for (const auto& g : metrics.groups) {
        Row row = {g.phase, g.model};
        if (by_prompt) row.push_back(g.prompt);
        const Row figures = {std::to_string(g.steps), std::to_string(g.done), std::to_string(g.failed),
                             std::to_string(g.flagged), number(g.words.mean, 1, g.words.count > 0),
                             number(g.t5_tokens.mean, 1, g.t5_tokens.count > 0), verdicts(g.tempo_claims),
                             verdicts(g.key_claims), percent(g.hint_named, g.hinted),
                             percent(g.wrong_named, g.wrong_hinted), number(g.agreement.value_or(0), 2, g.agreement.has_value()),
                             number(g.latency_ms.p50, 0, g.latency_ms.count > 0),
                             number(g.latency_ms.p95, 0, g.latency_ms.count > 0),
                             number(g.tokens_per_second.mean, 1, g.tokens_per_second.count > 0)};
        row.insert(row.end(), figures.begin(), figures.end());
        rows.push_back(std::move(row));
    }
    return aligned(columns, rows);
}

std::string models_table(const Metrics& metrics) {
    const std::vector<Column> columns = {{"model", true}, {"loads"}, {"load s"}, {"p95 s"}, {"peak GPU MiB"}, {"restarts"}};
    std::vector<Row> rows;
    for (const auto& m : metrics.models) {
        rows.push_back({m.model, std::to_string(m.loads), number(m.load_seconds.mean, 1, m.load_seconds.count > 0),
                        number(m.load_seconds.p95, 1, m.load_seconds.count > 0),
                        number(m.peak_gpu_mib.value_or(0), 0, m.peak_gpu_mib.has_value()), std::to_string(m.restarts)});
    }
    return aligned(columns, rows);
}

}  // namespace

std::string to_table(const Metrics& metrics) {
    std::string out = fmt::format("{} track(s)\n\n", metrics.tracks);
    out += groups_table(metrics);
    out += "\nhint: captions naming a hinted genre; wrong: naming a wrong-hint genre; agree: token F1 with other models\n";
    if (!metrics.models.empty()) out += "\n" + models_table(metrics);
    return out;
}

}  // namespace tunecap::metrics
