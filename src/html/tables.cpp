// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/tables.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "html/escape.hpp"

namespace tunecap::html {
namespace {

enum class Better { none, higher, lower };

// What one cell shows: `value` is what is compared for the best mark, rounded as `text` shows it.
struct Cell {
    std::optional<double> value;
    std::string text;
    std::string detail;  // the cell's title: the counts behind a share
};

template <typename Row>
struct Column {
    std::string_view header;
    std::string_view tip;
    Better better;
    std::function<Cell(const Row&)> cell;
};

// Headers may hold a soft hyphen where a narrow column may break them; the legend names them whole.
std::string without_soft_hyphens(std::string_view text) {
    std::string out(text);
    for (auto at = out.find("\u00AD"); at != std::string::npos; at = out.find("\u00AD")) out.erase(at, 2);
    return out;
}

Cell none(std::string detail = {}) { return {std::nullopt, "\xE2\x80\x93", std::move(detail)}; }  // en dash

// A share as a whole percentage; nothing when the denominator is zero.
Cell percent(std::size_t part, std::size_t whole, std::string detail) {
    if (whole == 0) return none(std::move(detail));
    const double value = std::round(100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return {value, fmt::format("{:.0f}%", value), std::move(detail)};
}

Cell number(double value, int decimals, std::string detail = {}) {
    const double factor = std::pow(10.0, decimals);
    const double rounded = std::round(value * factor) / factor;
    return {rounded, fmt::format("{:.{}f}", rounded, decimals), std::move(detail)};
}

// A group with no model request (a template phase) has latencies of zero: not a best value.
bool timed(const metrics::Distribution& latency) { return latency.count > 0 && latency.p95 > 0; }

Cell milliseconds(const metrics::Distribution& d, double value) {
    if (!timed(d)) return none("no model request timed");
    const auto detail = fmt::format("p50 {:.0f} ms, p95 {:.0f} ms, mean {:.0f} ms over {} steps", d.p50, d.p95, d.mean, d.count);
    if (value >= 10000) return {std::round(value / 1000) * 1000, fmt::format("{:.0f} s", value / 1000), detail};
    if (value >= 1000) return {std::round(value / 100) * 100, fmt::format("{:.1f} s", value / 1000), detail};
    return {std::round(value), fmt::format("{:.0f} ms", value), detail};
}

std::size_t checkable(const metrics::Count& c) { return c.made - std::min(c.made, c.unverified); }

std::string count_detail(const metrics::Count& c, std::string_view kind, bool related) {
    return fmt::format("{} {} claims made: {} agree, {}{} contradict, {} unverified (no confident fact)", c.made, kind, c.agrees,
                       related ? fmt::format("{} related (relative, parallel, a fifth), ", c.related) : std::string(),
                       c.contradicts, c.unverified);
}

const std::vector<Column<metrics::Group>>& group_columns() {
    using G = metrics::Group;
    static const std::vector<Column<G>> kColumns = {
        {"Steps", "steps stored (the newest row of each track, phase, model and prompt)", Better::none,
         [](const G& g) { return Cell{static_cast<double>(g.steps), fmt::format("{}", g.steps), {}}; }},
        {"Done", "share of steps done", Better::higher,
         [](const G& g) { return percent(g.done, g.steps, fmt::format("{} of {} steps done", g.done, g.steps)); }},
        {"Failed", "share of steps failed", Better::lower,
         [](const G& g) { return percent(g.failed, g.steps, fmt::format("{} of {} steps failed", g.failed, g.steps)); }},
        {"Flagged", "share of done steps flagged (the cleaner fell back, or nothing usable remained): kept out of training",
         Better::lower,
         [](const G& g) {
             return percent(g.flagged, g.done, fmt::format("{} of {} done steps flagged, {} empty", g.flagged, g.done, g.empty));
         }},
        {"Words", "mean words per caption", Better::none,
         [](const G& g) {
             if (g.words.count == 0) return none();
             return number(g.words.mean, 0, fmt::format("p50 {:.0f}, p95 {:.0f} words", g.words.p50, g.words.p95));
         }},
        {"T5 tokens", "mean T5 tokens per caption", Better::none,
         [](const G& g) {
             if (g.t5_tokens.count == 0) return none();
             return number(g.t5_tokens.mean, 0, fmt::format("p50 {:.0f}, p95 {:.0f} tokens", g.t5_tokens.p50, g.t5_tokens.p95));
         }},
        {"Cut", "share of captions cut at the T5 token budget", Better::lower,
         [](const G& g) {
             return percent(g.cut_at_budget, g.done, fmt::format("{} of {} captions cut at the budget", g.cut_at_budget, g.done));
         }},
        {"Tempo agrees", "share of checkable tempo claims that agree with the measured tempo (x1, x2, x1/2, x3, x1/3)",
         Better::higher,
         [](const G& g) { return percent(g.tempo_claims.agrees, checkable(g.tempo_claims), count_detail(g.tempo_claims, "tempo", false)); }},
        {"Key agrees", "share of checkable key claims that name the measured key", Better::higher,
         [](const G& g) { return percent(g.key_claims.agrees, checkable(g.key_claims), count_detail(g.key_claims, "key", true)); }},
        {"Contra\u00ADdicted", "share of checkable tempo and key claims that contradict the measured facts", Better::lower,
         [](const G& g) {
             const auto contradicts = g.tempo_claims.contradicts + g.key_claims.contradicts;
             const auto total = checkable(g.tempo_claims) + checkable(g.key_claims);
             return percent(contradicts, total, fmt::format("{} of {} checkable claims contradict", contradicts, total));
         }},
        {"Hint followed", "share of captions with the track's genres in the prompt that name one of them", Better::higher,
         [](const G& g) {
             return percent(g.hint_named, g.hinted,
                            fmt::format("{} of {} hinted captions name a hinted genre; without a hint {} of {} name one anyway",
                                        g.hint_named, g.hinted, g.unhinted_named, g.unhinted));
         }},
        {"Wrong hint followed", "share of captions given the wrong-hint probe's genres that name one of them", Better::lower,
         [](const G& g) {
             return percent(g.wrong_named, g.wrong_hinted,
                            fmt::format("{} of {} wrong-hint captions name a wrong genre", g.wrong_named, g.wrong_hinted));
         }},
        {"Agreement", "mean token F1 with other models' captions of the same track and prompt", Better::higher,
         [](const G& g) {
             if (!g.agreement) return none("no other model captioned the same tracks and prompts");
             return number(*g.agreement, 2, fmt::format("over {} caption pairs", g.agreement_pairs));
         }},
        {"Distinct-2", "distinct bigrams over all bigrams of the group's captions: higher is less formulaic", Better::higher,
         [](const G& g) {
             if (g.words.count == 0) return none();
             return number(g.distinct_2, 3, fmt::format("distinct-1 {:.3f}", g.distinct_1));
         }},
        {"Latency p50", "median request latency of done steps", Better::lower,
         [](const G& g) { return milliseconds(g.latency_ms, g.latency_ms.p50); }},
        {"Latency p95", "95th percentile request latency of done steps", Better::lower,
         [](const G& g) { return milliseconds(g.latency_ms, g.latency_ms.p95); }},
        {"Tokens/s", "median generated tokens per second of generation time", Better::higher,
         [](const G& g) {
             const auto& t = g.tokens_per_second;
             if (t.count == 0 || !timed(g.latency_ms)) return none("no model request timed");
             return number(t.p50, 0, fmt::format("p50 {:.1f}, p95 {:.1f}, mean {:.1f} over {} steps", t.p50, t.p95, t.mean, t.count));
         }},
    };
    return kColumns;
}

const std::vector<Column<metrics::ModelLoads>>& model_columns() {
    using M = metrics::ModelLoads;
    static const std::vector<Column<M>> kColumns = {
        {"Loads", "times the model's server was started", Better::none,
         [](const M& m) { return Cell{static_cast<double>(m.loads), fmt::format("{}", m.loads), {}}; }},
        {"Load time", "mean seconds from start to ready", Better::lower,
         [](const M& m) {
             if (m.load_seconds.count == 0) return none();
             return number(m.load_seconds.mean, 1,
                           fmt::format("p50 {:.1f} s, p95 {:.1f} s", m.load_seconds.p50, m.load_seconds.p95));
         }},
        {"Peak GPU MiB", "the highest GPU memory in use measured while it was loaded", Better::lower,
         [](const M& m) { return m.peak_gpu_mib ? number(*m.peak_gpu_mib, 0) : none("not measured (no nvidia-smi)"); }},
        {"Restarts", "server restarts after it died", Better::lower,
         [](const M& m) { return Cell{static_cast<double>(m.restarts), fmt::format("{}", m.restarts), {}}; }},
    };
    return kColumns;
}

// For each column, whether each row's cell holds the column's best value among the rows that
// compete (`competes`; empty: all).
template <typename Row>
std::vector<std::vector<bool>> best_marks(const std::vector<Column<Row>>& columns, const std::vector<std::vector<Cell>>& cells,
                                          const std::vector<bool>& competes = {}) {
    std::vector<std::vector<bool>> marks(cells.size(), std::vector<bool>(columns.size(), false));
    const auto eligible = [&](std::size_t r) { return competes.empty() || competes[r]; };
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].better == Better::none) continue;
        std::vector<double> values;
        for (std::size_t r = 0; r < cells.size(); ++r) {
            if (eligible(r) && cells[r][c].value && std::isfinite(*cells[r][c].value)) values.push_back(*cells[r][c].value);
        }
        if (values.size() < 2) continue;
        const auto [low, high] = std::minmax_element(values.begin(), values.end());
        if (*low == *high) continue;
        const double best = columns[c].better == Better::higher ? *high : *low;
        for (std::size_t r = 0; r < cells.size(); ++r) marks[r][c] = eligible(r) && cells[r][c].value == best;
    }
    return marks;
}

void append_cell(std::string& out, const Cell& cell, bool best) {
    out += best ? R"(<td class="num best")" : R"(<td class="num")";
    if (!cell.detail.empty() || best) {
        out += " title=\"";
        append_escaped(out, cell.detail);
        if (best) out += cell.detail.empty() ? "best in its column" : " (best in its column)";
        out += '"';
    }
    out += '>';
    if (best) out += R"(<span class="star" aria-label="best">&#9733;</span> )";
    append_escaped(out, cell.text);
    out += "</td>";
}

template <typename Row>
void append_header(std::string& out, const std::vector<std::string_view>& labels, const std::vector<Column<Row>>& columns) {
    out += "<thead><tr>";
    for (const auto label : labels) out += fmt::format(R"(<th scope="col">{}</th>)", escape(label));
    for (const auto& column : columns) {
        const char* arrow = column.better == Better::higher ? " &#8593;" : column.better == Better::lower ? " &#8595;" : "";
        out += fmt::format(R"(<th scope="col" class="num" title="{}">{}{}</th>)", escape(column.tip), escape(column.header), arrow);
    }
    out += "</tr></thead>";
}

template <typename Row>
std::string legend(const std::vector<Column<Row>>& columns, bool reference_note) {
    std::vector<std::string> higher, lower, neither;
    for (const auto& column : columns) {
        auto& list = column.better == Better::higher ? higher : column.better == Better::lower ? lower : neither;
        list.push_back(escape(without_soft_hyphens(column.header)));
    }
    const auto join = [](const std::vector<std::string>& items) {
        std::string text;
        for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
        return text;
    };
    std::string out = R"(<p class="legend"><span class="star">&#9733;</span> marks the best value of a column, in every row )"
                      "that has it; no mark where fewer than two rows have a value or all are equal.";
    if (reference_note) out += " Phases that sent no model request (a template, such as the measured facts) are shown for reference and never marked.";
    if (!higher.empty()) out += " <b>Higher is better</b> (&#8593;): " + join(higher) + ".";
    if (!lower.empty()) out += " <b>Lower is better</b> (&#8595;): " + join(lower) + ".";
    if (!neither.empty()) out += " Neither: " + join(neither) + ".";
    return out + " Hover a header or a value for its definition and counts.</p>";
}

}  // namespace

std::string group_label(const metrics::Group& group) {
    return group.phase + " / " + group.model + (group.prompt.empty() ? "" : " / " + group.prompt);
}

std::string render_metrics_table(const metrics::Metrics& metrics) {
    const auto& columns = group_columns();
    const bool by_prompt = std::any_of(metrics.groups.begin(), metrics.groups.end(), [](const auto& g) { return !g.prompt.empty(); });
    std::vector<std::vector<Cell>> cells;
    std::vector<bool> competes;
    for (const auto& group : metrics.groups) {
        auto& row = cells.emplace_back();
        for (const auto& column : columns) row.push_back(column.cell(group));
        competes.push_back(timed(group.latency_ms));
    }
    const auto marks = best_marks(columns, cells, competes);

    std::string out = R"(<div class="scroll"><table class="metrics" id="metrics-table">)";
    std::vector<std::string_view> labels = {"Phase", "Model"};
    if (by_prompt) labels.push_back("Prompt");
    append_header(out, labels, columns);
    out += "<tbody>";
    for (std::size_t r = 0; r < metrics.groups.size(); ++r) {
        const auto& group = metrics.groups[r];
        const bool same_phase = r > 0 && metrics.groups[r - 1].phase == group.phase;
        out += same_phase ? "<tr>" : R"(<tr class="phase-start">)";
        out += fmt::format(R"(<th scope="row" class="phase{}">{}</th><td>{}</td>)", same_phase ? " repeat" : "", escape(group.phase),
                           escape(group.model));
        if (by_prompt) out += fmt::format("<td>{}</td>", escape(group.prompt));
        for (std::size_t c = 0; c < columns.size(); ++c) append_cell(out, cells[r][c], marks[r][c]);
        out += "</tr>";
    }
    if (metrics.groups.empty()) {
        out += fmt::format(R"(<tr><td colspan="{}">No steps stored yet.</td></tr>)", labels.size() + columns.size());
    }
    out += "</tbody></table></div>";
    return out + legend(columns, true);
}

std::string render_models_table(const metrics::Metrics& metrics) {
    const auto& columns = model_columns();
    std::vector<std::vector<Cell>> cells;
    for (const auto& model : metrics.models) {
        auto& row = cells.emplace_back();
        for (const auto& column : columns) row.push_back(column.cell(model));
    }
    const auto marks = best_marks(columns, cells);
    std::string out = R"(<div class="scroll"><table class="metrics" id="models-table">)";
    append_header(out, {"Model"}, columns);
    out += "<tbody>";
    for (std::size_t r = 0; r < metrics.models.size(); ++r) {
        out += fmt::format(R"(<tr><th scope="row">{}</th>)", escape(metrics.models[r].model));
        for (std::size_t c = 0; c < columns.size(); ++c) append_cell(out, cells[r][c], marks[r][c]);
        out += "</tr>";
    }
    if (metrics.models.empty()) {
        out += fmt::format(R"(<tr><td colspan="{}">No model load is stored.</td></tr>)",
                           columns.size() + 1);
    }
    out += "</tbody></table></div>";
    return out + legend(columns, false);
}

std::string render_phrases_table(const metrics::Metrics& metrics) {
    std::string out = R"(<div class="scroll"><table class="phrases"><thead><tr><th scope="col">Phase / model</th>)"
                      R"(<th scope="col" class="num">Distinct-1</th><th scope="col" class="num">Distinct-2</th>)"
                      R"(<th scope="col">Most shared 4-word phrases (tracks whose captions have it)</th></tr></thead><tbody>)";
    for (const auto& group : metrics.groups) {
        out += fmt::format(R"(<tr><th scope="row">{}</th><td class="num">{:.3f}</td><td class="num">{:.3f}</td><td>)",
                           escape(group_label(group)), group.distinct_1, group.distinct_2);
        for (std::size_t i = 0; i < group.common_phrases.size(); ++i) {
            const auto& phrase = group.common_phrases[i];
            out += fmt::format(R"({}<q>{}</q> <span class="count">{}</span>)", i == 0 ? "" : "; ", escape(phrase.words), phrase.tracks);
        }
        out += "</td></tr>";
    }
    return out + "</tbody></table></div>";
}

}  // namespace tunecap::html
