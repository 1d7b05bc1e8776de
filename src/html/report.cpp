// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/report.hpp"

#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "core/base64.hpp"
#include "core/hash.hpp"
#include "html/assets.hpp"
#include "html/charts.hpp"
#include "html/escape.hpp"
#include "html/tables.hpp"
#include "html/track_data.hpp"

namespace tunecap::html {
namespace {

namespace fs = std::filesystem;

// A CSP source for an inline element's text: 'sha256-<base64 of the digest>'.
std::string csp_hash(std::string_view text) {
    const auto hex = core::sha256_hex(text);
    std::vector<std::uint8_t> digest;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) digest.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return "'sha256-" + core::base64_encode(digest) + "'";
}

// Nothing but the page's own inline style and script (by hash, so markup that slipped past the
// escaping still could not run), and media from the page's origin or from file: URLs: 'self' is
// what a served report needs, and file: what a browser that gives a file:// page an opaque origin
// needs for the relative player link. The icon is an empty data: URL, so no browser asks for
// /favicon.ico.
std::string content_security_policy() {
    return "default-src 'none'; style-src " + csp_hash(report_style()) + "; script-src " + csp_hash(report_script()) +
           "; img-src data:; media-src 'self' file:; base-uri 'none'; form-action 'none'";
}

std::size_t step_count(const metrics::Metrics& metrics) {
    std::size_t steps = 0;
    for (const auto& group : metrics.groups) steps += group.steps;
    return steps;
}

void append_head(std::string& out, const Report& report) {
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + content_security_policy() + "\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    out += "<meta name=\"generator\" content=\"tunecap\">\n";
    out += "<title>tunecap report: " + escape(report.title) + "</title>\n";
    out += "<link rel=\"icon\" href=\"data:,\">\n";
    out += "<style>";
    out += report_style();
    out += "</style>\n</head>\n";
}

void append_header(std::string& out, const Report& report) {
    out += "<header>\n<h1>tunecap report <span class=\"title\">" + escape(report.title) + "</span></h1>\n";
    out += fmt::format("<p class=\"summary\">{} track(s), {} step(s) in {} group(s); generated {}.</p>\n", report.metrics.tracks,
                       step_count(report.metrics), report.metrics.groups.size(), escape(report.generated_at));
    out += "<nav aria-label=\"sections\"><a href=\"#metrics\">Metrics</a> <a href=\"#models\">Models</a> "
           "<a href=\"#charts\">Charts</a> <a href=\"#phrases\">Phrases</a> <a href=\"#tracks\">Tracks</a></nav>\n</header>\n";
}

void append_track_section(std::string& out, const Report& report) {
    out += "<section id=\"tracks\">\n<h2>Tracks</h2>\n";
    if (report.tracks.size() > report.max_tracks_shown) {
        out += fmt::format("<p class=\"note\">This page holds the captions of the first {} of {} tracks by file name; the "
                           "metrics above cover them all.</p>\n",
                           report.max_tracks_shown, report.tracks.size());
    }
    out += R"(<p class="legend">Phases are columns and prompts rows; each cell holds each model's caption. Claims are marked )"
           R"(<mark class="v-contradicts">contradicts</mark> <mark class="v-related">related</mark> )"
           R"(<mark class="v-agrees">agrees</mark> <mark class="v-unverified">unverified</mark> against the measured facts )"
           R"((hover for details); <span class="flag block">red flags</span> keep a caption out of training.</p>)"
           "\n";
    out += R"(<div id="track-controls" class="controls">)"
           R"(<label>Search <input type="search" id="track-search" placeholder="file name, genre or track id"></label> )"
           R"(<label>Show <select id="track-filter"><option value="0">all tracks</option>)"
           R"(<option value="1">with failed steps</option><option value="2">with contradicted claims</option>)"
           R"(<option value="4">with flagged captions</option></select></label> )"
           R"(<label>Per page <select id="track-page-size"><option>5</option><option selected>10</option>)"
           R"(<option>25</option></select></label> )"
           R"(<button type="button" id="track-prev">&#8592; Previous</button> )"
           R"(<span id="track-status" role="status" aria-live="polite"></span> )"
           R"(<button type="button" id="track-next">Next &#8594;</button></div>)"
           "\n";
    out += "<noscript><p class=\"note\">The per-track view is drawn by the page's script; allow scripts for this file to see "
           "it.</p></noscript>\n";
    out += "<ol id=\"track-list\" class=\"track-list\"></ol>\n<div id=\"track-view\"></div>\n</section>\n";
}

}  // namespace

std::string audio_url(const fs::path& file, const fs::path& report_dir, const fs::path& working_dir) {
    const auto absolute = [&](const fs::path& path) {
        auto normal = (path.is_absolute() ? path : working_dir / path).lexically_normal();
        return normal.has_filename() ? normal : normal.parent_path();  // "out/" is the folder "out"
    };
    // Lexical, not canonical: the browser resolves the link against the path the page was opened
    // by, without following symbolic links.
    auto relative = absolute(file).lexically_relative(absolute(report_dir));
    if (relative.empty()) relative = absolute(file);  // never on POSIX, where both start at /
    return percent_encode_path(relative);
}

std::string render(const Report& report) {
    const auto data = track_data_json(report);
    std::string out;
    out.reserve(data.size() + 256 * 1024);
    append_head(out, report);
    out += "<body>\n";
    append_header(out, report);
    out += "<main>\n<section id=\"metrics\">\n<h2>Metrics by phase and model</h2>\n";
    out += render_metrics_table(report.metrics);
    out += "\n</section>\n<section id=\"models\">\n<h2>Models</h2>\n";
    out += render_models_table(report.metrics);
    out += "\n</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n";
    out += render_charts(report.metrics);
    out += "\n</section>\n<section id=\"phrases\">\n<details>\n<summary>Phrases every track gets</summary>\n";
    out += render_phrases_table(report.metrics);
    out += "\n</details>\n</section>\n";
    append_track_section(out, report);
    out += "</main>\n<script type=\"application/json\" id=\"track-data\">";
    out += data;
    out += "</script>\n<script>";
    out += report_script();
    out += "</script>\n</body>\n</html>\n";
    return out;
}

}  // namespace tunecap::html
