// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hand-built metrics and tracks for the report tests, and small readers of the rendered page.

#include <string>
#include <vector>

#include "html/report.hpp"

namespace tunecap::html::testing {

inline metrics::Distribution distribution(double p50, double p95, std::size_t count = 10) {
    return {count, (p50 + p95) / 2, p50, p95};
}

// A group of `steps` steps, all done, with the speed and lengths given.
inline metrics::Group group(std::string phase, std::string model, double latency_p50, double tokens_per_second) {
    metrics::Group g;
    g.phase = std::move(phase);
    g.model = std::move(model);
    g.steps = 10;
    g.done = 10;
    g.words = distribution(40, 60);
    g.t5_tokens = distribution(55, 80);
    g.latency_ms = distribution(latency_p50, latency_p50 * 2);
    g.tokens_per_second = distribution(tokens_per_second, tokens_per_second * 1.2);
    g.tempo_claims = {10, 5, 0, 3, 2};
    g.key_claims = {4, 2, 1, 1, 0};
    g.distinct_1 = 0.4;
    g.distinct_2 = 0.7;
    return g;
}

// Four phases as the default graph names them; revision has two models.
inline metrics::Metrics sample_metrics() {
    metrics::Metrics m;
    m.tracks = 2;
    m.groups.push_back(group("flamingo", "music_flamingo", 900, 45));
    m.groups.push_back(group("flamingo_genre", "music_flamingo", 700, 50));
    m.groups.back().hinted = 10;
    m.groups.back().hint_named = 8;
    m.groups.push_back(group("revision", "gpt_oss_20b", 300, 120));
    m.groups.back().failed = 2;
    m.groups.back().done = 8;
    m.groups.back().agreement = 0.61;
    m.groups.back().agreement_pairs = 8;
    m.groups.push_back(group("revision", "qwen3_14b", 500, 80));
    m.groups.back().agreement = 0.58;
    m.groups.back().agreement_pairs = 8;
    m.groups.push_back(group("facts", "template", 0, 0));
    m.groups.back().latency_ms = distribution(0, 0);
    m.groups.back().tokens_per_second = {};
    m.groups.back().distinct_2 = 0.95;  // the most varied captions, but a reference, not a contender
    m.models.push_back({"gpt_oss_20b", 1, distribution(4.2, 4.2, 1), std::nullopt, 0});
    m.models.push_back({"music_flamingo", 1, distribution(9.5, 9.5, 1), 7100.0, 1});
    m.models.push_back({"qwen3_14b", 1, distribution(6.1, 6.1, 1), 9800.0, 0});
    return m;
}

inline store::StepRow step(std::string track, std::string phase, std::string model, std::string prompt, std::string caption) {
    store::StepRow row;
    row.key = track + phase + model + prompt;
    row.track_id = std::move(track);
    row.phase = std::move(phase);
    row.model = std::move(model);
    row.prompt = std::move(prompt);
    row.outcome = store::StepOutcome::done;
    row.caption = std::move(caption);
    row.finished_at = "2025-01-01T00:00:00Z";
    return row;
}

// A claim as the store keeps it (claims/claims_json.hpp), at the first `text` in the caption.
inline std::string claim(const std::string& caption, const std::string& kind, const std::string& text, const std::string& verdict) {
    const auto begin = caption.find(text);
    return "{\"kind\":\"" + kind + "\",\"text\":\"" + text + "\",\"begin\":" + std::to_string(begin) +
           ",\"end\":" + std::to_string(begin + text.size()) + ",\"verdict\":\"" + verdict + "\"}";
}

inline Report sample_report() {
    Report report;
    report.title = "out";
    report.generated_at = "2025-01-01T00:00:00Z";
    report.metrics = sample_metrics();
    report.phase_order = {"flamingo", "flamingo_genre", "revision", "facts"};
    report.prompt_order = {"descriptive", "brief", "facts"};
    report.report_dir = "/data/out";
    report.working_dir = "/data";
    Track one;
    one.row = {"one-abc", "music/one.flac", "abc", ""};
    one.info.genres = {"Techno"};
    one.info.genre_source = "tags";
    analysis::Facts facts;
    facts.duration_seconds = 185;
    facts.tempo = analysis::Tempo{128.04, 0.93};
    facts.key = analysis::Key{9, true, 0.8};
    facts.loudness = analysis::Loudness{-9.1, 5.2, -0.3};
    one.info.facts = facts;
    one.steps.push_back(step("one-abc", "flamingo", "music_flamingo", "descriptive", "A driving techno track at 140 BPM in A minor."));
    one.steps.back().claims = "[" + claim(one.steps.back().caption, "tempo", "140 BPM", "contradicts") + "," +
                              claim(one.steps.back().caption, "key", "A minor", "agrees") + "]";
    one.steps.push_back(step("one-abc", "revision", "qwen3_14b", "brief", ""));
    one.steps.back().outcome = store::StepOutcome::failed;
    one.steps.back().error = "server died twice";
    one.steps.push_back(step("one-abc", "facts", "template", "facts", "A 128 BPM track in A minor, tagged Techno."));
    Track two;
    two.row = {"two-def", "/data/music/two #2.wav", "def", ""};
    two.steps.push_back(step("two-def", "flamingo_genre", "music_flamingo", "brief", "Warm dub."));
    two.steps.back().hint_kind = store::HintKind::genres;
    two.steps.back().hint = "Dub";
    two.steps.back().flags = {"fallback_used", "wrapper_removed"};
    report.tracks = {one, two};
    return report;
}

// The text between the first `open` at or after `from` and the next `close`.
inline std::string between(const std::string& text, const std::string& open, const std::string& close, std::size_t from = 0) {
    const auto start = text.find(open, from);
    if (start == std::string::npos) return {};
    const auto end = text.find(close, start + open.size());
    return end == std::string::npos ? std::string() : text.substr(start + open.size(), end - start - open.size());
}

inline std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace tunecap::html::testing
