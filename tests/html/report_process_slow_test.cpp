// SPDX-License-Identifier: GPL-3.0-or-later
// report.html as a browser shows it: `tunecap run` on rendered music through the fake llama-server
// writes the page, headless Chromium draws it; the DOM has the metrics of every phase and the first
// page of tracks, the page asked the network for nothing, and a screenshot is kept for people.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "browser.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kPhases = {"flamingo", "flamingo_genre", "flamingo_wrong_hint", "revision", "omni",
                                          "omni_genre", "omni_wrong_hint", "omni_revision", "ensemble", "facts"};

// A URL path's %XX escapes decoded: the file a relative link names.
std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
    const auto start = text.find(open);
    if (start == std::string::npos) return {};
    return text.substr(start + open.size(), text.find(close, start + open.size()) - start - open.size());
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class ReportInBrowser : public ::testing::Test {
protected:
    void SetUp() override {
        m_chromium = find_chromium();
        // CI installs Chromium (scripts/install-deps): its absence is a broken machine, not a skip.
        ASSERT_FALSE(m_chromium.empty()) << "chromium is not on PATH: install Debian's `chromium` package "
                                            "(bash scripts/install-deps) to test report.html in a browser";
        fs::create_directories(m_music);
        // Two tracks of rendered music (known tempo and key, so the captions' claims get verdicts)
        // under names a URL must encode, and a tone.
        run_tool(shell_quote(MAKE_CORPUS) + " " + shell_quote((m_temp / "corpus").string()) + " --count 2 --seconds 6");
        std::vector<fs::path> rendered;
        for (const auto& entry : fs::directory_iterator(m_temp / "corpus")) {
            if (entry.path().extension() == ".wav") rendered.push_back(entry.path());
        }
        std::sort(rendered.begin(), rendered.end());
        ASSERT_EQ(rendered.size(), 2u);
        fs::copy_file(rendered[0], m_music / "01 four #1 (caf\xC3\xA9).wav");
        fs::copy_file(rendered[1], m_music / "02 drum & bass?.wav");
        run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=440:duration=3 -ac 1 -ar 22050 " +
                 shell_quote((m_music / "03 tone.flac").string()));
        const auto models = write_tiny_models(m_temp / "models");
        const std::string audio = "{gguf: " + models.model.string() + ", mmproj: " + models.projector.string() + "}";
        std::ofstream(m_config) << "runtime:\n  server_env: [FAKE_LLAMA_*]\nmodels:\n  music_flamingo: " << audio << "\n  qwen_omni: " << audio
                                << "\n  qwen3_14b: {gguf: " << models.model.string() << "}\n  gpt_oss_20b: {gguf: "
                                << models.model.string() << "}\n  granite_tiny: {gguf: " << models.model.string() << "}\n";
    }

    Outcome run() {
        return run_tunecap({"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string(), "--genre", "Techno, House"},
                           m_temp.path(),
                           {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "FAKE_LLAMA_IDLE_EXIT_S=60"});
    }

    TempDir m_temp;
    fs::path m_music = m_temp / "music library";
    fs::path m_out = m_temp / "out";
    fs::path m_config = m_temp / "config.yaml";
    std::string m_chromium;
};

TEST_F(ReportInBrowser, RunWritesAPageThatDrawsEveryPhaseAndAsksTheNetworkForNothing) {
    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto page = m_out / "report.html";
    ASSERT_TRUE(fs::exists(page)) << outcome.out << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr(page.string()));

    Browser browser(m_chromium, m_temp.path());
    const auto net_log = m_temp / "net-log.json";
    const auto dom = browser.dom(page, net_log);
    // Kept beside the screenshot, so a failure here can be read whole; messages name only the part.
    const auto dom_copy = fs::current_path() / "report-dom.html";
    std::ofstream(dom_copy) << dom;
    const auto has = [&](const std::string& text, const std::string& needle) {
        return text.find(needle) != std::string::npos ? ::testing::AssertionSuccess()
                                                      : ::testing::AssertionFailure() << "not in the DOM (" << dom_copy.string()
                                                                                      << "): " << needle;
    };
    // The metrics table has a row for every phase of the default graph.
    const auto table = between(dom, "<table class=\"metrics\" id=\"metrics-table\">", "</table>");
    ASSERT_FALSE(table.empty()) << "no metrics table in " << dom_copy.string();
    for (const auto& phase : kPhases) EXPECT_TRUE(has(table, ">" + phase + "</th>"));
    EXPECT_TRUE(has(table, "class=\"num best\""));
    // The per-track view drew its first page: all three tracks, each model phase a column of the
    // first, and the facts template's caption a line of its own.
    EXPECT_TRUE(has(dom, "tracks 1-3 of 3, page 1 of 1"));
    EXPECT_EQ(count(dom, "<article class=\"track\""), 3u);
    const auto first_card = dom.find("<article class=\"track\" id=\"track-0\"");
    ASSERT_NE(first_card, std::string::npos) << "the script drew no track: " << dom_copy.string();
    const auto first = dom.substr(first_card);
    for (const auto& phase : kPhases) {
        if (phase != "facts") {
            EXPECT_TRUE(has(first, "<th scope=\"col\">" + phase + "</th>"));
        }
    }
    EXPECT_TRUE(has(first, "<div class=\"who\">facts \xC2\xB7 template</div>"));
    EXPECT_TRUE(has(first, "01 four #1 (caf\xC3\xA9).wav"));
    EXPECT_TRUE(has(first, "src=\"../music%20library/01%20four%20%231%20%28caf%C3%A9%29.wav\""));
    EXPECT_TRUE(has(dom, "src=\"../music%20library/02%20drum%20%26%20bass%3F.wav\""));
    EXPECT_TRUE(has(dom, "preload=\"none\""));
    EXPECT_TRUE(has(dom, "<mark class=\"v-"));  // the fake's "at around N BPM", checked against the facts
    EXPECT_TRUE(has(dom, "<span class=\"genre\">Techno</span>"));

    // The player's link names the track's file, and the page's own policy lets the browser load
    // it: a page with that policy and that link, preloading, logs no violation (and one with a
    // policy that forbids media does, so the check can see one).
    const auto src = between(first, "<audio controls=\"\" preload=\"none\" src=\"", "\"");
    ASSERT_FALSE(src.empty()) << "no player in the first track: " << dom_copy.string();
    EXPECT_TRUE(fs::exists(m_out / percent_decode(src))) << src;
    const auto policy = between(read_text(page), "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    const auto probe = [&](const std::string& csp) {
        const auto file = m_out / "player-probe.html";
        std::ofstream(file) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
                               "content=\"" << csp << "\"></head><body><audio controls preload=\"auto\" src=\"" << src
                            << "\"></audio></body></html>";
        return browser.console(file);
    };
    EXPECT_THAT(probe(policy), Not(HasSubstr("Content Security Policy"))) << policy;
    EXPECT_THAT(probe("default-src 'none'"), HasSubstr("Content Security Policy"));

    // No request of the page left for the network; the check itself sees one when there is one.
    EXPECT_TRUE(page_network_requests(net_log).empty()) << *page_network_requests(net_log).begin();
    const auto control = m_temp / "control.html";
    std::ofstream(control) << "<!DOCTYPE html><img src=\"http://tunecap-control.invalid/x.png\">";
    browser.dom(control, m_temp / "control-net-log.json");
    EXPECT_EQ(page_network_requests(m_temp / "control-net-log.json"),
              (std::set<std::string>{"http://tunecap-control.invalid/x.png"}));

    // For people: the test's folder keeps the last screenshot, and TUNECAP_REPORT_SCREENSHOT names
    // a copy to keep.
    const auto png = fs::current_path() / "report-screenshot.png";
    browser.screenshot(page, png);
    EXPECT_GT(fs::file_size(png), 20000u);
    if (const char* keep = std::getenv("TUNECAP_REPORT_SCREENSHOT"); keep && *keep) {
        fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
    }
}

}  // namespace
}  // namespace tunecap::testing
