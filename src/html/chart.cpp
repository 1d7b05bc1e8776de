// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "html/escape.hpp"

namespace tunecap::html {
namespace {

// Geometry in SVG user units; the page scales the chart to its column's width.
constexpr double kWidth = 640;
constexpr double kValueSpace = 78;    // right of the longest bar: "1234.5 ms"
constexpr double kBarHeight = 11;
constexpr double kBarGap = 2;
constexpr double kRowPadding = 5;
constexpr double kLegendHeight = 22;
constexpr double kAxisHeight = 22;
constexpr double kCharWidth = 6.4;    // of the 12-unit sans-serif labels, generous for digits
constexpr std::size_t kMaxLabelChars = 34;  // longer labels are cut; the bar's <title> has them whole

std::string format_value(const BarChart& chart, double value) {
    return fmt::format("{:.{}f}{}", value, chart.decimals, chart.unit);
}

std::string cut_label(const std::string& label) {
    if (label.size() <= kMaxLabelChars) return label;
    auto cut = kMaxLabelChars - 1;
    while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    return label.substr(0, cut) + "\xE2\x80\xA6";
}

// The axis: ticks every `step`, a step of 1, 2 or 5 times a power of ten and no finer than the
// chart's precision (so every tick label is exact as printed), up to the first tick at or above the
// largest value; or quarters of the chart's fixed maximum.
struct Scale {
    double end = 1;
    double step = 1;
};

Scale scale_of(const BarChart& chart) {
    if (chart.max) return {*chart.max, *chart.max / 4};
    double largest = 0;
    for (const auto& row : chart.rows) {
        for (const auto& value : row.values) {
            if (value && std::isfinite(*value)) largest = std::max(largest, *value);
        }
    }
    const double wanted = std::max(largest / 4, std::pow(10.0, -chart.decimals));
    const double power = std::pow(10.0, std::floor(std::log10(wanted)));
    double step = 10 * power;
    for (const double multiple : {1.0, 2.0, 5.0}) {
        if (multiple * power >= wanted * (1 - 1e-9)) {
            step = multiple * power;
            break;
        }
    }
    return {std::max(step, std::ceil(largest / step * (1 - 1e-9)) * step), step};
}

double label_width(const BarChart& chart) {
    std::size_t longest = 4;
    for (const auto& row : chart.rows) longest = std::max(longest, std::min(row.label.size(), kMaxLabelChars));
    return std::clamp(static_cast<double>(longest) * kCharWidth + 14, 80.0, 240.0);
}

void append_legend(std::string& out, const BarChart& chart, double left) {
    double x = left;
    for (const auto& series : chart.series) {
        out += fmt::format(R"(<rect class="{}" x="{:.1f}" y="6" width="10" height="10"/>)", escape(series.css_class), x);
        out += fmt::format(R"(<text class="legend" x="{:.1f}" y="15">{}</text>)", x + 14, escape(series.name));
        x += 14 + static_cast<double>(series.name.size()) * kCharWidth + 18;
    }
}

void append_axis(std::string& out, const BarChart& chart, const Scale& scale, double left, double plot_width, double top,
                 double bottom) {
    const auto ticks = static_cast<int>(std::lround(scale.end / scale.step));
    for (int tick = 0; tick <= ticks; ++tick) {
        const double x = left + plot_width * tick / ticks;
        out += fmt::format(R"(<line class="grid" x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}"/>)", x, top, bottom);
        out += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", x, bottom + 14,
                           escape(format_value(chart, scale.step * tick)));
    }
}

}  // namespace

std::string render_svg(const BarChart& chart) {
    const double left = label_width(chart);
    const double plot_width = kWidth - left - kValueSpace;
    const auto scale = scale_of(chart);
    const double end = scale.end;
    const auto series_count = std::max<std::size_t>(chart.series.size(), 1);
    const double row_height = static_cast<double>(series_count) * (kBarHeight + kBarGap) - kBarGap + 2 * kRowPadding;
    const double top = chart.series.empty() ? 6 : kLegendHeight;
    const double bottom = top + row_height * static_cast<double>(chart.rows.size());
    const double height = bottom + kAxisHeight;

    std::string out;
    out += fmt::format(R"(<svg class="chart" viewBox="0 0 {:.0f} {:.0f}" role="img" aria-labelledby="{}-t {}-d">)", kWidth,
                       height, escape(chart.id), escape(chart.id));
    out += fmt::format(R"(<title id="{}-t">{}</title><desc id="{}-d">{}</desc>)", escape(chart.id), escape(chart.title),
                       escape(chart.id), escape(chart.description));
    // Bands behind each group's rows, alternating, so a phase's models read as one block.
    std::size_t band = 0;
    for (std::size_t i = 0; i < chart.rows.size();) {
        std::size_t j = i;
        while (j < chart.rows.size() && chart.rows[j].group == chart.rows[i].group) ++j;
        out += fmt::format(R"(<rect class="band{}" x="0" y="{:.1f}" width="{:.0f}" height="{:.1f}"/>)", band++ % 2, top + row_height * i,
                           kWidth, row_height * (j - i));
        i = j;
    }
    if (!chart.series.empty()) append_legend(out, chart, left);
    append_axis(out, chart, scale, left, plot_width, top, bottom);
    for (std::size_t r = 0; r < chart.rows.size(); ++r) {
        const auto& row = chart.rows[r];
        const double row_top = top + row_height * static_cast<double>(r);
        out += fmt::format(R"(<text class="label" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)", left - 6,
                           row_top + row_height / 2 + 4, escape(cut_label(row.label)));
        for (std::size_t s = 0; s < chart.series.size() && s < row.values.size(); ++s) {
            const double y = row_top + kRowPadding + static_cast<double>(s) * (kBarHeight + kBarGap);
            const auto& series = chart.series[s];
            const auto& value = row.values[s];
            const std::string name = row.label + ", " + series.name;
            if (!value || !std::isfinite(*value)) {
                out += fmt::format(R"(<g><title>{}: n/a</title><text class="na" x="{:.1f}" y="{:.1f}">n/a</text></g>)", escape(name),
                                   left + 4, y + kBarHeight - 2);
                continue;
            }
            const double width = std::clamp(*value / end, 0.0, 1.0) * plot_width;
            const auto text = format_value(chart, *value);
            out += fmt::format(R"(<g><title>{}: {}</title><rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.0f}"/>)",
                               escape(name), escape(text), escape(series.css_class), left, y, std::max(width, 1.0), kBarHeight);
            out += fmt::format(R"(<text class="value" x="{:.1f}" y="{:.1f}">{}</text></g>)", left + width + 4, y + kBarHeight - 2,
                               escape(text));
        }
    }
    out += "</svg>";
    return out;
}

}  // namespace tunecap::html
