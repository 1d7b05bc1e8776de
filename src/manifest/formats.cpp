// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest/formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "analysis/facts.hpp"
#include "core/text.hpp"
#include "report/path_json.hpp"

namespace tunecap::manifest {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string json_line(const ordered_json& object) { return report::dump_text(object) + "\n"; }

void add(Document& document, const std::string& line) {
    document.text += line;
    ++document.rows;
}

ordered_json facts_value(const report::TrackInfo& info) {
    return info.facts ? ordered_json::parse(report::facts_json(*info.facts)) : ordered_json(nullptr);
}

// Measures for a CSV cell: the shortest text that reads back as the same double; empty when not
// measured.
std::string number(std::optional<double> value) { return value ? fmt::format("{}", *value) : std::string(); }

std::string bpm_text(const std::optional<analysis::Facts>& facts) {
    return number(facts && facts->tempo ? std::optional(facts->tempo->bpm) : std::nullopt);
}

std::string key_text(const std::optional<analysis::Facts>& facts) {
    return facts && facts->key ? analysis::key_name(*facts->key) : std::string();
}

std::string loudness_text(const std::optional<analysis::Facts>& facts) {
    return number(facts && facts->loudness ? std::optional(facts->loudness->integrated_lufs) : std::nullopt);
}

}  // namespace

Document jsonl_document(const std::vector<Entry>& entries) {
    Document document;
    for (const auto& entry : entries) {
        const auto& row = entry.row;
        ordered_json object = ordered_json::object();
        report::put_path(object, "file", entry.file);
        object["track_id"] = row.track_id;
        object["caption"] = row.caption;
        object["phase"] = row.phase;
        object["model"] = row.model;
        object["prompt"] = row.prompt;
        object["genres"] = entry.info.genres;
        object["facts"] = facts_value(entry.info);
        object["flags"] = row.flags;
        add(document, json_line(object));
    }
    return document;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

Document csv_document(const std::vector<Entry>& entries) {
    Document document;
    document.text = std::string(kCsvHeader) + "\r\n";
    for (const auto& entry : entries) {
        const auto& row = entry.row;
        const auto& facts = entry.info.facts;
        const std::vector<std::string> fields = {
            entry.file.string(),
            row.track_id,
            row.caption,
            row.phase,
            row.model,
            row.prompt,
            core::join(entry.info.genres, "; "),
            bpm_text(facts),
            key_text(facts),
            loudness_text(facts),
            core::join(row.flags, "; "),
        };
        std::vector<std::string> quoted;
        std::transform(fields.begin(), fields.end(), std::back_inserter(quoted), csv_field);
        document.text += core::join(quoted, ",") + "\r\n";
        ++document.rows;
    }
    return document;
}

std::optional<fs::path> path_under(const fs::path& file, const fs::path& folder) {
    const auto relative = file.lexically_relative(folder);
    if (relative.empty() || *relative.begin() == ".." || *relative.begin() == ".") return std::nullopt;
    return relative;
}

Document audiofolder_document(const std::vector<Entry>& entries, const fs::path& folder) {
    Document document;
    for (const auto& entry : entries) {
        const auto relative = path_under(entry.file, folder);
        if (!relative) {
            document.errors.push_back(fmt::format("{}: not inside {}, the folder of metadata.jsonl (AudioFolder reads only "
                                                  "files in that folder or below it)",
                                                  entry.file.string(), folder.string()));
            continue;
        }
        // AudioFolder joins file_name to its folder as text: a name that is not UTF-8 would have to
        // be written as another name, which names no file.
        if (core::invalid_utf8_at(relative->native())) {
            document.errors.push_back(fmt::format("{}: the file name is not valid UTF-8, so AudioFolder's file_name "
                                                  "cannot name it (rename the file, or use --format jsonl)",
                                                  entry.file.string()));
            continue;
        }
        const auto& row = entry.row;
        const ordered_json object = {{"file_name", relative->generic_string()}, {"text", row.caption}, {"phase", row.phase},
                                     {"model", row.model}, {"prompt", row.prompt}, {"genres", entry.info.genres}};
        add(document, json_line(object));
    }
    return document;
}

fs::path common_folder(const std::vector<Entry>& entries) {
    if (entries.empty()) return {};
    fs::path common = entries.front().file.parent_path();
    for (const auto& entry : entries) {
        const auto folder = entry.file.parent_path();
        fs::path shared;
        for (auto a = common.begin(), b = folder.begin(); a != common.end() && b != folder.end() && *a == *b; ++a, ++b) {
            shared /= *a;
        }
        common = shared;
    }
    return common;
}

}  // namespace tunecap::manifest
