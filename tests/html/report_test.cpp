// SPDX-License-Identifier: GPL-3.0-or-later
// report.html from hand-built metrics and tracks: escaping, best values, charts, audio links, no
// URL that leaves the page, the policy's hashes, and what the per-track data holds.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/hash.hpp"
#include "core/text.hpp"
#include "html/escape.hpp"
#include "report_fixtures.hpp"

namespace tunecap::html {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace testing;

constexpr std::string_view kDataOpen = R"(<script type="application/json" id="track-data">)";

json track_data(const std::string& page) { return json::parse(between(page, std::string(kDataOpen), "</script>")); }

const json& track_by_id(const json& data, const std::string& id) {
    for (const auto& track : data["tracks"]) {
        if (track["id"] == id) return track;
    }
    throw std::runtime_error("no track " + id);
}

// The page without its embedded data: the markup tunecap itself wrote.
std::string markup(const std::string& page) {
    const auto start = page.find(kDataOpen);
    const auto end = page.find("</script>", start);
    return page.substr(0, start) + page.substr(end);
}

struct TableCell {
    bool best = false;
    std::string text;  // without tags
};

std::string strip_tags(const std::string& html) { return std::regex_replace(html, std::regex("<[^>]*>"), ""); }

// Header names and, by the text of each row's first cells, its cells, of the table with this id.
struct Table {
    std::vector<std::string> headers;
    std::vector<std::pair<std::string, std::vector<TableCell>>> rows;  // (phase or model + model, cells)

    const TableCell& cell(const std::string& row_name, const std::string& header) const {
        const auto column = std::find(headers.begin(), headers.end(), header) - headers.begin();
        for (const auto& [name, cells] : rows) {
            if (name == row_name) return cells.at(static_cast<std::size_t>(column));
        }
        throw std::runtime_error("no row " + row_name);
    }
};

Table read_table(const std::string& page, const std::string& id) {
    const auto html = between(page, "<table class=\"metrics\" id=\"" + id + "\">", "</table>");
    Table table;
    const std::regex th_pattern("<th scope=\"col\"[^>]*>([^<&]*)");
    const auto head = between(html, "<thead>", "</thead>");
    for (std::sregex_iterator it(head.begin(), head.end(), th_pattern), end; it != end; ++it) {
        table.headers.push_back(std::string(core::trim((*it)[1].str())));
    }
    const std::regex cell_pattern("<t([hd])([^>]*)>(.*?)</t[hd]>");
    const auto body = between(html, "<tbody>", "</tbody>");
    std::size_t at = 0;
    while ((at = body.find("<tr", at)) != std::string::npos) {
        const auto row_end = body.find("</tr>", at);
        const auto row = body.substr(at, row_end - at);
        std::vector<TableCell> cells;
        for (std::sregex_iterator it(row.begin(), row.end(), cell_pattern), end; it != end; ++it) {
            cells.push_back({(*it)[2].str().find("best") != std::string::npos, strip_tags((*it)[3].str())});
        }
        std::string name = cells.at(0).text + (id == "metrics-table" ? " / " + cells.at(1).text : "");
        table.rows.emplace_back(name, cells);
        at = row_end;
    }
    return table;
}

TEST(Report, HostileTextCannotBreakOutOfItsContext) {
    auto report = sample_report();
    const std::string hostile = "</script><img src=x onerror=alert(1)><!--<script>";
    report.tracks[0].steps[0].caption = hostile;
    report.tracks[0].steps[0].claims = "[]";
    report.tracks[1].row.file = "/data/music/\"><img src=x onerror=alert(2)>.wav";
    report.tracks[1].info.genres = {"<b>Dub</b>"};
    report.metrics.groups[0].model = "<svg onload=alert(3)>";
    report.metrics.models[0].model = "'\"><img src=x>";
    report.title = "</title><script>alert(4)</script>";
    const auto page = render(report);

    EXPECT_EQ(count(page, "<img"), 0u);
    EXPECT_EQ(count(page, "</script"), 2u);  // the data's and the script's own
    EXPECT_EQ(count(page, "<svg onload"), 0u);
    EXPECT_EQ(count(page, "<b>Dub"), 0u);
    EXPECT_THAT(page, HasSubstr("&lt;svg onload=alert(3)&gt;"));
    EXPECT_THAT(page, HasSubstr("<title>tunecap report: &lt;/title&gt;&lt;script&gt;alert(4)&lt;/script&gt;</title>"));
    // The data still says exactly what was stored.
    const auto data = track_data(page);
    EXPECT_EQ(track_by_id(data, "one-abc")["steps"][0][4], hostile);
    const auto& two = track_by_id(data, "two-def");
    EXPECT_EQ(two["file"], "/data/music/\"><img src=x onerror=alert(2)>.wav");
    EXPECT_EQ(two["genres"][0], "<b>Dub</b>");
    EXPECT_EQ(two["audio"], "../music/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E.wav");
}

TEST(Report, TheBestValueOfEachColumnIsMarked) {
    const auto page = render(sample_report());
    const auto table = read_table(page, "metrics-table");
    ASSERT_EQ(table.rows.size(), 5u);
    const auto best = [&](const std::string& row, const std::string& header) { return table.cell(row, header).best; };
    // Lower is better: the fastest model; the template phase made no request and is not a candidate.
    EXPECT_TRUE(best("revision / gpt_oss_20b", "Latency p50"));
    EXPECT_FALSE(best("revision / qwen3_14b", "Latency p50"));
    EXPECT_FALSE(best("facts / template", "Latency p50"));
    EXPECT_EQ(table.cell("facts / template", "Latency p50").text, "\xE2\x80\x93");
    EXPECT_EQ(table.cell("revision / gpt_oss_20b", "Latency p50").text, "&#9733; 300 ms");
    // Higher is better.
    EXPECT_TRUE(best("revision / gpt_oss_20b", "Tokens/s"));
    EXPECT_FALSE(best("flamingo / music_flamingo", "Tokens/s"));
    EXPECT_TRUE(best("revision / gpt_oss_20b", "Agreement"));
    EXPECT_FALSE(best("revision / qwen3_14b", "Agreement"));
    // Ties are all marked; the row that lost is not.
    EXPECT_TRUE(best("flamingo / music_flamingo", "Failed"));
    EXPECT_TRUE(best("revision / qwen3_14b", "Failed"));
    EXPECT_FALSE(best("revision / gpt_oss_20b", "Failed"));
    EXPECT_EQ(table.cell("revision / gpt_oss_20b", "Failed").text, "20%");
    EXPECT_FALSE(best("revision / gpt_oss_20b", "Done"));
    EXPECT_TRUE(best("revision / qwen3_14b", "Done"));
    // The template phase sent no request: shown for reference, never marked, even where it leads.
    EXPECT_EQ(table.cell("facts / template", "Distinct-2").text, "0.950");
    for (const auto& [name, cells] : table.rows) EXPECT_FALSE(best(name, "Distinct-2")) << name;  // the rest are equal
    // No direction, or all equal: nothing marked.
    for (const auto& [name, cells] : table.rows) {
        EXPECT_FALSE(best(name, "Steps")) << name;
        EXPECT_FALSE(best(name, "Words")) << name;
        EXPECT_FALSE(best(name, "Tempo agrees")) << name;
    }
    EXPECT_THAT(page, HasSubstr("<b>Higher is better</b> (&#8593;): Done, Tempo agrees, Key agrees, Hint followed, Agreement, "
                                "Distinct-2, Tokens/s."));
    EXPECT_THAT(page, HasSubstr("<b>Lower is better</b> (&#8595;): Failed, Flagged, Cut, Contradicted, Wrong hint followed, "
                                "Latency p50, Latency p95."));

    const auto models = read_table(page, "models-table");
    ASSERT_EQ(models.rows.size(), 3u);
    EXPECT_TRUE(models.cell("gpt_oss_20b", "Load time").best);
    EXPECT_FALSE(models.cell("qwen3_14b", "Load time").best);
    EXPECT_TRUE(models.cell("music_flamingo", "Peak GPU MiB").best);
    EXPECT_EQ(models.cell("gpt_oss_20b", "Peak GPU MiB").text, "\xE2\x80\x93");
    EXPECT_FALSE(models.cell("music_flamingo", "Restarts").best);
    EXPECT_TRUE(models.cell("qwen3_14b", "Restarts").best);
}

TEST(Report, EveryChartHasARowForEveryPhaseWithData) {
    const auto page = render(sample_report());
    const auto chart = [&](const std::string& id) { return between(page, "aria-labelledby=\"" + id + "-t", "</svg>"); };
    const std::vector<std::string> model_groups = {"flamingo / music_flamingo", "flamingo_genre / music_flamingo",
                                                   "revision / gpt_oss_20b", "revision / qwen3_14b"};
    for (const auto* id : {"chart-length", "chart-facts", "chart-outcomes", "chart-latency", "chart-speed"}) {
        const auto svg = chart(id);
        ASSERT_FALSE(svg.empty()) << id;
        EXPECT_THAT(svg, HasSubstr("<title id=\"" + std::string(id) + "-t\">")) << id;
        EXPECT_THAT(svg, HasSubstr("<desc id=\"" + std::string(id) + "-d\">")) << id;
        for (const auto& group : model_groups) EXPECT_THAT(svg, HasSubstr("<title>" + group)) << id << " " << group;
    }
    // The template phase measured no speed, so its bars are not drawn as a best-looking zero.
    EXPECT_THAT(chart("chart-length"), HasSubstr("<title>facts / template"));
    EXPECT_THAT(chart("chart-latency"), Not(HasSubstr("facts / template")));
    EXPECT_THAT(chart("chart-latency"), HasSubstr("<title>revision / gpt_oss_20b, p50: 0.3 s</title>"));
    // Hints: only groups that had hints or known genres; the true hint's share.
    EXPECT_THAT(chart("chart-hints"), HasSubstr("<title>flamingo_genre / music_flamingo, true hint: 80%</title>"));
    EXPECT_THAT(chart("chart-hints"), Not(HasSubstr("revision /")));
    EXPECT_THAT(chart("chart-hints"), Not(HasSubstr("wrong hint")));  // no group had the probe: no empty series
}

TEST(Report, AudioLinksAreRelativeToTheReportFolder) {
    const auto data = track_data(render(sample_report()));
    ASSERT_EQ(data["tracks"].size(), 2u);
    // Sorted by file name: "/data/music/two #2.wav" before "music/one.flac".
    EXPECT_EQ(data["tracks"][0]["audio"], "../music/two%20%232.wav");
    EXPECT_EQ(data["tracks"][1]["audio"], "../music/one.flac");
}

TEST(Report, NoAttributeOrStyleReachesOutsideThePage) {
    auto report = sample_report();
    report.tracks[0].steps[0].caption = R"(<a href="https://evil.example/x">x</a> <script src="//cdn.example/x.js"></script>)";
    const auto page = render(report);
    const auto own = markup(page);
    const std::regex attribute(R"re(\b(src|href|action|formaction|poster|data|xlink:href|srcset|background)\s*=\s*["']?([^"'\s>]*))re",
                               std::regex::icase);
    std::size_t attributes = 0;
    for (std::sregex_iterator it(own.begin(), own.end(), attribute), end; it != end; ++it, ++attributes) {
        const auto value = (*it)[2].str();
        EXPECT_FALSE(value.starts_with("//") || value.find("://") != std::string::npos || value.starts_with("http") ||
                     value.starts_with("ws"))
            << (*it)[0];
    }
    EXPECT_GE(attributes, 5u);  // the section links and the icon were seen
    EXPECT_THAT(own, Not(HasSubstr("http://")));
    EXPECT_THAT(own, Not(HasSubstr("https://")));
    EXPECT_THAT(own, Not(HasSubstr("url(")));
    EXPECT_THAT(own, Not(HasSubstr("@import")));
    // The data holds the hostile caption as inert text: no markup can start inside it.
    const auto data = between(page, std::string(kDataOpen), "</script>");
    EXPECT_EQ(data.find('<'), std::string::npos);
}

std::string hash_source(std::string_view text) {
    const auto hex = core::sha256_hex(text);
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < hex.size(); i += 2) bytes.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return "'sha256-" + core::base64_encode(bytes) + "'";
}

TEST(Report, ThePolicyAllowsOnlyThePagesOwnStyleAndScript) {
    const auto page = render(sample_report());
    const auto policy = between(page, R"(<meta http-equiv="Content-Security-Policy" content=")", "\">");
    ASSERT_FALSE(policy.empty());
    EXPECT_THAT(policy, HasSubstr("default-src 'none'"));
    EXPECT_THAT(policy, Not(HasSubstr("unsafe-inline")));
    EXPECT_THAT(policy, HasSubstr("media-src 'self' file:"));
    const auto style = between(page, "<style>", "</style>");
    const auto script = between(page, "</script>\n<script>", "</script>");
    ASSERT_FALSE(script.empty());
    EXPECT_THAT(policy, HasSubstr("style-src " + hash_source(style) + ";"));
    EXPECT_THAT(policy, HasSubstr("script-src " + hash_source(script) + ";"));
}

TEST(Report, TrackDataHoldsTheNewestRowOfEachStepWithClaimsInUtf16) {
    auto report = sample_report();
    auto older = report.tracks[0].steps[0];
    older.caption = "an older caption";
    older.claims = "[]";
    older.finished_at = "2024-01-01T00:00:00Z";
    report.tracks[0].steps.push_back(older);
    auto& newest = report.tracks[0].steps[0];
    newest.caption = "\xF0\x9F\x8E\xB5 driving at 140 BPM";
    newest.claims = "[" + claim(newest.caption, "tempo", "140 BPM", "contradicts") + "]";
    const auto data = track_data(render(report));

    const auto& one = data["tracks"][1];
    EXPECT_EQ(one["file"], "music/one.flac");
    EXPECT_EQ(one["genres"], json({"Techno"}));
    EXPECT_EQ(one["facts"]["tempo"], "128.0 BPM (confidence 0.93)");
    EXPECT_EQ(one["facts"]["key"], "A minor (confidence 0.80)");
    EXPECT_EQ(one["facts"]["duration"], "3:05");
    EXPECT_EQ(one["marks"], 1 | 2);  // a failed step, a contradicted claim
    ASSERT_EQ(one["steps"].size(), 3u);  // one row of the two flamingo/descriptive ones
    const auto& phases = data["phases"];
    const auto& step = one["steps"][0];
    EXPECT_EQ(phases[step[0].get<std::size_t>()], "flamingo");
    EXPECT_EQ(step[4], newest.caption);
    const auto& claim_row = step[7][0];
    EXPECT_EQ(claim_row[0], 14);  // the emoji is two UTF-16 units (four bytes), " driving at " twelve
    EXPECT_EQ(claim_row[1], 21);
    EXPECT_EQ(data["verdicts"][claim_row[2].get<std::size_t>()], "contradicts");
    EXPECT_THAT(claim_row[3].get<std::string>(), HasSubstr("measured: 128.0 BPM"));
    // Steps in phase order: flamingo, revision (failed, with its error), facts.
    EXPECT_EQ(phases[one["steps"][1][0].get<std::size_t>()], "revision");
    EXPECT_EQ(one["steps"][1][3], 1);
    EXPECT_EQ(one["steps"][1][6], "server died twice");
    EXPECT_EQ(phases[one["steps"][2][0].get<std::size_t>()], "facts");

    const auto& two = data["tracks"][0];
    EXPECT_EQ(two["marks"], 4);  // fallback_used keeps it out of training
    const auto& hinted = two["steps"][0];
    EXPECT_EQ(hinted[8], 1);
    EXPECT_EQ(hinted[9], "Dub");
    std::vector<std::string> flags;
    for (const auto& f : hinted[5]) flags.push_back(data["flags"][f.get<std::size_t>()][0]);
    EXPECT_EQ(flags, (std::vector<std::string>{"fallback_used", "wrapper_removed"}));
    EXPECT_EQ(data["flags"][hinted[5][0].get<std::size_t>()][1], 1);
    EXPECT_EQ(data["flags"][hinted[5][1].get<std::size_t>()][1], 0);
}

TEST(Report, PhasesAndPromptsFollowTheConfigThenName) {
    auto report = sample_report();
    report.tracks[1].steps.push_back(step("two-def", "alpha_extra", "m", "zeta", "x"));
    const auto data = track_data(render(report));
    EXPECT_EQ(data["phases"], json({"flamingo", "flamingo_genre", "revision", "facts", "alpha_extra"}));
    EXPECT_EQ(data["prompts"], json({"descriptive", "brief", "facts", "zeta"}));
}

TEST(Report, TracksBeyondTheLimitAreLeftOutWithANote) {
    auto report = sample_report();
    report.max_tracks_shown = 1;
    const auto page = render(report);
    const auto data = track_data(page);
    EXPECT_EQ(data["tracks"].size(), 1u);
    EXPECT_EQ(data["total"], 2);
    EXPECT_THAT(page, HasSubstr("the first 1 of 2 tracks by file name"));
}

TEST(Report, AnEmptyStoreStillMakesAPage) {
    Report report;
    report.title = "empty";
    const auto page = render(report);
    EXPECT_THAT(page, HasSubstr("No steps stored yet."));
    EXPECT_EQ(track_data(page)["tracks"].size(), 0u);
    EXPECT_THAT(page, HasSubstr("No group has data for this chart."));
}

}  // namespace
}  // namespace tunecap::html
