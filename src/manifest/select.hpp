// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which stored captions `tunecap export` hands over: the newest row of each (track, phase, model,
// prompt) of one phase, without failed steps, empty captions and (unless asked) flagged ones.
// Pure: rows in, rows out.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace tunecap::manifest {

struct Filter {
    std::string phase{};
    std::optional<std::string> model = std::nullopt;   // --model: only this model's rows
    std::optional<std::string> prompt = std::nullopt;  // --prompt: only this prompt's rows
    // --include-flagged: keep done captions with a flag clean::is_flagged names (never failed or
    // empty ones, which hold no caption to train on).
    bool include_flagged = false;
};

struct Skips {
    std::size_t failed = 0;
    std::size_t empty = 0;    // done, but no caption
    std::size_t flagged = 0;  // done with a caption, kept out by a flag

    std::size_t total() const { return failed + empty + flagged; }
};

struct Selection {
    std::vector<store::StepRow> rows;  // in the store's order: by track, then phase, model, prompt
    Skips skipped;
};

// The rows of `filter` among `steps` (Store::all_steps(): newest first within a unit). An error
// when the phase, model or prompt is not in the steps at all, listing the ones that are, for the
// caller to report as a usage error.
core::Result<Selection> select_rows(const std::vector<store::StepRow>& steps, const Filter& filter);

// Formats that give each track one text (audiofolder, info) take one caption per track: an error
// naming the options to narrow the selection with and what the selection holds, when some track
// has more than one.
std::optional<core::Error> check_one_caption_per_track(const Selection& selection);

// "skipped 3 failed, 1 empty, 2 flagged (use --include-flagged to keep them)", or "" when nothing
// was skipped.
std::string skips_text(const Skips& skipped);

}  // namespace tunecap::manifest
