// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/track.hpp"

#include "core/text.hpp"

namespace tunecap::pipeline {

std::string_view to_string(StepStatus status) {
    switch (status) {
    case StepStatus::pending: return "pending";
    case StepStatus::done: return "done";
    case StepStatus::failed: return "failed";
    case StepStatus::skipped: return "skipped";
    case StepStatus::not_configured: return "not_configured";
    }
    return "unknown";
}

std::string make_track_id(const std::filesystem::path& file, std::string_view content_hash) {
    auto stem = core::slug(file.stem().string());
    if (stem.empty()) stem = "track";
    return stem + "-" + std::string(content_hash.substr(0, 12));
}

}  // namespace tunecap::pipeline
