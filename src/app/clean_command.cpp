// SPDX-License-Identifier: GPL-3.0-or-later
#include <map>
#include <memory>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "clean/clean.hpp"
#include "config/config.hpp"
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
    std::map<std::string, store::StepRow> changed;
    std::size_t total = 0;
    for (auto& row : (*store)->all_steps()) {
        if (row.raw_output.empty()) continue;  // a failed request: nothing to clean
        ++total;
        auto options = base;
        const auto* model = config.find_model(row.model);
        options.family = model ? model->family : core::Family::chatml;
        const auto cleaned = clean::clean_caption(row.raw_output, options);
        std::vector<std::string> flags;
        for (auto flag : cleaned.flags) flags.emplace_back(clean::to_string(flag));
        if (cleaned.caption == row.caption && flags == row.flags) continue;
        if (auto updated = (*store)->update_caption(row.key, cleaned.caption, flags); !updated) {
            log.error("clean", "{}", updated.error().message);
            return kExitSomeFailed;
        }
        row.caption = cleaned.caption;
        row.flags = std::move(flags);
        changed.emplace(row.key, std::move(row));
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
    const auto config = load_config(line, log);
    if (!config) return kExitUsage;
    clean::CleanOptions options;
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
    std::unique_ptr<clean::SentencePieceCounter> counter;
    if (!config->cleaning.sentencepiece_model.empty()) {
        auto loaded = clean::SentencePieceCounter::load(config->cleaning.sentencepiece_model);
        if (!loaded) {
            log.error("clean", "{}", loaded.error().message);
            return kExitUsage;
        }
        counter = std::make_unique<clean::SentencePieceCounter>(std::move(loaded).take());
        options.counter = counter.get();
    }
    if (auto results = line.value("--results")) return rederive(*results, *config, options, log, out);

    const auto family_name = line.value_or_default("--family");
    const auto family = clean::parse_family(family_name);
    if (!family) {
        log.error("cli", "--family {}: unknown (qwen3, chatml, harmony, granite, qwen2.5-omni, music-flamingo)", family_name);
        return kExitUsage;
    }
    options.family = *family;
    return clean::run_clean_command(in, out, err, options);
}

}  // namespace tunecap::app
