// SPDX-License-Identifier: GPL-3.0-or-later
#include "html/track_data.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/facts.hpp"
#include "claims/claims.hpp"
#include "clean/clean.hpp"
#include "html/escape.hpp"

namespace tunecap::html {
namespace {

namespace fs = std::filesystem;

// Names by index, in the order given, then any others met, by name.
class NameTable {
public:
    explicit NameTable(const std::vector<std::string>& order) {
        for (const auto& name : order) add(name);
    }
    void add(const std::string& name) {
        if (m_index.emplace(name, m_names.size()).second) m_names.push_back(name);
    }
    // Appends names not in the table yet, sorted; call once, before index().
    void add_sorted(std::vector<std::string> names) {
        std::sort(names.begin(), names.end());
        for (const auto& name : names) add(name);
    }
    std::size_t index(const std::string& name) const { return m_index.at(name); }
    const std::vector<std::string>& names() const { return m_names; }

private:
    std::vector<std::string> m_names;
    std::map<std::string, std::size_t> m_index;
};

constexpr std::array kVerdicts = {claims::Verdict::agrees, claims::Verdict::related, claims::Verdict::contradicts,
                                  claims::Verdict::unverified};
constexpr std::size_t kUnverified = 3;
constexpr std::size_t kContradicts = 2;

void append_names(std::string& out, const std::vector<std::string>& names) {
    out += '[';
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, names[i]);
    }
    out += ']';
}

// The newest row of each (phase, model, prompt), as the metrics count them, in page order.
std::vector<const store::StepRow*> shown_steps(const Track& track, const NameTable& phases, const NameTable& prompts) {
    std::map<std::tuple<std::string, std::string, std::string>, const store::StepRow*> newest;
    for (const auto& step : track.steps) {
        auto& slot = newest[{step.phase, step.model, step.prompt}];
        if (!slot || step.finished_at > slot->finished_at) slot = &step;
    }
    std::vector<const store::StepRow*> rows;
    for (const auto& [key, row] : newest) rows.push_back(row);
    std::stable_sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
        return std::tuple(phases.index(a->phase), prompts.index(a->prompt)) < std::tuple(phases.index(b->phase), prompts.index(b->prompt));
    });
    return rows;
}

std::string measured(const std::optional<analysis::Facts>& facts, std::string_view kind) {
    if (!facts) return "not measured";
    if (kind == "tempo") return facts->tempo ? fmt::format("{:.1f} BPM", facts->tempo->bpm) : "no tempo found";
    return facts->key ? analysis::key_name(*facts->key) : "no key found";
}

// The facts as the page shows them; every value is text.
void append_facts(std::string& out, const std::optional<analysis::Facts>& facts) {
    if (!facts) {
        out += "null";
        return;
    }
    const auto confidence = [](double c) {
        return fmt::format(" (confidence {:.2f}{})", c, c < claims::kContradictionConfidence ? ", unsure" : "");
    };
    const auto seconds = static_cast<long>(std::lround(facts->duration_seconds));
    const std::string tempo = facts->tempo ? fmt::format("{:.1f} BPM", facts->tempo->bpm) + confidence(facts->tempo->confidence) : "none found";
    const std::string key = facts->key ? analysis::key_name(*facts->key) + confidence(facts->key->confidence) : "none found";
    const std::string loudness = facts->loudness ? fmt::format("{:.1f} LUFS, range {:.1f} LU, true peak {:.1f} dBTP",
                                                               facts->loudness->integrated_lufs, facts->loudness->range_lu,
                                                               facts->loudness->true_peak_dbtp)
                                                 : "silent";
    out += R"({"tempo":)";
    append_json_string(out, tempo);
    out += R"(,"key":)";
    append_json_string(out, key);
    out += R"(,"loudness":)";
    append_json_string(out, loudness);
    out += R"(,"duration":)";
    append_json_string(out, fmt::format("{}:{:02}", seconds / 60, seconds % 60));
    out += '}';
}

// The step's claims as [[begin, end, verdict, note]...] in UTF-16 offsets; sets kMarkContradicted.
void append_claims(std::string& out, const store::StepRow& step, const std::optional<analysis::Facts>& facts, int& marks) {
    out += '[';
    const auto parsed = nlohmann::json::parse(step.claims, nullptr, false);
    if (parsed.is_array()) {
        bool first = true;
        for (const auto& claim : parsed) {
            if (!claim.is_object() || !claim.contains("begin") || !claim.contains("end")) continue;
            const auto begin = claim["begin"].is_number_unsigned() ? claim["begin"].get<std::size_t>() : 0;
            const auto end = claim["end"].is_number_unsigned() ? claim["end"].get<std::size_t>() : 0;
            if (begin >= end || end > step.caption.size()) continue;  // offsets into an older caption
            const auto verdict_name = claim.value("verdict", std::string("unverified"));
            std::size_t verdict = kUnverified;
            for (std::size_t v = 0; v < kVerdicts.size(); ++v) {
                if (claims::name(kVerdicts[v]) == verdict_name) verdict = v;
            }
            if (verdict == kContradicts) marks |= kMarkContradicted;
            const auto kind = claim.value("kind", std::string("tempo"));
            std::string note = fmt::format("{} claim: {}", kind, claims::name(kVerdicts[verdict]));
            if (claim.contains("multiple") && claim["multiple"].is_string()) note += " at " + claim["multiple"].get<std::string>();
            if (claim.contains("relation") && claim["relation"].is_string()) note += " (" + claim["relation"].get<std::string>() + ")";
            note += "; measured: " + measured(facts, kind);
            out += first ? "[" : ",[";
            first = false;
            out += fmt::format("{},{},{},", utf16_offset(step.caption, begin), utf16_offset(step.caption, end), verdict);
            append_json_string(out, note);
            out += ']';
        }
    }
    out += ']';
}

void append_step(std::string& out, const store::StepRow& step, const Track& track, const NameTable& phases,
                 const NameTable& models, const NameTable& prompts, const NameTable& flags, int& marks) {
    const bool failed = step.outcome == store::StepOutcome::failed;
    if (failed) marks |= kMarkFailed;
    out += fmt::format("[{},{},{},{},", phases.index(step.phase), models.index(step.model), prompts.index(step.prompt), failed ? 1 : 0);
    append_json_string(out, step.caption);
    out += ",[";
    for (std::size_t i = 0; i < step.flags.size(); ++i) {
        out += fmt::format("{}{}", i ? "," : "", flags.index(step.flags[i]));
        if (!failed && clean::is_flagged(step.flags[i])) marks |= kMarkFlagged;
    }
    out += "],";
    append_json_string(out, step.error);
    out += ',';
    append_claims(out, step, track.info.facts, marks);
    out += fmt::format(",{},", static_cast<int>(step.hint_kind));
    append_json_string(out, step.hint);
    out += ']';
}

void append_track(std::string& out, const Track& track, const Report& report, const NameTable& phases, const NameTable& models,
                  const NameTable& prompts, const NameTable& flags) {
    out += R"({"id":)";
    append_json_string(out, track.row.track_id);
    out += R"(,"file":)";
    append_json_string(out, track.row.file);
    out += R"(,"audio":)";
    append_json_string(out, track.row.file.empty() ? std::string() : audio_url(track.row.file, report.report_dir, report.working_dir));
    out += R"(,"genres":)";
    append_names(out, track.info.genres);
    out += R"(,"source":)";
    append_json_string(out, track.info.genre_source);
    out += R"(,"facts":)";
    append_facts(out, track.info.facts);
    int marks = 0;
    out += R"(,"steps":[)";
    bool first = true;
    for (const auto* step : shown_steps(track, phases, prompts)) {
        if (!first) out += ',';
        first = false;
        append_step(out, *step, track, phases, models, prompts, flags, marks);
    }
    out += fmt::format(R"(],"marks":{}}})", marks);
}

// The tracks shown: sorted by file name (then id), at most report.max_tracks_shown.
std::vector<const Track*> shown_tracks(const Report& report) {
    std::vector<const Track*> tracks;
    for (const auto& track : report.tracks) tracks.push_back(&track);
    std::sort(tracks.begin(), tracks.end(), [](const auto* a, const auto* b) {
        return std::tie(a->row.file, a->row.track_id) < std::tie(b->row.file, b->row.track_id);
    });
    if (tracks.size() > report.max_tracks_shown) tracks.resize(report.max_tracks_shown);
    return tracks;
}

}  // namespace

std::string track_data_json(const Report& report) {
    const auto tracks = shown_tracks(report);
    NameTable phases(report.phase_order), prompts(report.prompt_order), models({}), flags({});
    std::vector<std::string> other_phases, other_prompts, model_names, flag_names;
    std::size_t caption_bytes = 0;
    for (const auto* track : tracks) {
        for (const auto& step : track->steps) {
            other_phases.push_back(step.phase);
            other_prompts.push_back(step.prompt);
            model_names.push_back(step.model);
            flag_names.insert(flag_names.end(), step.flags.begin(), step.flags.end());
            caption_bytes += step.caption.size() + step.error.size() + step.claims.size() / 2 + 48;
        }
    }
    const auto unique = [](std::vector<std::string>& names) {
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
    };
    for (auto* names : {&other_phases, &other_prompts, &model_names, &flag_names}) unique(*names);
    phases.add_sorted(other_phases);
    prompts.add_sorted(other_prompts);
    models.add_sorted(model_names);
    flags.add_sorted(flag_names);

    std::string out;
    out.reserve(caption_bytes + caption_bytes / 16 + 4096);
    out += R"({"phases":)";
    append_names(out, phases.names());
    out += R"(,"prompts":)";
    append_names(out, prompts.names());
    out += R"(,"models":)";
    append_names(out, models.names());
    out += R"(,"flags":[)";
    for (std::size_t i = 0; i < flags.names().size(); ++i) {
        out += i ? ",[" : "[";
        append_json_string(out, flags.names()[i]);
        out += clean::is_flagged(flags.names()[i]) ? ",1]" : ",0]";
    }
    out += R"(],"verdicts":[)";
    for (std::size_t v = 0; v < kVerdicts.size(); ++v) {
        if (v) out += ',';
        append_json_string(out, claims::name(kVerdicts[v]));
    }
    out += fmt::format(R"(],"total":{},"tracks":[)", report.tracks.size());
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        if (i) out += ',';
        out += '\n';  // one line per track: a reader of the file can find a track without a JSON tool
        append_track(out, *tracks[i], report, phases, models, prompts, flags);
    }
    out += "]}";
    return out;
}

}  // namespace tunecap::html
