// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "claims/claims.hpp"
#include "claims/claims_json.hpp"

namespace tunecap::app {
namespace {

using nlohmann::ordered_json;

// Tempos a --bpm can be: anything a track could be measured at, not a typo of a sample rate.
constexpr double kMinFactBpm = 1;
constexpr double kMaxFactBpm = 999;

std::optional<double> parse_bpm(const std::string& text) {
    try {
        std::size_t used = 0;
        const double bpm = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(bpm) || bpm < kMinFactBpm || bpm > kMaxFactBpm) return std::nullopt;
        return bpm;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

int claims_command(const CommandLine& line, core::Log& log, std::istream& in, std::ostream& out) {
    // Facts from the command line are taken as certain: the user measured or knows them.
    constexpr double kGivenConfidence = 1.0;
    claims::Facts facts;
    if (const auto bpm_text = line.value("--bpm")) {
        const auto bpm = parse_bpm(*bpm_text);
        if (!bpm) {
            log.error("cli", "--bpm {}: expected a number of beats per minute from {} to {}", *bpm_text, kMinFactBpm,
                      kMaxFactBpm);
            return kExitUsage;
        }
        facts.tempo = claims::TempoFact{*bpm, kGivenConfidence};
    }
    if (const auto key_text = line.value("--key")) {
        auto key = claims::parse_key(*key_text);
        if (!key) {
            log.error("cli", "--key: {}", key.error().message);
            return kExitUsage;
        }
        facts.key = claims::KeyFact{*key, kGivenConfidence};
    }
    const bool checking = facts.tempo || facts.key;
    const std::string caption(std::istreambuf_iterator<char>(in), {});

    ordered_json result;
    if (checking) {
        auto& given = result["facts"];
        given = ordered_json::object();
        if (facts.tempo) given["bpm"] = facts.tempo->bpm;
        if (facts.key) given["key"] = claims::tonic_name(facts.key->key.tonic) + " " + std::string(claims::name(facts.key->key.mode));
    }
    result["claims"] = ordered_json::parse(claims::to_json(caption, checking ? &facts : nullptr));
    // The caption is model output: replace invalid UTF-8 rather than fail on it.
    out << result.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    return kExitOk;
}

}  // namespace tunecap::app
