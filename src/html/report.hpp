// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// report.html: the benchmark's answer on one self-contained page. The metrics table (the best value
// of each column marked), the models table, bar charts as inline SVG, and a per-track view: each
// track's captions with phases as columns and prompts as rows, its facts and genres, flags and
// contradicted claims marked, and a player for its audio. Pure: values in, text out.
//
// The page loads nothing: no network, no external script, font, image or stylesheet. Its policy
// (a Content-Security-Policy meta element) allows only its own inline script and style, by hash,
// and media from its own origin or file: URLs, so the player's relative link works when the page is
// opened from disk or served beside the music. The per-track data is embedded once as JSON and
// drawn a page of tracks at a time by the inline script, so 1,000 tracks of 55 steps stay quick.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "metrics/metrics.hpp"
#include "report/facts_json.hpp"
#include "store/store.hpp"

namespace tunecap::html {

// A track of the per-track view.
struct Track {
    store::TrackRow row;      // id and file (as the run named it); an empty file: the row is missing
    report::TrackInfo info;   // genres and facts
    // Its stored steps in any order; of several rows of one (phase, model, prompt), the newest
    // (finished_at) is shown, as the metrics count it.
    std::vector<store::StepRow> steps;
};

// Beyond this many tracks the page embeds the first ones by file name and says so: 2,000 tracks of
// 55 steps are about 45 MB of captions, which a browser still opens in a second or two; the whole
// library's 50,000 would be over a gigabyte. The metrics always cover every track.
inline constexpr std::size_t kMaxTracksShown = 2000;

struct Report {
    std::string title;         // the heading: the output folder's name
    std::string generated_at;  // ISO 8601 UTC
    metrics::Metrics metrics;
    // The per-track view's columns and rows: phases and prompts in this order, then any others
    // the steps name, by name.
    std::vector<std::string> phase_order;
    std::vector<std::string> prompt_order;
    std::vector<Track> tracks;
    // Audio links are relative to the folder report.html is written to; a track file named by a
    // relative path is taken relative to working_dir (the folder the run was started from).
    std::filesystem::path report_dir;
    std::filesystem::path working_dir;
    std::size_t max_tracks_shown = kMaxTracksShown;
};

std::string render(const Report& report);

// The player's src for an audio file: its path relative to report_dir, percent-encoded
// ("../music/a%20b%20%231.flac"); a relative `file` is first taken relative to working_dir.
std::string audio_url(const std::filesystem::path& file, const std::filesystem::path& report_dir,
                      const std::filesystem::path& working_dir);

}  // namespace tunecap::html
