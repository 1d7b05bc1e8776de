// SPDX-License-Identifier: GPL-3.0-or-later
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "clean/clean.hpp"
#include "config/config.hpp"
#include "pipeline/caption.hpp"
#include "report/facts_json.hpp"
#include "report/json_output.hpp"
#include "store/store.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

// Re-cleans every stored raw output with the current rules and each model's family.
int rederive(const fs::path& dir, const config::Config& config, const clean::CleanOptions& base, core::Log& log,
             std::ostream& out) {
    const auto db = dir / "tunecap.db";
    std::error_code ec;
    if (!fs::is_regular_file(db, ec)) {
        log.error("clean", "{}: no tunecap.db here; give the --out folder of a run", dir.string());
        return kExitUsage;
    }
    auto store = store::Store::open(db);
    if (!store) {
        log.error("clean", "{}", store.error().message);
        return kExitSomeFailed;
    }
    report::RowsByTrackAndKey changed;
    std::size_t total = 0;
    std::map<std::string, std::optional<analysis::Facts>> facts_of_track;  // claims are checked against them
    const auto facts_of = [&](const std::string& track_id) -> const std::optional<analysis::Facts>& {
        auto [it, added] = facts_of_track.try_emplace(track_id);
        if (added) {
            if (auto track = (*store)->find_track(track_id)) it->second = report::read_track_info(track->info_json).facts;
        }
        return it->second;
    };
    for (auto row : (*store)->all_steps()) {
        // The request failed: nothing to derive a caption from. (An empty answer beside reasoning
        // is derived: it is the model's.)
        if (row.raw_output.empty() && row.reasoning.empty()) continue;
        ++total;
        auto options = base;
        const auto* model = config.find_model(row.model);
        options.family = model ? model->family : core::Family::chatml;
        const auto before = row;
        pipeline::derive_caption(row, options, facts_of(row.track_id));
        if (row == before) continue;
        if (auto updated = (*store)->update_derived(row); !updated) {
            log.error("clean", "{}", updated.error().message);
            return kExitSomeFailed;
        }
        changed.emplace(std::pair(row.track_id, row.key), std::move(row));
    }
    std::size_t files = 0;
    if (!changed.empty() && fs::is_directory(dir / "tracks", ec)) {
        for (const auto& entry : fs::directory_iterator(dir / "tracks")) {
            if (entry.path().extension() != ".json") continue;
            auto refreshed = report::refresh_captions(entry.path(), changed);
            if (!refreshed) {
                log.warn("clean", "{}", refreshed.error().message);
            } else if (*refreshed > 0) {
                ++files;
            }
        }
    }
    out << fmt::format("{} stored caption(s) re-derived, {} changed, {} track file(s) updated\n", total, changed.size(), files);
    return kExitOk;
}

}  // namespace

int clean_command(const CommandLine& line, core::Log& log, std::istream& in, std::ostream& out, std::ostream& err) {
    const auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    const auto* config = &loaded->config;
    clean::CleanOptions options;
    options.counter = loaded->token_counter.get();
    options.max_t5_tokens = config->cleaning.max_t5_tokens;
    if (auto tokens = line.value("--max-t5-tokens")) {
        try {
            std::size_t used = 0;
            const int n = std::stoi(*tokens, &used);
            if (used != tokens->size() || n < 1) throw std::invalid_argument("range");
            options.max_t5_tokens = n;
        } catch (const std::exception&) {
            log.error("cli", "--max-t5-tokens {}: expected a whole number of at least 1", *tokens);
            return kExitUsage;
        }
    }
    if (auto results = line.value("--results")) return rederive(*results, *config, options, log, out);

    const auto family_name = line.value_or_default("--family");
    const auto family = clean::parse_family(family_name);
    if (!family) {
        log.error("cli", "--family {}: unknown (qwen3, chatml, harmony, granite, qwen2.5-omni, music-flamingo)", family_name);
        return kExitUsage;
    }
    options.family = *family;
    options.cut_off = clean::is_cut_off(line.value_or_default("--finish-reason"));
    return clean::run_clean_command(in, out, err, options);
}

}  // namespace tunecap::app
