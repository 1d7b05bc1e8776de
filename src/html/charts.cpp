// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/charts.hpp"

#include <functional>
#include <optional>

#include "html/escape.hpp"
#include "html/tables.hpp"

namespace tunecap::html {
namespace {

using Value = std::function<std::optional<double>(const metrics::Group&)>;

std::optional<double> percent(std::size_t part, std::size_t whole) {
    if (whole == 0) return std::nullopt;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::size_t checkable(const metrics::Count& c) { return c.made - std::min(c.made, c.unverified); }

// As the tables: a group whose requests took no time made none (a template phase).
bool timed(const metrics::Group& g) { return g.latency_ms.count > 0 && g.latency_ms.p95 > 0; }

// A chart of the groups for which `keep` holds, one series per value function; a series no group
// has a value for (no wrong-hint probe in the graph) is left out rather than drawn as n/a.
BarChart chart(const metrics::Metrics& metrics, BarChart base, const std::vector<Value>& values,
               const std::function<bool(const metrics::Group&)>& keep = {}) {
    std::vector<bool> used(values.size(), false);
    for (const auto& group : metrics.groups) {
        if (keep && !keep(group)) continue;
        BarRow row{group_label(group), group.phase, {}};
        for (std::size_t s = 0; s < values.size(); ++s) {
            row.values.push_back(values[s](group));
            used[s] = used[s] || row.values.back().has_value();
        }
        base.rows.push_back(std::move(row));
    }
    for (std::size_t s = values.size(); s-- > 0;) {
        if (used[s] || base.rows.empty()) continue;
        base.series.erase(base.series.begin() + static_cast<std::ptrdiff_t>(s));
        for (auto& row : base.rows) row.values.erase(row.values.begin() + static_cast<std::ptrdiff_t>(s));
    }
    if (base.series.empty()) base.rows.clear();  // drawn as "no data"
    return base;
}

}  // namespace

std::vector<BarChart> metric_charts(const metrics::Metrics& m) {
    using G = metrics::Group;
    std::vector<BarChart> charts;
    charts.push_back(chart(m,
                           {"chart-length", "Caption length", "Mean words and mean T5 tokens per caption of done steps, per phase and model.",
                            "", 0, std::nullopt, {{"words", "s0"}, {"T5 tokens", "s1"}}, {}},
                           {[](const G& g) { return g.words.count ? std::optional(g.words.mean) : std::nullopt; },
                            [](const G& g) { return g.t5_tokens.count ? std::optional(g.t5_tokens.mean) : std::nullopt; }}));
    charts.push_back(chart(m,
                           {"chart-facts", "Fact agreement",
                            "Share of checkable tempo and key claims that agree with the measured facts; higher is better.", "%", 0,
                            100.0, {{"tempo agrees", "s0"}, {"key agrees", "s1"}}, {}},
                           {[](const G& g) { return percent(g.tempo_claims.agrees, checkable(g.tempo_claims)); },
                            [](const G& g) { return percent(g.key_claims.agrees, checkable(g.key_claims)); }}));
    charts.push_back(chart(m,
                           {"chart-hints", "Genre hint following",
                            "Share of captions that name a genre: without a hint (the track's own genres, named anyway), with the "
                            "track's genres as a hint (higher is better), and with the wrong-hint probe's genres (lower is better).",
                            "%", 0, 100.0, {{"no hint", "s2"}, {"true hint", "s0"}, {"wrong hint", "s3"}}, {}},
                           {[](const G& g) { return percent(g.unhinted_named, g.unhinted); },
                            [](const G& g) { return percent(g.hint_named, g.hinted); },
                            [](const G& g) { return percent(g.wrong_named, g.wrong_hinted); }},
                           [](const G& g) { return g.hinted + g.wrong_hinted + g.unhinted > 0; }));
    charts.push_back(chart(m,
                           {"chart-outcomes", "Failed and flagged",
                            "Share of steps that failed, and of done steps flagged (kept out of training); lower is better.", "%", 0,
                            std::nullopt, {{"failed", "s3"}, {"flagged", "s2"}}, {}},
                           {[](const G& g) { return percent(g.failed, g.steps); }, [](const G& g) { return percent(g.flagged, g.done); }}));
    charts.push_back(chart(m,
                           {"chart-latency", "Latency", "Request latency of done steps, median and 95th percentile; lower is better.",
                            " s", 1, std::nullopt, {{"p50", "s0"}, {"p95", "s1"}}, {}},
                           {[](const G& g) { return g.latency_ms.p50 / 1000; }, [](const G& g) { return g.latency_ms.p95 / 1000; }}, timed));
    charts.push_back(chart(m,
                           {"chart-speed", "Tokens per second",
                            "Median generated tokens per second of generation time; higher is better.", "", 0, std::nullopt,
                            {{"tokens/s", "s0"}}, {}},
                           {[](const G& g) { return g.tokens_per_second.count ? std::optional(g.tokens_per_second.p50) : std::nullopt; }},
                           timed));
    return charts;
}

std::string render_charts(const metrics::Metrics& metrics) {
    std::string out = R"(<div class="charts">)";
    for (const auto& c : metric_charts(metrics)) {
        out += R"(<figure class="chart-box"><figcaption>)";
        append_escaped(out, c.title);
        out += R"(<span class="sub">)";
        append_escaped(out, c.description);
        out += "</span></figcaption>";
        if (c.rows.empty()) {
            out += R"(<p class="empty">No group has data for this chart.</p>)";
        } else {
            out += render_svg(c);
        }
        out += "</figure>";
    }
    return out + "</div>";
}

}  // namespace tunecap::html
