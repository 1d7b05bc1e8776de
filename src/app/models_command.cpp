// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap models`: what each configured model's GGUF says, and whether it fits the GPU budget;
// for an hf model, whether llama-server has it cached or a run would download it.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "config/config.hpp"
#include "core/text.hpp"
#include "gguf/gguf.hpp"
#include "gguf/memory_estimate.hpp"
#include "gguf/model_summary.hpp"
#include "server/backend.hpp"
#include "server/hf_cache.hpp"

namespace tunecap::app {
namespace {

constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;
// Only the model's shape is wanted: tokenizer arrays (tens of thousands of strings) are walked
// over, not stored. Per-layer arrays (head_count_kv) are far shorter than this.
constexpr std::uint64_t kMaxStoredArrayElements = 4096;
// Marks a value the config leaves out, so the one tunecap passes to llama-server by default.
constexpr const char* kDefaultMark = "*";

double gib(std::uint64_t bytes) { return static_cast<double>(bytes) / kBytesPerGiB; }

// "7.95 GiB", or "2.1 MiB" below a tenth of a GiB, where two decimals of GiB would print 0.00.
std::string format_bytes(std::uint64_t bytes) {
    if (gib(bytes) >= 0.1) return fmt::format("{:.2f} GiB", gib(bytes));
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

// "14.8 B", "6.5 M": parameter counts as model cards write them.
std::string format_count(std::uint64_t n) {
    if (n >= 1'000'000'000) return fmt::format("{:.1f} B", static_cast<double>(n) / 1e9);
    if (n >= 1'000'000) return fmt::format("{:.1f} M", static_cast<double>(n) / 1e6);
    if (n >= 1'000) return fmt::format("{:.1f} K", static_cast<double>(n) / 1e3);
    return std::to_string(n);
}

std::string optional_number(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "-"; }

// "8"; "4 (4/40 layers)" for a hybrid whose other layers are recurrent; "2-8" when it varies.
std::string format_kv_heads(const gguf::ModelSummary& model) {
    std::set<std::uint64_t> heads;
    for (const auto n : model.head_count_kv) {
        if (n > 0) heads.insert(n);
    }
    if (heads.empty()) return "-";
    std::string text = heads.size() == 1 ? std::to_string(*heads.begin())
                                         : fmt::format("{}-{}", *heads.begin(), *heads.rbegin());
    const auto attention = model.attention_layers();
    if (attention < model.head_count_kv.size()) text += fmt::format(" ({}/{} layers)", attention, model.head_count_kv.size());
    return text;
}

std::string format_head_size(const gguf::ModelSummary& model) {
    if (!model.key_length) return "-";
    if (model.value_length && *model.value_length != *model.key_length) {
        return fmt::format("{}/{}", *model.key_length, *model.value_length);
    }
    return std::to_string(*model.key_length);
}

// The value of the last of `names` in a llama-server argument list (the server keeps the last
// one too, so a server_args override wins), or nullopt.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::initializer_list<std::string_view> names) {
    std::optional<std::string> value;
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (std::find(names.begin(), names.end(), args[i]) != names.end()) value = args[i + 1];
    }
    return value;
}

std::optional<std::uint64_t> to_count(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    try {
        const long long n = std::stoll(*text);
        return n >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(n)) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

struct Inspected {
    std::filesystem::path gguf, mmproj;  // the files read: the config's, or an hf model's in llama-server's cache
    std::optional<gguf::ModelSummary> model;
    std::optional<gguf::ModelSummary> projector;
    std::vector<std::string> errors;  // one per unreadable file, each naming the file
    std::vector<std::string> hf_lines;  // for an hf model: what is cached and what a run would download
};

// Where an hf model's files are: cached (the path and size), or what a run would download.
void describe_hf_files(const config::Model& model, const server::LocalModelFiles& files, Inspected& out) {
    if (!model.hf) return;
    if (const auto& cached = files.hf_model) {
        out.hf_lines.push_back(fmt::format("{}: {} cached: {} ({})", model.name, model.hf->text(), cached->path.string(),
                                           format_bytes(cached->bytes)));
    } else {
        out.hf_lines.push_back(fmt::format("{}: a run would download {}", model.name, model.hf->text()));
    }
    if (!model.mmproj_hf) return;
    const auto what = model.mmproj_hf->repo.empty() ? "the projector of " + model.hf->text() : model.mmproj_hf->url;
    if (const auto& cached = files.hf_projector) {
        out.hf_lines.push_back(fmt::format("{}: projector {} cached: {} ({})", model.name, model.mmproj_hf->text(),
                                           cached->path.string(), format_bytes(cached->bytes)));
    } else {
        out.hf_lines.push_back(fmt::format("{}: a run would download {}", model.name, what));
    }
}

Inspected inspect(const config::Model& model, const server::HfCacheDirs& dirs) {
    Inspected out;
    const auto files = server::local_model_files(dirs, model);
    out.gguf = files.gguf;
    out.mmproj = files.mmproj;
    describe_hf_files(model, files, out);
    const gguf::ReadOptions options{kMaxStoredArrayElements};
    if (!out.gguf.empty()) {
        if (auto file = gguf::read_gguf(out.gguf, options)) {
            out.model = gguf::summarize(*file);
        } else {
            out.errors.push_back(file.error().message);
        }
    }
    if (!out.mmproj.empty()) {
        if (auto file = gguf::read_gguf(out.mmproj, options)) {
            out.projector = gguf::summarize(*file);
        } else {
            out.errors.push_back("mmproj " + file.error().message);
        }
    }
    return out;
}

// One model's row; "-" where a value is unknown or does not apply.
struct Row {
    std::string model, file = "-", arch = "-", params = "-", quant = "-", train_ctx = "-", layers = "-",
                       kv_heads = "-", head = "-", chat_template = "-", audio_projector = "-", ctx = "-", slots = "-",
                       kv_cache = "-", estimate = "-", verdict = "-";
    // Set instead of the columns when a file could not be read.
    std::optional<std::string> message;

    std::vector<std::string> cells() const {
        return {model, file,  arch, params, quant, train_ctx, layers, kv_heads, head, chat_template, audio_projector,
                ctx,   slots, kv_cache, estimate, verdict};
    }
};

const std::vector<std::string> kHeader = {"MODEL",    "FILE",       "ARCH", "PARAMS", "QUANT",    "TRAIN CTX",
                                          "LAYERS",   "KV HEADS",   "HEAD", "TEMPLATE", "AUDIO PROJ", "CTX",
                                          "SLOTS",    "KV CACHE",   "EST GiB", "VERDICT"};

// Columns padded to their widest cell; a row with a message prints the model name and the message.
void print_table(std::ostream& out, const std::vector<Row>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& title : kHeader) widths.push_back(title.size());
    for (const auto& row : rows) {
        const auto cells = row.cells();
        for (std::size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], cells[i].size());
    }
    auto print_cells = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t i = 0; i < cells.size(); ++i) text += fmt::format("{:<{}}  ", cells[i], widths[i]);
        out << core::trim(text) << "\n";
    };
    print_cells(kHeader);
    for (const auto& row : rows) {
        if (row.message) {
            out << fmt::format("{:<{}}  {}\n", row.model, widths.front(), *row.message);
        } else {
            print_cells(row.cells());
        }
    }
}

// Fills the columns that come from the GGUF headers.
void describe(Row& row, const Inspected& found) {
    if (found.model) {
        const auto& m = *found.model;
        row.file = found.gguf.filename().string();
        row.arch = m.architecture.empty() ? "?" : m.architecture;
        row.params = format_count(m.parameter_count);
        if (!m.quantization.empty()) row.quant = m.quantization + (m.quantization_from_tensors ? " (tensors)" : "");
        row.train_ctx = optional_number(m.context_length);
        row.layers = optional_number(m.block_count);
        row.kv_heads = format_kv_heads(m);
        row.head = format_head_size(m);
        row.chat_template = m.has_chat_template ? "yes" : "no";
    }
    if (found.projector) row.audio_projector = found.projector->has_audio_encoder ? "yes" : "no";
}

}  // namespace

int models_command(const CommandLine& line, core::Log& log, std::ostream& out) {
    const auto loaded = load_config(line, log);
    if (!loaded) return kExitUsage;
    const config::Config& config = loaded->config;
    // vram_budget_gb is read as GiB: a "16 GB" card reports 16,384 MiB or slightly less.
    const double budget = config.runtime.vram_budget_gb;

    std::vector<Row> rows;
    std::vector<std::string> breakdowns;
    std::vector<std::string> hf_lines;
    const auto hf_dirs = server::hf_cache_dirs(config::process_environment());
    bool any_default = false;
    bool all_readable = true;
    for (const auto& model : config.models) {
        Row& row = rows.emplace_back();
        row.model = model.name;
        const Inspected found = inspect(model, hf_dirs);
        hf_lines.insert(hf_lines.end(), found.hf_lines.begin(), found.hf_lines.end());
        if (!found.errors.empty()) {
            all_readable = false;
            row.message = core::join(found.errors, "; ");
            continue;
        }
        describe(row, found);
        if (model.external()) {
            row.verdict = "endpoint: not managed here";
            continue;
        }
        if (!found.model) {
            row.verdict = model.hf ? "not cached yet: no estimate" : "no gguf configured";
            continue;
        }
        const auto& m = *found.model;

        // Estimate for the flags tunecap will really launch llama-server with, defaults included.
        const auto args = server::server_arguments(model, 0, {});
        gguf::EstimateParams params;
        std::optional<std::uint64_t> ctx = to_count(flag_value(args, {"-c", "--ctx-size"}));
        if (ctx == 0u) ctx = m.context_length;  // -c 0: llama-server takes the trained context
        params.ctx = ctx.value_or(0);
        if (ctx) row.ctx = std::to_string(*ctx) + (model.ctx ? "" : kDefaultMark);
        const auto slots = to_count(flag_value(args, {"-np", "--parallel"}));
        params.slots = static_cast<std::uint32_t>(std::max<std::uint64_t>(slots.value_or(1), 1));
        row.slots = std::to_string(params.slots) + (model.slots ? "" : kDefaultMark);
        auto cache_type = [&](std::initializer_list<std::string_view> names, const std::optional<std::string>& configured,
                              gguf::GgmlType& type) {
            const std::string name = flag_value(args, names).value_or("f16");
            // The config accepts only llama-server's cache types, all of which ggml knows.
            if (auto parsed = gguf::parse_ggml_type(name)) type = *parsed;
            return configured ? name : name + kDefaultMark;
        };
        const std::string k = cache_type({"-ctk", "--cache-type-k"}, model.cache_type_k, params.cache_type_k);
        const std::string v = cache_type({"-ctv", "--cache-type-v"}, model.cache_type_v, params.cache_type_v);
        row.kv_cache = k + "/" + v;
        any_default = any_default || !model.ctx || !model.slots || !model.cache_type_k || !model.cache_type_v;

        const auto estimate = gguf::estimate_memory(m, found.projector, params);
        const double total = gib(estimate.total());
        row.estimate = fmt::format("{:.2f}", total);
        row.verdict = total <= budget ? "fits" : fmt::format("over budget by {:.2f} GiB", total - budget);
        if (!ctx) {
            row.verdict += " (no ctx: KV not counted)";
        } else if (!estimate.kv_shape_known) {
            row.verdict += " (KV shape not in the GGUF: not counted)";
        }

        std::string breakdown = fmt::format("{}: {} weights + {} KV cache", model.name, format_bytes(estimate.weights),
                                            format_bytes(estimate.kv_cache));
        if (estimate.recurrent_state > 0) breakdown += " + " + format_bytes(estimate.recurrent_state) + " recurrent state";
        if (found.projector) breakdown += " + " + format_bytes(estimate.projector) + " projector";
        breakdown += fmt::format(" + {} compute = {:.2f} GiB", format_bytes(estimate.compute_allowance), total);
        breakdowns.push_back(breakdown);
    }

    out << fmt::format("GPU budget {:.1f} GiB (runtime.vram_budget_gb)\n\n", budget);
    print_table(out, rows);
    if (!breakdowns.empty()) {
        out << "\nEST GiB = weights + KV cache (CTX x KV HEADS x HEAD per attention layer, K and V in the KV CACHE types;\n"
               "CTX is llama-server's -c, shared by the SLOTS) + projector + a fixed compute allowance:\n";
        for (const auto& breakdown : breakdowns) out << "  " << breakdown << "\n";
    }
    if (!hf_lines.empty()) {
        out << "\nHugging Face models (hf:), in llama-server's cache " << hf_dirs.hub.string() << ":\n";
        for (const auto& line : hf_lines) out << "  " << line << "\n";
    }
    if (any_default) out << kDefaultMark << " not set in the config: the value tunecap passes to llama-server by default\n";
    log.debug("models", "{} model(s) inspected", config.models.size());
    return all_readable ? kExitOk : kExitSomeFailed;
}

}  // namespace tunecap::app
