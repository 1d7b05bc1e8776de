// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include "claims/measured_facts.hpp"
#include "clean/clean.hpp"
#include "clean/token_counter.hpp"
#include "core/text.hpp"
#include "metrics/claim_counts.hpp"
#include "metrics/phrases.hpp"
#include "metrics/words.hpp"

namespace tunecap::metrics {
namespace {

// A step that counts (the newest of its track, phase, model and prompt), with its caption as words.
struct Step {
    const store::StepRow* row = nullptr;
    const report::TrackInfo* track = nullptr;  // nullptr: the track has no info
    std::vector<WordId> words;  // in caption order
    std::vector<WordId> bag;    // sorted, repeats kept: for agreement
    // Token F1 with the done steps of other models for the same track and prompt: summed here, once
    // per pair, and averaged over the group.
    double agreement_sum = 0;
    std::size_t agreement_pairs = 0;

    bool done() const { return row->outcome == store::StepOutcome::done; }
};

struct GroupKey {
    std::size_t phase_rank = 0;  // position in the phase order; phases it does not name share the last
    std::string phase, model, prompt;
    auto operator<=>(const GroupKey&) const = default;
};

bool has_flag(const store::StepRow& row, std::string_view flag) {
    return std::find(row.flags.begin(), row.flags.end(), flag) != row.flags.end();
}

// Of the rows of each (track, phase, model, prompt), the one finished last; on a tie the smaller
// key, as the store orders them. ISO 8601 UTC times compare as text.
std::vector<const store::StepRow*> newest_rows(const std::vector<store::StepRow>& rows) {
    std::unordered_map<std::string, const store::StepRow*> newest;
    newest.reserve(rows.size());
    for (const auto& row : rows) {
        auto unit = row.track_id;
        for (const auto* part : {&row.phase, &row.model, &row.prompt}) (unit += '\0') += *part;
        auto [it, added] = newest.try_emplace(std::move(unit), &row);
        const auto* kept = it->second;
        if (!added && std::tie(row.finished_at, kept->key) > std::tie(kept->finished_at, row.key)) it->second = &row;
    }
    std::vector<const store::StepRow*> out;
    out.reserve(newest.size());
    for (const auto& [unit, row] : newest) out.push_back(row);
    return out;
}

const report::TrackInfo* track_info(const Inputs& inputs, const std::string& track_id) {
    const auto it = inputs.tracks.find(track_id);
    return it == inputs.tracks.end() ? nullptr : &it->second;
}

// Ordered by track and prompt, so that the steps compared for agreement are next to each other; and
// in a fixed order (not the hash map's), so that words are numbered the same way on every run.
std::vector<Step> counted_steps(const Inputs& inputs, Vocabulary& vocabulary) {
    auto newest = newest_rows(inputs.steps);
    std::sort(newest.begin(), newest.end(), [](const auto* a, const auto* b) {
        return std::tie(a->track_id, a->prompt, a->phase, a->model) < std::tie(b->track_id, b->prompt, b->phase, b->model);
    });
    std::vector<Step> steps;
    steps.reserve(newest.size());
    for (const auto* row : newest) {
        Step step{row, nullptr, {}, {}, 0, 0};
        const bool same_track = !steps.empty() && steps.back().row->track_id == row->track_id;
        step.track = same_track ? steps.back().track : track_info(inputs, row->track_id);
        if (step.done()) {
            step.words = vocabulary.add(row->caption);
            step.bag = step.words;
            std::sort(step.bag.begin(), step.bag.end());
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

GroupKey group_key(const store::StepRow& row, const Inputs& inputs, const Options& options) {
    const auto& order = inputs.phase_order;
    const auto rank = static_cast<std::size_t>(std::find(order.begin(), order.end(), row.phase) - order.begin());
    return {rank, row.phase, row.model, options.by_prompt ? row.prompt : std::string()};
}

Distribution distribution(std::vector<double> values) {
    // A NaN timing (the store keeps one as it was measured) would break the sort and every figure.
    std::erase_if(values, [](double value) { return !std::isfinite(value); });
    Distribution out;
    out.count = values.size();
    if (values.empty()) return out;
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double value : values) sum += value;
    out.mean = sum / static_cast<double>(values.size());
    // Nearest rank: the smallest value with at least p percent of the values at or below it.
    const auto rank = [&](double p) {
        const auto n = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
        return values[std::max<std::size_t>(n, 1) - 1];
    };
    out.p50 = rank(50);
    out.p95 = rank(95);
    return out;
}

void add_outcomes(Group& group, const std::vector<const Step*>& steps) {
    for (const auto* step : steps) {
        ++group.steps;
        ++(step->done() ? group.done : group.failed);
        if (has_flag(*step->row, clean::to_string(clean::Flag::empty))) ++group.empty;
        if (step->done() && std::any_of(step->row->flags.begin(), step->row->flags.end(),
                                        [](const std::string& flag) { return clean::is_flagged(flag); })) {
            ++group.flagged;
        }
    }
}

void add_caption_sizes(Group& group, const std::vector<const Step*>& done) {
    const clean::EstimateCounter counter;
    std::vector<double> words, tokens;
    for (const auto* step : done) {
        words.push_back(static_cast<double>(step->words.size()));
        tokens.push_back(counter.count(step->row->caption));
        if (has_flag(*step->row, clean::to_string(clean::Flag::truncated))) ++group.cut_at_budget;
    }
    group.words = distribution(std::move(words));
    group.t5_tokens = distribution(std::move(tokens));
}

void add_claims(Group& group, const std::vector<const Step*>& done) {
    for (const auto* step : done) {
        // Only rows stored without their claims are checked here, against the facts.
        const bool measured = step->row->claims.empty() && step->track && step->track->facts;
        const auto facts = measured ? std::optional(claims::measured_facts(*step->track->facts)) : std::nullopt;
        count_claims(*step->row, facts ? &*facts : nullptr, group.tempo_claims, group.key_claims);
    }
}

// Whether the caption names one of the genres, as names_genre reads it ("hip-hop" names Hip Hop).
bool names_a_genre(const Step& step, const std::vector<std::string>& genres, const Vocabulary& vocabulary) {
    std::vector<std::string_view> words;
    words.reserve(step.words.size());
    for (const WordId id : step.words) words.emplace_back(vocabulary.word(id));
    return std::any_of(genres.begin(), genres.end(), [&](const std::string& genre) { return names_genre(words, genre); });
}

// "Minimal Techno, Dub" -> {"Minimal Techno", "Dub"}.
std::vector<std::string> hinted_genres(const std::string& hint) {
    std::vector<std::string> genres;
    std::string_view rest = hint;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        if (const auto genre = core::trim(rest.substr(0, comma)); !genre.empty()) genres.emplace_back(genre);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return genres;
}

// The track's genres, without the fallback "Unknown" that stands for none.
std::vector<std::string> known_genres(const report::TrackInfo* info) {
    std::vector<std::string> genres;
    if (!info) return genres;
    for (const auto& genre : info->genres) {
        if (!core::iequals_ascii(genre, "Unknown")) genres.push_back(genre);
    }
    return genres;
}

void add_hints(Group& group, const std::vector<const Step*>& done, const Vocabulary& vocabulary) {
    for (const auto* step : done) {
        const auto& row = *step->row;
        switch (row.hint_kind) {
            case store::HintKind::genres:
                ++group.hinted;
                if (names_a_genre(*step, hinted_genres(row.hint), vocabulary)) ++group.hint_named;
                break;
            case store::HintKind::wrong:
                ++group.wrong_hinted;
                if (names_a_genre(*step, hinted_genres(row.hint), vocabulary)) ++group.wrong_named;
                break;
            case store::HintKind::none:
                if (const auto genres = known_genres(step->track); !genres.empty()) {
                    ++group.unhinted;
                    if (names_a_genre(*step, genres, vocabulary)) ++group.unhinted_named;
                }
                break;
        }
    }
}

// Token F1 of two bags of words: twice the shared words (counted as often as both hold them) over
// the words of both.
double token_f1(const std::vector<WordId>& a, const std::vector<WordId>& b) {
    if (a.empty() && b.empty()) return 0;
    std::size_t shared = 0;
    for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
        if (*i < *j) {
            ++i;
        } else if (*j < *i) {
            ++j;
        } else {
            ++shared, ++i, ++j;
        }
    }
    return 2.0 * static_cast<double>(shared) / static_cast<double>(a.size() + b.size());
}

// Compares each done step with the done steps of other models, whatever their phase, for the same
// track and prompt: the run of steps next to it (counted_steps).
void add_agreement(std::vector<Step>& steps) {
    const auto same_unit = [](const Step& a, const Step& b) {
        return a.row->track_id == b.row->track_id && a.row->prompt == b.row->prompt;
    };
    for (auto run = steps.begin(); run != steps.end();) {
        const auto end = std::find_if(run, steps.end(), [&](const Step& step) { return !same_unit(step, *run); });
        for (auto a = run; a != end; ++a) {
            for (auto b = std::next(a); b != end; ++b) {
                if (!a->done() || !b->done() || a->row->model == b->row->model) continue;
                const double f1 = token_f1(a->bag, b->bag);
                a->agreement_sum += f1;
                b->agreement_sum += f1;
                ++a->agreement_pairs;
                ++b->agreement_pairs;
            }
        }
        run = end;
    }
}

void sum_agreement(Group& group, const std::vector<const Step*>& done) {
    double sum = 0;
    for (const auto* step : done) {
        sum += step->agreement_sum;
        group.agreement_pairs += step->agreement_pairs;
    }
    if (group.agreement_pairs > 0) group.agreement = sum / static_cast<double>(group.agreement_pairs);
}

void add_speed(Group& group, const std::vector<const Step*>& done) {
    std::vector<double> latency, speed;
    for (const auto* step : done) {
        const auto& row = *step->row;
        latency.push_back(row.elapsed_ms);
        if (row.predicted_ms > 0) speed.push_back(row.completion_tokens / (row.predicted_ms / 1000));
    }
    group.latency_ms = distribution(std::move(latency));
    group.tokens_per_second = distribution(std::move(speed));
}

std::vector<CaptionWords> caption_words(const std::vector<const Step*>& done) {
    std::vector<CaptionWords> out;
    out.reserve(done.size());
    for (const auto* step : done) out.push_back({step->row->track_id, &step->words});
    return out;
}

Group make_group(const GroupKey& key, const std::vector<const Step*>& steps, const Vocabulary& vocabulary) {
    Group group;
    group.phase = key.phase;
    group.model = key.model;
    group.prompt = key.prompt;
    std::vector<const Step*> done;
    std::copy_if(steps.begin(), steps.end(), std::back_inserter(done), [](const Step* step) { return step->done(); });
    add_outcomes(group, steps);
    add_caption_sizes(group, done);
    add_claims(group, done);
    add_hints(group, done, vocabulary);
    add_phrases(group, caption_words(done), vocabulary);
    sum_agreement(group, done);
    add_speed(group, done);
    return group;
}

std::vector<ModelLoads> model_loads(const std::vector<store::LoadRow>& loads) {
    std::map<std::string, std::vector<const store::LoadRow*>> by_model;
    for (const auto& load : loads) by_model[load.model].push_back(&load);
    std::vector<ModelLoads> out;
    for (const auto& [model, rows] : by_model) {
        ModelLoads entry;
        entry.model = model;
        entry.loads = rows.size();
        std::vector<double> seconds;
        for (const auto* row : rows) {
            seconds.push_back(row->load_seconds);
            if (row->peak_gpu_mib) entry.peak_gpu_mib = std::max(entry.peak_gpu_mib.value_or(*row->peak_gpu_mib), *row->peak_gpu_mib);
            entry.restarts += row->restarts;
        }
        entry.load_seconds = distribution(std::move(seconds));
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

Metrics compute(const Inputs& inputs, const Options& options) {
    Vocabulary vocabulary;
    auto steps = counted_steps(inputs, vocabulary);
    add_agreement(steps);
    Metrics metrics;
    std::map<GroupKey, std::vector<const Step*>> groups;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        groups[group_key(*steps[i].row, inputs, options)].push_back(&steps[i]);
        // Steps come by track (counted_steps).
        if (i == 0 || steps[i].row->track_id != steps[i - 1].row->track_id) ++metrics.tracks;
    }
    for (const auto& [key, members] : groups) metrics.groups.push_back(make_group(key, members, vocabulary));
    metrics.models = model_loads(inputs.loads);
    return metrics;
}

}  // namespace tunecap::metrics
