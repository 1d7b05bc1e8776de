// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The per-track view's data: one JSON object, embedded once in a <script type="application/json">
// and drawn by the page's script a page of tracks at a time. Names repeated on every step (phases,
// models, prompts, flags, verdicts) are written once in tables and referred to by index; claim
// offsets are converted to UTF-16 code units, which is how the script indexes the caption.
//
// {"phases": [...], "prompts": [...], "models": [...], "flags": [[name, keeps it out of training], ...],
//  "verdicts": [...], "total": N, "tracks": [{"id", "file", "audio", "genres", "source", "facts": {...},
//  "marks": bits, "steps": [[phase, model, prompt, failed, caption, [flag...], error,
//  [[begin, end, verdict, note]...], hint kind, hint], ...]}, ...]}
//
// marks: 1 a step failed, 2 a claim contradicts the facts, 4 a caption is flagged. hint kind: 0
// none, 1 the track's genres, 2 the wrong-hint probe's.

#include <string>

#include "html/report.hpp"

namespace tunecap::html {

inline constexpr int kMarkFailed = 1;
inline constexpr int kMarkContradicted = 2;
inline constexpr int kMarkFlagged = 4;

std::string track_data_json(const Report& report);

}  // namespace tunecap::html
