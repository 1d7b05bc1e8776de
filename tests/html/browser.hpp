// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Headless Chromium for the report's process tests: the DOM after the page's script ran, a
// screenshot, and the requests the page made, from Chromium's own net log.

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"

namespace tunecap::testing {

// Chromium on PATH (Debian's package `chromium`, which scripts/install-deps installs); empty when
// there is none.
inline std::string find_chromium() {
    for (const char* name : {"chromium", "chromium-browser"}) {
        const auto probe = std::string("command -v ") + name + " >/dev/null 2>&1";
        if (std::system(probe.c_str()) == 0) return name;
    }
    return {};
}

// One headless Chromium run on one page. A run ends within 60 s (each takes 2-5 s; Chromium
// hangs rather than fails when its profile is broken) and counts as failed past that.
class Browser {
public:
    Browser(std::string binary, std::filesystem::path scratch) : m_binary(std::move(binary)), m_scratch(std::move(scratch)) {}

    // `--dump-dom`: the page's DOM after its script ran; writes the net log to `net_log`.
    std::string dom(const std::filesystem::path& page, const std::filesystem::path& net_log) {
        return run(page, {"--dump-dom", "--log-net-log=" + net_log.string(), "--net-log-capture-mode=Default"});
    }

    // What the page logged to the console (Content-Security-Policy violations among it), after
    // its media had time to load.
    std::string console(const std::filesystem::path& page) {
        run(page, {"--dump-dom", "--enable-logging=stderr", "--v=0"});
        return m_last_err;
    }

    void screenshot(const std::filesystem::path& page, const std::filesystem::path& png, const std::string& size = "1400,2000") {
        run(page, {"--screenshot=" + png.string(), "--window-size=" + size, "--hide-scrollbars"});
        if (!std::filesystem::exists(png)) throw std::runtime_error("chromium wrote no screenshot: " + m_last_err);
    }

private:
    std::string run(const std::filesystem::path& page, const std::vector<std::string>& action) {
        // A profile of its own per run (Chromium locks it), nothing started that the page does not
        // need, and every host name resolving to nothing, so even a request the page should not
        // make never leaves the machine: it still shows in the net log, which is what is checked.
        std::vector<std::string> args = {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                         "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                                         "--disable-background-networking", "--disable-component-update",
                                         "--disable-default-apps", "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND",
                                         "--user-data-dir=" + (m_scratch / ("chromium-profile-" + std::to_string(m_runs++))).string(),
                                         "--virtual-time-budget=10000"};
        args.insert(args.end(), action.begin(), action.end());
        args.push_back("file://" + page.string());
        std::string command = "timeout --kill-after=5 60 " + shell_quote(m_binary);
        for (const auto& arg : args) command += " " + shell_quote(arg);
        const auto out = m_scratch / "chromium.out", err = m_scratch / "chromium.err";
        command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
        const int status = std::system(command.c_str());
        m_last_err = read_text(err);
        if (status != 0) throw std::runtime_error("chromium failed (" + std::to_string(status) + "): " + m_last_err);
        return read_text(out);
    }

    std::string m_binary;
    std::filesystem::path m_scratch;
    int m_runs = 0;
    std::string m_last_err;
};

// The network requests a page made, from a Chromium net log: URL requests whose network isolation
// key is the page's (a file:// page's requests carry "file://"; Chromium's own background requests
// carry none, or Google's), for a scheme that leaves the machine.
inline std::set<std::string> page_network_requests(const std::filesystem::path& net_log) {
    std::ifstream in(net_log);
    const auto log = nlohmann::json::parse(in, nullptr, false);
    if (log.is_discarded() || !log.contains("events")) throw std::runtime_error("unreadable net log " + net_log.string());
    const auto start_job = log["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
    std::set<std::string> urls;
    for (const auto& event : log["events"]) {
        if (event.value("type", -2) != start_job || !event.contains("params")) continue;
        const auto& params = event["params"];
        const auto url = params.value("url", std::string());
        const auto isolation = params.value("network_isolation_key", std::string());
        const bool leaves = url.starts_with("http:") || url.starts_with("https:") || url.starts_with("ws:") || url.starts_with("wss:");
        if (leaves && isolation.find("file://") != std::string::npos) urls.insert(url);
    }
    return urls;
}

}  // namespace tunecap::testing
