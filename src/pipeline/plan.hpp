// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which phases and steps of the configured graph can run, decided before any audio is decoded.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "pipeline/track.hpp"

namespace tunecap::pipeline {

// --skip / --only as given on the command line (the prototype's --skip-phase3/4 already expanded).
struct PhaseSelection {
    std::vector<std::string> skip;
    std::vector<std::string> only;
};

// Error naming the flag and the unknown phase when a selection names no configured phase.
core::Status validate_selection(const config::Config& config, const PhaseSelection& selection);

// Filesystem seam: does this file exist and can it be read?
using FileCheck = std::function<bool(const std::filesystem::path&)>;
FileCheck real_file_check();

// Why a model cannot run here, or nullopt when it can: an endpoint is always usable; a managed
// model needs its gguf, and its mmproj when the phase sends audio.
std::optional<std::string> model_unavailable(const config::Model& model, bool needs_audio, const FileCheck& exists);

// The phase records for one track, in graph order, every step pending, not_configured or skipped
// with its reason. Dependents of a phase that cannot run are skipped and say which input.
std::vector<PhaseRecord> plan_phases(const config::Config& config, const PhaseSelection& selection,
                                     const FileCheck& exists);

}  // namespace tunecap::pipeline
