// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Horizontal bar charts as inline SVG: one row per label, one bar per series in each row, the
// value written at the end of each bar, a legend naming the series. Readable without the page's script or stylesheet: every
// chart has a <title> and <desc>, every bar a <title> naming its row, series and value.

#include <optional>
#include <string>
#include <vector>

namespace tunecap::html {

struct Series {
    std::string name;
    std::string css_class;  // colours it: the page's stylesheet defines s0 ... s3
};

struct BarRow {
    std::string label;   // "flamingo / music_flamingo"
    std::string group;   // rows of one group (a phase) share a band; a new group starts a new band
    std::vector<std::optional<double>> values;  // one per series; nullopt draws no bar ("n/a")
};

struct BarChart {
    std::string id;       // unique in the page: ids of its <title> and <desc>
    std::string title;
    std::string description;  // what is measured and which way is better
    std::string unit;     // after each value: " words", "%", " ms"
    int decimals = 0;
    std::optional<double> max;  // the scale's end; nullopt: the largest value
    std::vector<Series> series;
    std::vector<BarRow> rows;
};

std::string render_svg(const BarChart& chart);

}  // namespace tunecap::html
