// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap export DIR --phase P [--model M] [--prompt ID] --format F [--out PATH] [--include-flagged]`:
// the stored captions of one phase as the file a training set is built from. Selection and
// formatting are src/manifest's; this file finds the paths, writes, and reports.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "app/commands.hpp"
#include "core/text.hpp"
#include "manifest/entry.hpp"
#include "manifest/formats.hpp"
#include "manifest/info_file.hpp"
#include "manifest/select.hpp"
#include "core/atomic_file.hpp"
#include "store/store.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;

enum class Format { audiofolder, jsonl, csv, info };

constexpr std::string_view kTag = "export";
constexpr std::string_view kAudioFolderFile = "metadata.jsonl";

std::optional<Format> parse_format(std::string_view name) {
    if (name == "audiofolder") return Format::audiofolder;
    if (name == "jsonl") return Format::jsonl;
    if (name == "csv") return Format::csv;
    if (name == "info") return Format::info;
    return std::nullopt;
}

// What one export did, for the closing line and the exit code.
struct Outcome {
    std::size_t errors = 0;  // entries not written, each reported on its own line
};

void report_errors(const std::vector<std::string>& errors, Outcome& outcome, core::Log& log) {
    for (const auto& error : errors) log.error(kTag, "{}", error);
    outcome.errors += errors.size();
}

// "; 2 not written (see above)" after the counts of the closing line, when some entry failed.
std::string not_written(const Outcome& outcome) {
    return outcome.errors == 0 ? std::string() : fmt::format("; {} not written (see the errors above)", outcome.errors);
}

std::string skipped(const manifest::Selection& selection) {
    const auto text = manifest::skips_text(selection.skipped);
    return text.empty() ? text : "; " + text;
}

// "1 row", "4 rows".
std::string count(std::size_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

int exit_code(const Outcome& outcome) { return outcome.errors == 0 ? kExitOk : kExitSomeFailed; }

// What the command line asks for, checked before the store is opened.
struct Request {
    fs::path dir;
    Format format = Format::jsonl;
    std::string format_name;
    std::optional<std::string> out;
    manifest::Filter filter;  // an empty phase: --phase was not given
};

// "flamingo-music_flamingo-brief": the phase, then the model and prompt when they were chosen.
std::string default_name(const manifest::Filter& filter) {
    std::string name = filter.phase;
    if (filter.model) name += "-" + *filter.model;
    if (filter.prompt) name += "-" + *filter.prompt;
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
}

// --out as given: a folder (existing, or written with a final '/') gets `name` inside it.
fs::path out_path(const std::string& out, std::string_view name) {
    const fs::path given = out;
    std::error_code ec;
    return fs::is_directory(given, ec) || !given.has_filename() ? given / name : given;
}

// Writes one export file and says what it holds and what was left out; false (with the error
// logged) when it could not be written.
bool write_document(const fs::path& path, const manifest::Document& document, const manifest::Selection& selection,
                    const Outcome& outcome, core::Log& log) {
    if (auto written = core::write_file_atomically(path, document.text); !written) {
        log.error(kTag, "{}", written.error().message);
        return false;
    }
    log.info(kTag, "wrote {} to {}{}{}", count(document.rows, "row"), path.string(), skipped(selection),
             not_written(outcome));
    return true;
}

// jsonl and csv: one file holding every selected row.
int export_table(const Request& request, const manifest::Selection& selection, const manifest::Gathered& gathered,
                 core::Log& log) {
    const bool csv = request.format == Format::csv;
    const auto file_name = default_name(request.filter) + (csv ? ".csv" : ".jsonl");
    const auto path = request.out ? out_path(*request.out, file_name) : request.dir / "export" / file_name;
    const auto document = csv ? manifest::csv_document(gathered.entries) : manifest::jsonl_document(gathered.entries);
    Outcome outcome;
    report_errors(gathered.errors, outcome, log);
    report_errors(document.errors, outcome, log);
    if (!write_document(path, document, selection, outcome, log)) return kExitSomeFailed;
    return exit_code(outcome);
}

// Where audiofolder's metadata.jsonl goes: --out (a folder, or a path ending in metadata.jsonl,
// checked by parse_request), else the deepest folder holding every audio file. Absolute, so that
// file names are made relative to the folder itself.
fs::path metadata_path(const std::optional<std::string>& out, const std::vector<manifest::Entry>& entries,
                       const fs::path& base) {
    if (!out) return manifest::common_folder(entries) / kAudioFolderFile;
    return (base / out_path(*out, kAudioFolderFile)).lexically_normal();
}

// Audio files gone since the run would be listed and fail when the data set is loaded.
std::vector<manifest::Entry> existing_audio(std::vector<manifest::Entry> entries, Outcome& outcome, core::Log& log) {
    std::vector<manifest::Entry> kept;
    for (auto& entry : entries) {
        std::error_code ec;
        if (fs::is_regular_file(entry.file, ec)) {
            kept.push_back(std::move(entry));
        } else {
            const auto error = fmt::format("{}: no such audio file (moved or deleted since the run?)", entry.file.string());
            report_errors({error}, outcome, log);
        }
    }
    return kept;
}

int export_audiofolder(const manifest::Selection& selection, manifest::Gathered gathered,
                       const std::optional<std::string>& out, const fs::path& base, core::Log& log) {
    Outcome outcome;
    gathered = manifest::one_track_per_file(std::move(gathered));
    report_errors(gathered.errors, outcome, log);
    const auto entries = existing_audio(std::move(gathered.entries), outcome, log);
    if (entries.empty() && !out) {
        log.info(kTag, "no caption to write, so no metadata.jsonl{}{}", skipped(selection), not_written(outcome));
        return exit_code(outcome);
    }
    const auto path = metadata_path(out, entries, base);
    const auto document = manifest::audiofolder_document(entries, path.parent_path());
    report_errors(document.errors, outcome, log);
    if (!write_document(path, document, selection, outcome, log)) return kExitSomeFailed;
    log.info(kTag, "load it with datasets.load_dataset(\"audiofolder\", data_dir=\"{}\")", path.parent_path().string());
    return exit_code(outcome);
}

// Each entry's side-car; an entry with none, or whose side-car another entry also has (a
// folder's only .INFO serves all its tracks), is an error: one key holds one caption.
std::vector<std::pair<manifest::Entry, fs::path>> side_cars(const std::vector<manifest::Entry>& entries, Outcome& outcome,
                                                            core::Log& log) {
    std::vector<std::pair<manifest::Entry, fs::path>> found;
    std::map<fs::path, std::vector<fs::path>> files_of_info;
    std::vector<fs::path> files;
    for (const auto& entry : entries) files.push_back(entry.file);
    const auto infos = manifest::info_files_of(files);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& entry = entries[i];
        const auto& info = infos[i];
        if (!info) {
            const auto& file = entry.file;
            const auto folder = file.parent_path();
            const auto error = fmt::format("{}: no .INFO side-car to write into (looked for {}.INFO, then {}.INFO beside "
                                           "its folder, then a single *.INFO in {})",
                                           file.string(), file.stem().string(), folder.filename().string(), folder.string());
            report_errors({error}, outcome, log);
            continue;
        }
        files_of_info[*info].push_back(entry.file);
        found.emplace_back(entry, *info);
    }
    std::vector<std::pair<manifest::Entry, fs::path>> kept;
    for (auto& [entry, info] : found) {
        const auto& sharing = files_of_info[info];
        if (sharing.size() == 1) {
            kept.emplace_back(std::move(entry), std::move(info));
            continue;
        }
        std::vector<std::string> others;
        for (const auto& file : sharing) {
            if (file != entry.file) others.push_back(file.string());
        }
        const auto error = fmt::format("{}: its side-car {} is also the side-car of {}, and one key holds one caption",
                                       entry.file.string(), info.string(), core::join(others, ", "));
        report_errors({error}, outcome, log);
    }
    return kept;
}

int export_info(const manifest::Selection& selection, manifest::Gathered gathered, core::Log& log) {
    Outcome outcome;
    gathered = manifest::one_track_per_file(std::move(gathered));
    report_errors(gathered.errors, outcome, log);
    std::size_t written = 0, unchanged = 0, backups = 0;
    std::set<std::string> keys;
    for (const auto& [entry, info] : side_cars(gathered.entries, outcome, log)) {
        const auto key = manifest::info_key(entry.row);
        const auto write = manifest::write_caption(info, key, entry.row.caption);
        if (!write) {
            report_errors({write.error().message}, outcome, log);
            continue;
        }
        keys.insert(key);
        ++(write->update == manifest::InfoUpdate::written ? written : unchanged);
        if (write->backed_up) ++backups;
    }
    const auto key_names = keys.empty() ? std::string("no key") : core::join({keys.begin(), keys.end()}, ", ");
    log.info(kTag, "wrote {} into .INFO side-cars under {} ({} unchanged, {} backed up to .bak){}{}",
             count(written, "caption"), key_names, unchanged, backups, skipped(selection), not_written(outcome));
    return exit_code(outcome);
}

std::string phases_in(const std::vector<store::StepRow>& steps) {
    std::set<std::string> phases;
    for (const auto& row : steps) phases.insert(row.phase);
    return phases.empty() ? std::string("none: the store holds no steps") : core::join({phases.begin(), phases.end()}, ", ");
}

std::optional<Request> parse_request(const CommandLine& line, core::Log& log) {
    if (line.positionals.size() != 1) {
        log.error(kTag, "give one folder: tunecap export DIR --phase P --format audiofolder|jsonl|csv|info");
        return std::nullopt;
    }
    const manifest::Filter filter{line.value("--phase").value_or(""), line.value("--model"), line.value("--prompt"),
                                  line.has("--include-flagged")};
    Request request{line.positionals.front(), Format::jsonl, line.value("--format").value_or(""), line.value("--out"),
                    filter};
    const auto format = parse_format(request.format_name);
    if (!format) {
        log.error(kTag, "--format {}: expected audiofolder, jsonl, csv or info",
                  request.format_name.empty() ? std::string("missing") : request.format_name);
        return std::nullopt;
    }
    request.format = *format;
    if (request.format == Format::info && request.out) {
        log.error(kTag, "--out does not apply to --format info: each caption goes into its track's own .INFO side-car");
        return std::nullopt;
    }
    if (request.format == Format::audiofolder && request.out &&
        out_path(*request.out, kAudioFolderFile).filename() != kAudioFolderFile) {
        log.error(kTag, "--out {}: AudioFolder reads only a file named {}; give a folder or a path ending in /{}",
                  *request.out, kAudioFolderFile, kAudioFolderFile);
        return std::nullopt;
    }
    std::error_code ec;
    if (!fs::is_regular_file(request.dir / "tunecap.db", ec)) {
        log.error(kTag, "{}: no tunecap.db here; give the --out folder of a run", request.dir.string());
        return std::nullopt;
    }
    return request;
}

// The rows asked for, or nullopt after a usage error naming what the store holds instead.
std::optional<manifest::Selection> select(const Request& request, const std::vector<store::StepRow>& steps, core::Log& log) {
    const auto db = (request.dir / "tunecap.db").string();
    if (request.filter.phase.empty()) {
        log.error(kTag, "--phase is required (phases in {}: {})", db, phases_in(steps));
        return std::nullopt;
    }
    auto selection = manifest::select_rows(steps, request.filter);
    if (!selection) {
        log.error(kTag, "{}: {}", db, selection.error().message);
        return std::nullopt;
    }
    const bool one_text_per_track = request.format == Format::audiofolder || request.format == Format::info;
    if (one_text_per_track) {
        if (auto crowded = manifest::check_one_caption_per_track(*selection)) {
            log.error(kTag, "--format {}: {}", request.format_name, crowded->message);
            return std::nullopt;
        }
    }
    return std::move(selection).take();
}

}  // namespace

int export_command(const CommandLine& line, core::Log& log) {
    const auto request = parse_request(line, log);
    if (!request) return kExitUsage;
    auto opened = store::Store::open(request->dir / "tunecap.db");
    if (!opened) {
        log.error(kTag, "{}", opened.error().message);
        return kExitSomeFailed;
    }
    const auto store = std::move(opened).take();
    const auto selection = select(*request, store->all_steps(), log);
    if (!selection) return kExitUsage;
    // Tracks stored with a relative path were given so to the run: they are taken from here.
    const auto base = fs::current_path();
    const auto find_track = [&store](const std::string& id) { return store->find_track(id); };
    auto gathered = manifest::gather(selection->rows, find_track, base);
    switch (request->format) {
        case Format::audiofolder: return export_audiofolder(*selection, std::move(gathered), request->out, base, log);
        case Format::info: return export_info(*selection, std::move(gathered), log);
        case Format::jsonl:
        case Format::csv: return export_table(*request, *selection, gathered, log);
    }
    return kExitUsage;
}

}  // namespace tunecap::app
