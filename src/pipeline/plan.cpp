// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/plan.hpp"

#include <unistd.h>

#include <algorithm>

namespace tunecap::pipeline {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// A phase kind that runs no model lists its steps under the pseudo-model kNoModel.
std::vector<std::string> step_models(const config::Phase& phase) {
    if (!config::uses_model(phase.kind)) return {std::string(kNoModel)};
    return phase.models;
}

PhaseRecord whole_phase(const config::Phase& phase, StepStatus status, const std::string& reason) {
    PhaseRecord record{phase.id, phase.kind, status, reason, {}, false};
    for (const auto& model : step_models(phase)) {
        ModelRecord m{model, status, reason, {}};
        for (const auto& prompt : phase.prompts) m.steps.push_back(StepRecord{prompt, status, reason, std::nullopt, false});
        record.models.push_back(std::move(m));
    }
    return record;
}

}  // namespace

core::Status validate_selection(const config::Config& config, const PhaseSelection& selection) {
    std::vector<std::string> known;
    for (const auto& phase : config.phases) known.push_back(phase.id);
    auto check = [&](const std::vector<std::string>& ids, const char* flag) -> std::optional<core::Error> {
        for (const auto& id : ids) {
            if (!config.find_phase(id)) {
                std::string list;
                for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
                return core::Error{std::string(flag) + " " + id + ": no such phase (configured: " + list + ")"};
            }
        }
        return std::nullopt;
    };
    if (auto e = check(selection.skip, "--skip")) return *e;
    if (auto e = check(selection.only, "--only")) return *e;
    return core::Ok{};
}

FileCheck real_file_check() {
    return [](const std::filesystem::path& path) {
        std::error_code ec;
        return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), R_OK) == 0;
    };
}

std::optional<std::string> model_unavailable(const config::Model& model, bool needs_audio, const FileCheck& exists) {
    if (model.external()) return std::nullopt;
    // An hf model's files are llama-server's to fetch: one not in its cache yet is downloaded at start.
    if (!model.hf && !exists(model.gguf)) return "model file " + model.gguf.string() + " not found";
    if (needs_audio && !model.mmproj_hf && !exists(model.mmproj)) return "audio projector " + model.mmproj.string() + " not found";
    return std::nullopt;
}

std::vector<PhaseRecord> plan_phases(const config::Config& config, const PhaseSelection& selection,
                                     const FileCheck& exists) {
    std::vector<PhaseRecord> records;
    auto find_record = [&](const std::string& id) -> const PhaseRecord* {
        for (const auto& r : records) {
            if (r.id == id) return &r;
        }
        return nullptr;
    };
    for (const auto& phase : config.phases) {
        if (contains(selection.skip, phase.id)) {
            records.push_back(whole_phase(phase, StepStatus::skipped, "skipped by --skip " + phase.id));
            continue;
        }
        if (!selection.only.empty() && !contains(selection.only, phase.id)) {
            records.push_back(whole_phase(phase, StepStatus::skipped, "not selected by --only"));
            continue;
        }
        std::optional<std::string> blocked;
        for (const auto& input : phase.inputs) {
            const auto* upstream = find_record(input);
            if (upstream && (upstream->status == StepStatus::skipped || upstream->status == StepStatus::not_configured ||
                             upstream->status == StepStatus::failed)) {
                blocked = "input phase '" + input + "' is " + std::string(to_string(upstream->status));
                break;
            }
        }
        if (blocked) {
            records.push_back(whole_phase(phase, StepStatus::skipped, *blocked));
            records.back().inherited = true;
            continue;
        }
        if (!config::uses_model(phase.kind)) {
            records.push_back(whole_phase(phase, StepStatus::pending, ""));
            continue;
        }
        PhaseRecord record{phase.id, phase.kind, StepStatus::pending, "", {}, false};
        std::size_t unavailable = 0;
        for (const auto& name : phase.models) {
            const auto* model = config.find_model(name);
            const auto reason = model_unavailable(*model, config::uses_audio(phase.kind), exists);
            const auto status = reason ? StepStatus::not_configured : StepStatus::pending;
            ModelRecord m{name, status, reason.value_or(""), {}};
            for (const auto& prompt : phase.prompts) m.steps.push_back(StepRecord{prompt, status, m.reason, std::nullopt, false});
            record.models.push_back(std::move(m));
            if (reason) ++unavailable;
        }
        if (unavailable == phase.models.size() && !phase.models.empty()) {
            record.status = StepStatus::not_configured;
            record.reason = unavailable == 1 ? record.models.front().reason : "none of its models is available";
        }
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace tunecap::pipeline
