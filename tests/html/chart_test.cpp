// SPDX-License-Identifier: GPL-3.0-or-later
// The SVG bar chart: titles for people and screen readers, one bar per value, exact tick labels.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "html/chart.hpp"

namespace tunecap::html {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

BarChart words(std::vector<std::optional<double>> values) {
    BarChart chart{"c", "Caption length", "Mean words", " w", 0, std::nullopt, {{"words", "s0"}}, {}};
    for (std::size_t i = 0; i < values.size(); ++i) chart.rows.push_back({"phase" + std::to_string(i) + " / m", "phase" + std::to_string(i), {values[i]}});
    return chart;
}

std::vector<std::string> ticks(const std::string& svg) {
    std::vector<std::string> out;
    const std::regex tick(R"re(<text class="tick"[^>]*>([^<]*)</text>)re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), tick), end; it != end; ++it) out.push_back((*it)[1].str());
    return out;
}

TEST(Chart, HasTitlesAndABarWithItsValueForEachRow) {
    const auto svg = render_svg(words({36.4, std::nullopt, 12}));
    EXPECT_THAT(svg, HasSubstr(R"(role="img" aria-labelledby="c-t c-d")"));
    EXPECT_THAT(svg, HasSubstr(R"(<title id="c-t">Caption length</title><desc id="c-d">Mean words</desc>)"));
    EXPECT_THAT(svg, HasSubstr("<title>phase0 / m, words: 36 w</title><rect class=\"s0\""));
    EXPECT_THAT(svg, HasSubstr("<title>phase1 / m, words: n/a</title>"));
    EXPECT_THAT(svg, HasSubstr("<title>phase2 / m, words: 12 w</title><rect class=\"s0\""));
    EXPECT_THAT(svg, Not(HasSubstr("xmlns")));  // the HTML parser gives inline SVG its namespace
}

TEST(Chart, TicksAreRoundNumbersUpToTheLargestValue) {
    EXPECT_THAT(ticks(render_svg(words({36.4, 12}))), ElementsAre("0 w", "10 w", "20 w", "30 w", "40 w"));
    EXPECT_THAT(ticks(render_svg(words({1000, 700}))), ElementsAre("0 w", "500 w", "1000 w"));
    // Nothing above zero: one step of the chart's precision, never repeated labels.
    EXPECT_THAT(ticks(render_svg(words({0, 0}))), ElementsAre("0 w", "1 w"));
    auto seconds = words({1.7, 0.3});
    seconds.decimals = 1;
    EXPECT_THAT(ticks(render_svg(seconds)), ElementsAre("0.0 w", "0.5 w", "1.0 w", "1.5 w", "2.0 w"));
    auto percent = words({12});
    percent.max = 100.0;
    EXPECT_THAT(ticks(render_svg(percent)), ElementsAre("0 w", "25 w", "50 w", "75 w", "100 w"));
}

TEST(Chart, LongLabelsAreCutWithTheWholeLabelInTheBarsTitle) {
    auto chart = words({5});
    chart.rows[0].label = "a_really_long_phase_name_for_testing / an_equally_long_model_name";
    const auto svg = render_svg(chart);
    EXPECT_THAT(svg, HasSubstr(">a_really_long_phase_name_for_test\xE2\x80\xA6</text>"));
    EXPECT_THAT(svg, HasSubstr("<title>a_really_long_phase_name_for_testing / an_equally_long_model_name, words: 5 w</title>"));
}

}  // namespace
}  // namespace tunecap::html
