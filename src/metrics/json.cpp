// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap metrics --json`: every field of metrics.hpp by its name, in its declaration order.
#include <nlohmann/json.hpp>

#include "metrics/metrics.hpp"

namespace tunecap::metrics {
namespace {

using nlohmann::ordered_json;

ordered_json optional_json(const std::optional<double>& value) { return value ? ordered_json(*value) : ordered_json(nullptr); }

ordered_json distribution_json(const Distribution& d) {
    return {{"count", d.count}, {"mean", d.mean}, {"p50", d.p50}, {"p95", d.p95}};
}

ordered_json count_json(const Count& c) {
    return {{"made", c.made}, {"agrees", c.agrees}, {"related", c.related}, {"contradicts", c.contradicts},
            {"unverified", c.unverified}};
}

ordered_json phrases_json(const std::vector<Phrase>& phrases) {
    ordered_json out = ordered_json::array();
    for (const auto& phrase : phrases) out.push_back({{"words", phrase.words}, {"tracks", phrase.tracks}});
    return out;
}

ordered_json group_json(const Group& g) {
    return {{"phase", g.phase},
            {"model", g.model},
            {"prompt", g.prompt},
            {"steps", g.steps},
            {"done", g.done},
            {"failed", g.failed},
            {"empty", g.empty},
            {"flagged", g.flagged},
            {"words", distribution_json(g.words)},
            {"t5_tokens", distribution_json(g.t5_tokens)},
            {"cut_at_budget", g.cut_at_budget},
            {"tempo_claims", count_json(g.tempo_claims)},
            {"key_claims", count_json(g.key_claims)},
            {"hinted", g.hinted},
            {"hint_named", g.hint_named},
            {"wrong_hinted", g.wrong_hinted},
            {"wrong_named", g.wrong_named},
            {"unhinted", g.unhinted},
            {"unhinted_named", g.unhinted_named},
            {"common_phrases", phrases_json(g.common_phrases)},
            {"distinct_1", g.distinct_1},
            {"distinct_2", g.distinct_2},
            {"agreement", optional_json(g.agreement)},
            {"agreement_pairs", g.agreement_pairs},
            {"latency_ms", distribution_json(g.latency_ms)},
            {"tokens_per_second", distribution_json(g.tokens_per_second)}};
}

ordered_json model_json(const ModelLoads& m) {
    return {{"model", m.model},
            {"loads", m.loads},
            {"load_seconds", distribution_json(m.load_seconds)},
            {"peak_gpu_mib", optional_json(m.peak_gpu_mib)},
            {"restarts", m.restarts}};
}

}  // namespace

std::string to_json(const Metrics& metrics) {
    ordered_json groups = ordered_json::array();
    for (const auto& group : metrics.groups) groups.push_back(group_json(group));
    ordered_json models = ordered_json::array();
    for (const auto& model : metrics.models) models.push_back(model_json(model));
    const ordered_json out = {{"tracks", metrics.tracks}, {"groups", groups}, {"models", models}};
    // Phase and model names come from users' configs: replace invalid UTF-8 rather than fail on it.
    return out.dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace tunecap::metrics
