// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/claims_json.hpp"

#include "report/json_parts.hpp"

namespace tunecap::report {
namespace {

using nlohmann::ordered_json;

std::string key_name(int tonic, std::optional<claims::Mode> mode) {
    return claims::tonic_name(tonic) + (mode ? " " + std::string(claims::name(*mode)) : "");
}

ordered_json claim_json(const claims::Claim& claim, const claims::Facts* facts) {
    ordered_json out;
    if (const auto* tempo = std::get_if<claims::TempoClaim>(&claim.value)) {
        out["kind"] = "tempo";
        out["value"] = tempo->bpm();
        if (tempo->is_range()) out["range"] = {tempo->low_bpm, tempo->high_bpm};
    } else {
        const auto& key = std::get<claims::KeyClaim>(claim.value);
        out["kind"] = "key";
        out["value"] = key_name(key.tonic, key.mode);
        out["tonic"] = key.tonic;
        out["mode"] = key.mode ? ordered_json(std::string(claims::name(*key.mode))) : ordered_json(nullptr);
    }
    out["text"] = claim.text;
    out["begin"] = claim.begin;
    out["end"] = claim.end;
    if (facts) {
        const auto check = claims::classify(claim, *facts);
        out["verdict"] = std::string(claims::name(check.verdict));
        if (check.multiple) out["multiple"] = std::string(claims::name(*check.multiple));
        if (check.relation) out["relation"] = std::string(claims::name(*check.relation));
    }
    return out;
}

}  // namespace

ordered_json claims_array(std::string_view caption, const claims::Facts* facts) {
    ordered_json out = ordered_json::array();
    for (const auto& claim : claims::extract(caption)) out.push_back(claim_json(claim, facts));
    return out;
}

std::string claims_json(std::string_view caption, const claims::Facts* facts) {
    // Captions are model output: replace invalid UTF-8 rather than fail on it.
    return claims_array(caption, facts).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

claims::Facts claim_facts(const analysis::Facts& facts) {
    claims::Facts out;
    if (facts.tempo) out.tempo = claims::TempoFact{facts.tempo->bpm, facts.tempo->confidence};
    if (facts.key) {
        out.key = claims::KeyFact{claims::Key{facts.key->tonic, facts.key->minor ? claims::Mode::minor : claims::Mode::major},
                                  facts.key->confidence};
    }
    return out;
}

}  // namespace tunecap::report
