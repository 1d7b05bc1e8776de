// SPDX-License-Identifier: GPL-3.0-or-later
#include "claims/claims_json.hpp"

#include <nlohmann/json.hpp>

namespace tunecap::claims {
namespace {

using nlohmann::ordered_json;

std::string key_name(int tonic, std::optional<Mode> mode) {
    return tonic_name(tonic) + (mode ? " " + std::string(name(*mode)) : "");
}

ordered_json claim_json(const Claim& claim, const Facts* facts) {
    ordered_json out;
    if (const auto* tempo = std::get_if<TempoClaim>(&claim.value)) {
        out["kind"] = "tempo";
        out["value"] = tempo->bpm();
        if (tempo->is_range()) out["range"] = {tempo->low_bpm, tempo->high_bpm};
    } else {
        const auto& key = std::get<KeyClaim>(claim.value);
        out["kind"] = "key";
        out["value"] = key_name(key.tonic, key.mode);
        out["tonic"] = key.tonic;
        out["mode"] = key.mode ? ordered_json(std::string(name(*key.mode))) : ordered_json(nullptr);
    }
    out["text"] = claim.text;
    out["begin"] = claim.begin;
    out["end"] = claim.end;
    if (facts) {
        const auto check = classify(claim, *facts);
        out["verdict"] = std::string(name(check.verdict));
        if (check.multiple) out["multiple"] = std::string(name(*check.multiple));
        if (check.relation) out["relation"] = std::string(name(*check.relation));
    }
    return out;
}

}  // namespace

std::string to_json(std::string_view caption, const Facts* facts) {
    ordered_json out = ordered_json::array();
    for (const auto& claim : extract(caption)) out.push_back(claim_json(claim, facts));
    // Captions are model output: replace invalid UTF-8 rather than fail on it.
    return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace tunecap::claims
