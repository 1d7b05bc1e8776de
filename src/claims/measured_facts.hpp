// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What tunecap measured of a track (analysis::Facts), as the facts claims are checked against. The
// runner, the track files and the metrics all check claims, and must convert alike; this header
// lets them without claims linking the audio analysis, or metrics linking the pipeline.

#include "claims/claims.hpp"

namespace tunecap::claims {

// Measured is analysis::Facts or anything shaped like it: optional `tempo` with `bpm` and
// `confidence`, optional `key` with `tonic` (pitch class), `minor` and `confidence`.
template <class Measured>
Facts measured_facts(const Measured& measured) {
    Facts out;
    if (measured.tempo) out.tempo = TempoFact{measured.tempo->bpm, measured.tempo->confidence};
    if (measured.key) {
        out.key = KeyFact{Key{measured.key->tonic, measured.key->minor ? Mode::minor : Mode::major}, measured.key->confidence};
    }
    return out;
}

}  // namespace tunecap::claims
