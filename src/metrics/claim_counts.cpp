// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/claim_counts.hpp"

#include <nlohmann/json.hpp>

#include "claims/claims_json.hpp"

namespace tunecap::metrics {
namespace {

using nlohmann::json;

void add_claim(Count& count, const json& claim) {
    ++count.made;
    const auto verdict = claim.find("verdict");
    const std::string name = verdict != claim.end() && verdict->is_string() ? verdict->get<std::string>() : "";
    if (name == claims::name(claims::Verdict::agrees)) {
        ++count.agrees;
    } else if (name == claims::name(claims::Verdict::related)) {
        ++count.related;
    } else if (name == claims::name(claims::Verdict::contradicts)) {
        ++count.contradicts;
    } else {
        ++count.unverified;
    }
}

// The stored array; a row from before schema 3 (empty) or one whose claims cannot be read is
// checked afresh, the way the runner would check it today.
json claims_of(const store::StepRow& row, const claims::Facts* facts) {
    if (!row.claims.empty()) {
        auto stored = json::parse(row.claims, nullptr, false);
        if (stored.is_array()) return stored;
    }
    return json::parse(claims::to_json(row.caption, facts));
}

}  // namespace

void count_claims(const store::StepRow& row, const claims::Facts* facts, Count& tempo, Count& key) {
    for (const auto& claim : claims_of(row, facts)) {
        const auto kind = claim.find("kind");
        if (kind == claim.end() || !kind->is_string()) continue;
        if (*kind == "tempo") add_claim(tempo, claim);
        if (*kind == "key") add_claim(key, claim);
    }
}

}  // namespace tunecap::metrics
