// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/text.hpp"

namespace tunecap::config {
namespace {

namespace fs = std::filesystem;

struct Entry;

// A parsed YAML value with the origin of each node; the only place YAML shapes are seen.
struct Value {
    enum class Kind { null, scalar, sequence, map };
    Kind kind = Kind::null;
    std::string scalar;
    std::vector<Value> items;
    std::vector<Entry> entries;  // declaration order
    Origin origin;
    std::size_t layer = 0;  // index into the layer list, for relative-path resolution

    const Value* find(std::string_view key) const;
};

// A key and its value. A struct of its own, not std::pair: clang with libstdc++ rejects a pair
// holding the type being defined (std::pair<std::string, Value> inside Value).
struct Entry {
    std::string key;
    Value value;
};

const Value* Value::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k == key) return &v;
    }
    return nullptr;
}

// Thrown inside this file only; load() turns it into an Error.
struct ConfigError {
    Origin origin;
    std::string path;
    std::string reason;
};

[[noreturn]] void fail(const Value& at, const std::string& path, const std::string& reason) {
    throw ConfigError{at.origin, path, reason};
}

// A config expands to at most this many values. Aliases share one node in yaml-cpp but are copied
// here, so nine levels of ten aliases would be a billion values from a few hundred bytes; the
// default config is a few hundred.
constexpr std::size_t kMaxValues = 20000;
// A config nests at most this deep. An alias inside its own anchor is a cycle in yaml-cpp's node
// graph, and reading it recursed until the stack overflowed, long before kMaxValues; the default
// config nests five levels.
constexpr std::size_t kMaxDepth = 32;

struct YamlReading {
    std::string label;
    std::size_t layer = 0;
    std::size_t values = 0;
};

// Config text reaches prompts and JSON files, which must be UTF-8.
void check_utf8(const std::string& text, const Value& at, std::string_view what) {
    if (const auto bad = core::invalid_utf8_at(text)) {
        fail(at, "", std::string(what) + " is not valid UTF-8 (byte " + std::to_string(*bad + 1) + ")");
    }
}

Value from_yaml(const YAML::Node& node, YamlReading& reading, std::size_t depth = 0) {
    Value value;
    value.layer = reading.layer;
    value.origin = reading.label + ":" + std::to_string(node.Mark().line + 1);
    if (++reading.values > kMaxValues) {
        fail(value, "", "more than " + std::to_string(kMaxValues) + " values once aliases are expanded; is an alias nested in itself?");
    }
    if (depth > kMaxDepth) {
        fail(value, "", "more than " + std::to_string(kMaxDepth) + " levels deep; is an alias nested in itself?");
    }
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
        value.kind = Value::Kind::scalar;
        value.scalar = node.Scalar();
        check_utf8(value.scalar, value, "the text");
        break;
    case YAML::NodeType::Sequence:
        value.kind = Value::Kind::sequence;
        for (const auto& item : node) value.items.push_back(from_yaml(item, reading, depth + 1));
        break;
    case YAML::NodeType::Map:
        value.kind = Value::Kind::map;
        for (const auto& entry : node) {
            const auto& key = entry.first.Scalar();
            check_utf8(key, value, "a key");
            value.entries.push_back({key, from_yaml(entry.second, reading, depth + 1)});
        }
        break;
    default:
        value.kind = Value::Kind::null;
        break;
    }
    return value;
}

// Mappings merge key by key; anything else in the overlay replaces the base whole.
void merge_into(Value& base, const Value& overlay) {
    if (base.kind != Value::Kind::map || overlay.kind != Value::Kind::map) {
        base = overlay;
        return;
    }
    for (const auto& entry : overlay.entries) {
        auto it = std::find_if(base.entries.begin(), base.entries.end(), [&](const Entry& e) { return e.key == entry.key; });
        if (it == base.entries.end()) {
            base.entries.push_back(entry);
        } else {
            merge_into(it->value, entry.value);
        }
    }
}

std::string render_scalar_list(const Value& value) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ", ";
        out += value.items[i].kind == Value::Kind::scalar ? value.items[i].scalar : "...";
    }
    return out + "]";
}

void flatten(const Value& value, const std::string& path, Config& config) {
    switch (value.kind) {
    case Value::Kind::map:
        for (const auto& [key, child] : value.entries) flatten(child, path.empty() ? key : path + "." + key, config);
        break;
    case Value::Kind::sequence: {
        const bool all_scalars = std::all_of(value.items.begin(), value.items.end(),
                                             [](const Value& v) { return v.kind == Value::Kind::scalar; });
        if (all_scalars) {
            config.effective[path] = {render_scalar_list(value), value.origin};
        } else {
            for (std::size_t i = 0; i < value.items.size(); ++i) {
                flatten(value.items[i], path + "[" + std::to_string(i) + "]", config);
            }
        }
        break;
    }
    case Value::Kind::scalar:
        config.effective[path] = {value.scalar, value.origin};
        break;
    case Value::Kind::null:
        config.effective[path] = {"~", value.origin};
        break;
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string known_list(const std::vector<std::string>& names) {
    return names.empty() ? "none" : core::join(names, ", ");
}

std::string suggestion(std::string_view wrong, const std::vector<std::string>& known) {
    for (const auto& name : known) {
        if (edit_distance(wrong, name) <= 2) return " (did you mean '" + name + "'?)";
    }
    return " (known: " + known_list(known) + ")";
}

// Typed reads: each names the path and the reason on failure.
class Reader {
public:
    explicit Reader(std::vector<fs::path> base_dirs, const Environment& environment)
        : m_base_dirs(std::move(base_dirs)), m_environment(environment) {}

    void expect_map(const Value& v, const std::string& path) const {
        if (v.kind != Value::Kind::map) fail(v, path, "expected a mapping of keys to values");
    }

    void only_keys(const Value& v, const std::string& path, const std::vector<std::string>& allowed) const {
        expect_map(v, path);
        for (const auto& [key, child] : v.entries) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                fail(child, path.empty() ? key : path + "." + key, "unknown key" + suggestion(key, allowed));
            }
        }
    }

    std::string string(const Value& v, const std::string& path) const {
        if (v.kind != Value::Kind::scalar) fail(v, path, "expected a text value");
        return v.scalar;
    }

    std::string non_empty_string(const Value& v, const std::string& path) const {
        auto text = string(v, path);
        if (core::trim(text).empty()) fail(v, path, "must not be empty");
        return text;
    }

    long long integer(const Value& v, const std::string& path, long long min, long long max) const {
        const auto text = string(v, path);
        std::size_t used = 0;
        long long number = 0;
        try {
            number = std::stoll(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size()) fail(v, path, "expected an integer, got '" + text + "'");
        if (number < min || number > max) {
            fail(v, path, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text);
        }
        return number;
    }

    double number(const Value& v, const std::string& path, double min, double max) const {
        const auto text = string(v, path);
        std::size_t used = 0;
        double number = 0;
        try {
            number = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(number)) {
            fail(v, path, "expected a number, got '" + text + "'");
        }
        if (number < min || number > max) {
            std::ostringstream range;
            range << "must be between " << min << " and " << max << ", got " << text;
            fail(v, path, range.str());
        }
        return number;
    }

    bool boolean(const Value& v, const std::string& path) const {
        const auto text = core::to_lower_ascii(string(v, path));
        if (text == "true" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "no" || text == "off") return false;
        fail(v, path, "expected true or false, got '" + text + "'");
    }

    std::vector<std::string> string_list(const Value& v, const std::string& path) const {
        if (v.kind != Value::Kind::sequence) fail(v, path, "expected a list");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            out.push_back(non_empty_string(v.items[i], path + "[" + std::to_string(i) + "]"));
        }
        return out;
    }

    // Names of environment variables, or globs of them: letters, digits, _ and *.
    std::vector<std::string> environment_names(const Value& v, const std::string& path) const {
        auto names = string_list(v, path);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const bool ok = std::all_of(names[i].begin(), names[i].end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '*';
            });
            if (!ok) {
                fail(v.items[i], path + "[" + std::to_string(i) + "]",
                     "'" + names[i] + "' is not a variable name (letters, digits and _; * matches any run of them)");
            }
        }
        return names;
    }

    // ~ at the start, ${VAR} anywhere, then relative paths against the folder of the file that set it.
    fs::path file_path(const Value& v, const std::string& path) const {
        const auto text = non_empty_string(v, path);
        std::string expanded;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text.compare(i, 2, "${") == 0) {
                const auto close = text.find('}', i + 2);
                if (close == std::string::npos) fail(v, path, "unterminated ${ in '" + text + "'");
                // ${NAME} or ${NAME:-fallback}, as in the shell.
                auto name = text.substr(i + 2, close - i - 2);
                std::optional<std::string> fallback;
                if (const auto dash = name.find(":-"); dash != std::string::npos) {
                    fallback = name.substr(dash + 2);
                    name.resize(dash);
                }
                auto value = m_environment(name);
                if (!value || (value->empty() && fallback)) value = fallback;
                if (!value) fail(v, path, "environment variable " + name + " is not set (used in '" + text + "')");
                expanded += *value;
                i = close;
            } else {
                expanded.push_back(text[i]);
            }
        }
        if (expanded == "~" || expanded.starts_with("~/")) {
            const auto home = m_environment("HOME");
            if (!home) fail(v, path, "cannot expand ~: HOME is not set");
            expanded = *home + expanded.substr(1);
        }
        fs::path result(expanded);
        if (result.is_relative()) result = m_base_dirs.at(v.layer) / result;
        return result.lexically_normal();
    }

    std::optional<std::string> environment(const std::string& name) const { return m_environment(name); }

private:
    std::vector<fs::path> m_base_dirs;
    const Environment& m_environment;
};

const std::vector<std::string> kTemplateVariables = {"genres", "caption", "captions", "prompt",   "duration",
                                                     "bpm",    "key",     "mode",     "loudness", "facts"};

// Text may use {variable} from kTemplateVariables; {{ and }} stand for literal braces.
void check_placeholders(const Value& v, const std::string& path, const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "{{") == 0 || text.compare(i, 2, "}}") == 0) {
            ++i;
            continue;
        }
        if (text[i] != '{') continue;
        const auto close = text.find('}', i);
        if (close == std::string::npos) fail(v, path, "unclosed '{' (write {{ for a literal brace)");
        const auto name = text.substr(i + 1, close - i - 1);
        if (std::find(kTemplateVariables.begin(), kTemplateVariables.end(), name) == kTemplateVariables.end()) {
            fail(v, path, "unknown template variable {" + name + "}" + suggestion(name, kTemplateVariables));
        }
        i = close;
    }
}

std::vector<std::string> family_names() {
    std::vector<std::string> names;
    for (auto family : core::kAllFamilies) names.emplace_back(core::to_string(family));
    return names;
}

const std::vector<std::string> kCacheTypes = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"};

Sampling read_sampling(const Reader& r, const Value& v, const std::string& path) {
    r.only_keys(v, path, {"temperature", "top_p", "top_k", "min_p", "repeat_penalty", "seed", "max_tokens"});
    Sampling s;
    if (auto* x = v.find("temperature")) s.temperature = r.number(*x, path + ".temperature", 0, 5);
    if (auto* x = v.find("top_p")) s.top_p = r.number(*x, path + ".top_p", 0, 1);
    if (auto* x = v.find("top_k")) s.top_k = static_cast<int>(r.integer(*x, path + ".top_k", 0, 100000));
    if (auto* x = v.find("min_p")) s.min_p = r.number(*x, path + ".min_p", 0, 1);
    if (auto* x = v.find("repeat_penalty")) s.repeat_penalty = r.number(*x, path + ".repeat_penalty", 0, 10);
    if (auto* x = v.find("seed")) s.seed = r.integer(*x, path + ".seed", -1, INT64_MAX);
    if (auto* x = v.find("max_tokens")) s.max_tokens = static_cast<int>(r.integer(*x, path + ".max_tokens", 1, 1 << 20));
    return s;
}

// A Hugging Face repo id as llama-server accepts it (is_valid_repo_id in common/hf-cache.cpp,
// ggml-org/llama.cpp 2026-04): letters, digits and '_', with '/', '.' and '-' only between them,
// exactly one '/', at most 256 characters.
bool valid_repo_id(const std::string& repo) {
    if (repo.empty() || repo.size() > 256) return false;
    int slashes = 0;
    bool after_special = true;
    for (const char c : repo) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            after_special = false;
        } else if (c == '/' || c == '.' || c == '-') {
            if (after_special) return false;
            slashes += c == '/';
            after_special = true;
        } else {
            return false;
        }
    }
    return !after_special && slashes == 1;
}

// `hf: owner/repo` or `owner/repo:QUANT`. The quant goes into a file-name pattern on the server
// (find_best_model in common/download.cpp), so it is letters, digits, '_' and '-'.
HfModel read_hf_model(const Reader& r, const Value& v, const std::string& path) {
    const std::string text(core::trim(r.non_empty_string(v, path)));
    HfModel hf;
    const auto colon = text.find(':');
    hf.repo = text.substr(0, colon);
    if (colon != std::string::npos) hf.quant = text.substr(colon + 1);
    if (!valid_repo_id(hf.repo)) {
        fail(v, path, "expected owner/repo or owner/repo:QUANT (a Hugging Face repo such as ggml-org/Qwen3-14B-GGUF:Q4_K_M), got '" +
                          text + "'");
    }
    const bool plain_quant = std::all_of(hf.quant.begin(), hf.quant.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (colon != std::string::npos && (hf.quant.empty() || !plain_quant)) {
        fail(v, path, "the quant after ':' must be letters, digits, '_' and '-' (such as Q4_K_M), got '" + hf.quant + "'");
    }
    return hf;
}

// `mmproj_hf: auto` or `owner/repo/path/file.gguf` (see HfProjector).
HfProjector read_hf_projector(const Reader& r, const Value& v, const std::string& path) {
    const std::string text(core::trim(r.non_empty_string(v, path)));
    if (text == "auto") return {};
    HfProjector p;
    const auto first = text.find('/');
    const auto second = first == std::string::npos ? first : text.find('/', first + 1);
    if (second != std::string::npos) {
        p.repo = text.substr(0, second);
        p.file = text.substr(second + 1);
    }
    bool plain_file = p.file.ends_with(".gguf");
    for (std::size_t start = 0; plain_file && start <= p.file.size();) {
        const auto end = std::min(p.file.find('/', start), p.file.size());
        const auto part = p.file.substr(start, end - start);
        plain_file = !part.empty() && part != "." && part != "..";
        start = end + 1;
    }
    if (!valid_repo_id(p.repo) || !plain_file) {
        fail(v, path, "expected auto (the projector llama-server picks from the hf repo) or owner/repo/file.gguf, got '" + text + "'");
    }
    auto endpoint = r.environment("MODEL_ENDPOINT");
    if (!endpoint || endpoint->empty()) endpoint = r.environment("HF_ENDPOINT");
    if (!endpoint || endpoint->empty()) endpoint = "https://huggingface.co/";
    if (!endpoint->ends_with('/')) *endpoint += '/';
    p.url = *endpoint + p.repo + "/resolve/main/" + p.file;
    return p;
}

// Phase ids, model names and prompt ids become parts of file names (server logs, exports) and of
// JSON keys: "../x" or "/abs" must not write outside the output folder.
void check_plain_name(const std::string& name, const Value& at, const std::string& path) {
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    });
    if (!plain) fail(at, path, "use letters, digits, '-' and '_' only, got '" + name + "'");
}

Model read_model(const Reader& r, const std::string& name, const Value& v, const std::string& path) {
    check_plain_name(name, v, path);
    r.only_keys(v, path,
                {"gguf", "mmproj", "hf", "mmproj_hf", "family", "request", "system", "ctx", "slots", "batch", "ubatch", "cache_type_k",
                 "cache_type_v", "gpu_layers", "max_input_chars", "server_args", "sampling", "endpoint", "endpoints", "gpus"});
    Model m;
    m.name = name;
    m.origin = v.origin;
    const auto* family = v.find("family");
    if (!family) fail(v, path, "missing key 'family' (one of " + core::join(family_names(), ", ") + ")");
    const auto family_text = r.string(*family, path + ".family");
    const auto parsed_family = core::parse_family(family_text);
    if (!parsed_family) {
        fail(*family, path + ".family", "unknown family '" + family_text + "'" + suggestion(family_text, family_names()));
    }
    m.family = *parsed_family;
    auto read_endpoint = [&](const Value& x, const std::string& at) {
        r.only_keys(x, at, {"url", "api_key_env"});
        Endpoint e;
        const auto* url = x.find("url");
        if (!url) fail(x, at, "missing key 'url'");
        e.url = r.non_empty_string(*url, at + ".url");
        if (!e.url.starts_with("http://") && !e.url.starts_with("https://")) {
            fail(*url, at + ".url", "must start with http:// or https://, got '" + e.url + "'");
        }
        if (auto* key = x.find("api_key_env")) e.api_key_env = r.non_empty_string(*key, at + ".api_key_env");
        return e;
    };
    if (auto* x = v.find("endpoint")) m.endpoints.push_back(read_endpoint(*x, path + ".endpoint"));
    if (auto* x = v.find("endpoints")) {
        if (!m.endpoints.empty()) fail(*x, path + ".endpoints", "give either 'endpoint' or 'endpoints', not both");
        if (x->kind != Value::Kind::sequence || x->items.empty()) fail(*x, path + ".endpoints", "expected a non-empty list of {url, api_key_env}");
        for (std::size_t k = 0; k < x->items.size(); ++k) {
            m.endpoints.push_back(read_endpoint(x->items[k], path + ".endpoints[" + std::to_string(k) + "]"));
        }
    }
    if (auto* x = v.find("gpus")) {
        if (m.external()) fail(*x, path + ".gpus", "an external server's GPUs are its own: 'gpus' is for managed servers");
        if (x->kind != Value::Kind::sequence || x->items.empty()) fail(*x, path + ".gpus", "expected a non-empty list of GPU indices");
        for (std::size_t k = 0; k < x->items.size(); ++k) {
            const auto gpu = static_cast<int>(r.integer(x->items[k], path + ".gpus[" + std::to_string(k) + "]", 0, 255));
            if (std::find(m.gpus.begin(), m.gpus.end(), gpu) != m.gpus.end()) {
                fail(x->items[k], path + ".gpus", "GPU " + std::to_string(gpu) + " is named twice");
            }
            m.gpus.push_back(gpu);
        }
    }
    // A key set to ~ is not set: a config layered over the default replaces gguf with hf that way.
    auto given = [&](const char* key) { auto* x = v.find(key); return x && x->kind != Value::Kind::null ? x : nullptr; };
    if (auto* x = given("gguf")) m.gguf = r.file_path(*x, path + ".gguf");
    if (auto* x = given("hf")) {
        if (!m.gguf.empty()) fail(*x, path + ".hf", "give 'gguf' or 'hf', not both (gguf: ~ drops one set by another layer)");
        if (m.external()) fail(*x, path + ".hf", "an endpoint serves its own model; 'hf' is for a managed llama-server");
        m.hf = read_hf_model(r, *x, path + ".hf");
    }
    if (m.gguf.empty() && !m.hf && !m.external()) {
        fail(v, path, "needs 'gguf' (a file), 'hf' (a Hugging Face repo llama-server downloads) or 'endpoint'/'endpoints' (external servers)");
    }
    if (auto* x = given("mmproj")) m.mmproj = r.file_path(*x, path + ".mmproj");
    if (auto* x = given("mmproj_hf")) {
        if (!m.hf) fail(*x, path + ".mmproj_hf", "needs 'hf' (the projector of a gguf file is 'mmproj')");
        if (!m.mmproj.empty()) fail(*x, path + ".mmproj_hf", "give 'mmproj' or 'mmproj_hf', not both");
        m.mmproj_hf = read_hf_projector(r, *x, path + ".mmproj_hf");
    }
    if (auto* x = v.find("system")) m.system = x->kind == Value::Kind::null ? std::string() : r.string(*x, path + ".system");
    if (auto* x = v.find("request")) {
        const auto text = r.string(*x, path + ".request");
        if (text == "chat") m.request = RequestPath::chat;
        else if (text == "raw") m.request = RequestPath::raw;
        else fail(*x, path + ".request", "expected chat or raw, got '" + text + "'");
    }
    auto positive = [&](const char* key, std::optional<int>& out, long long max) {
        // `~` leaves the value unset, so a layer can take back a lower layer's (`ctx: ~` with `slots: auto`).
        if (auto* x = v.find(key); x && x->kind != Value::Kind::null) out = static_cast<int>(r.integer(*x, path + "." + key, 1, max));
    };
    positive("ctx", m.ctx, 1 << 24);
    if (auto* x = v.find("slots"); x && x->kind == Value::Kind::scalar && x->scalar == "auto") {
        if (m.external()) fail(*x, path + ".slots", "'auto' sizes a managed server's slots; an external server's are its own");
        m.slots_auto = true;
    } else {
        positive("slots", m.slots, 256);
    }
    positive("batch", m.batch, 1 << 20);
    positive("ubatch", m.ubatch, 1 << 20);
    positive("max_input_chars", m.max_input_chars, 1 << 24);
    if (auto* x = v.find("gpu_layers")) m.gpu_layers = static_cast<int>(r.integer(*x, path + ".gpu_layers", -1, 100000));
    if (m.batch && m.ubatch && *m.ubatch > *m.batch) {
        fail(*v.find("ubatch"), path + ".ubatch", "must not exceed batch (" + std::to_string(*m.batch) + ")");
    }
    auto cache_type = [&](const char* key, std::optional<std::string>& out) {
        if (auto* x = v.find(key)) {
            out = r.string(*x, path + "." + key);
            if (std::find(kCacheTypes.begin(), kCacheTypes.end(), *out) == kCacheTypes.end()) {
                fail(*x, path + "." + key, "unknown cache type '" + *out + "'" + suggestion(*out, kCacheTypes));
            }
        }
    };
    cache_type("cache_type_k", m.cache_type_k);
    cache_type("cache_type_v", m.cache_type_v);
    if (auto* x = v.find("server_args")) m.server_args = r.string_list(*x, path + ".server_args");
    if (auto* x = v.find("sampling")) m.sampling = read_sampling(r, *x, path + ".sampling");
    return m;
}

void sort_phases(std::vector<Phase>& phases, const Value& phases_value) {
    // Kahn's algorithm, stable: among ready phases the declared order wins.
    std::vector<Phase> sorted;
    std::vector<bool> placed(phases.size(), false);
    while (sorted.size() < phases.size()) {
        bool progressed = false;
        for (std::size_t i = 0; i < phases.size(); ++i) {
            if (placed[i]) continue;
            const bool ready = std::all_of(phases[i].inputs.begin(), phases[i].inputs.end(), [&](const std::string& in) {
                return std::any_of(sorted.begin(), sorted.end(), [&](const Phase& p) { return p.id == in; });
            });
            if (ready) {
                sorted.push_back(phases[i]);
                placed[i] = true;
                progressed = true;
            }
        }
        if (!progressed) {
            std::vector<std::string> stuck;
            for (std::size_t i = 0; i < phases.size(); ++i) {
                if (!placed[i]) stuck.push_back(phases[i].id);
            }
            fail(phases_value, "phases", "the inputs form a cycle among: " + core::join(stuck, ", "));
        }
    }
    phases = std::move(sorted);
}

// A step reads, from each input phase, the steps with its own prompt id: every prompt of the phase
// must be run by each of its inputs, or the step would have nothing to read.
void check_prompt_alignment(const Config& c, const Phase& phase, const Value& item, const std::string& path) {
    if (describe(phase.kind).alignment != InputAlignment::same_prompt) return;
    for (const auto& input : phase.inputs) {
        const auto& provided = c.find_phase(input)->prompts;
        for (const auto& prompt : phase.prompts) {
            if (std::find(provided.begin(), provided.end(), prompt) != provided.end()) continue;
            const auto* at = item.find("prompts");
            fail(at ? *at : item, path + ".prompts",
                 "prompt '" + prompt + "' is not run by input phase '" + input + "' (it runs: " + core::join(provided, ", ") +
                     "); a " + std::string(to_string(phase.kind)) + " step reads its inputs' captions for the same prompt");
        }
    }
}

// The phase's models: known, able to hear the audio when its kind sends audio, and present exactly
// when its kind runs a model.
void read_phase_models(const Reader& r, const Config& c, const Value& item, const std::string& path, Phase& p) {
    const auto& info = describe(p.kind);
    std::vector<std::string> known;
    for (const auto& m : c.models) known.push_back(m.name);
    if (auto* x = item.find("models")) p.models = r.string_list(*x, path + ".models");
    for (std::size_t k = 0; k < p.models.size(); ++k) {
        const auto* model = c.find_model(p.models[k]);
        const auto& at = item.find("models")->items[k];
        if (!model) fail(at, path + ".models", "unknown model '" + p.models[k] + "'" + suggestion(p.models[k], known));
        if (info.audio && !model->takes_audio()) {
            fail(at, path + ".models",
                 "phase kind " + std::string(info.name) + " needs audio input, but model '" + model->name +
                     "' has no 'mmproj', 'mmproj_hf' or endpoint");
        }
    }
    if (!info.model && !p.models.empty()) fail(item, path + ".models", "a " + std::string(info.name) + " phase uses no model");
    if (info.model && p.models.empty()) fail(item, path, "needs at least one model in 'models'");
}

// The phase's prompt ids: `all` (or no key) for every prompt in declaration order, else a list of
// known ids.
std::vector<std::string> read_phase_prompts(const Reader& r, const Config& c, const Value& item, const std::string& path) {
    std::vector<std::string> all;
    for (const auto& p : c.prompts) all.push_back(p.id);
    const auto* x = item.find("prompts");
    if (!x || (x->kind == Value::Kind::scalar && x->scalar == "all")) return all;
    auto prompts = r.string_list(*x, path + ".prompts");
    for (std::size_t k = 0; k < prompts.size(); ++k) {
        if (!c.find_prompt(prompts[k])) {
            fail(x->items[k], path + ".prompts", "unknown prompt '" + prompts[k] + "'" + suggestion(prompts[k], all));
        }
    }
    return prompts;
}

void check_input_count(const Phase& p, const Value& item, const std::string& path) {
    const auto& info = describe(p.kind);
    const std::string kind_name(info.name);
    if (info.max_inputs == 0 && !p.inputs.empty()) fail(item, path + ".inputs", "a " + kind_name + " phase takes no inputs");
    if (p.inputs.size() < info.min_inputs) {
        fail(item, path + ".inputs", "a " + kind_name + " phase needs at least " + std::to_string(info.min_inputs) + " input phase(s)");
    }
    if (p.inputs.size() > info.max_inputs) {
        fail(*item.find("inputs"), path + ".inputs",
             "a " + kind_name + " phase reads at most " + std::to_string(info.max_inputs) + " input phase(s)");
    }
}

// genre_contrasts: [[techno, folk], [jazz, metal], ...]
std::vector<GenreContrast> read_genre_contrasts(const Reader& r, const Value& v) {
    if (v.kind != Value::Kind::sequence) fail(v, "genre_contrasts", "expected a list of genre pairs, e.g. [techno, folk]");
    std::vector<GenreContrast> out;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
        const std::string path = "genre_contrasts[" + std::to_string(i) + "]";
        const auto pair = r.string_list(v.items[i], path);
        if (pair.size() != 2) fail(v.items[i], path, "expected two genres, got " + std::to_string(pair.size()));
        if (core::to_lower_ascii(pair[0]) == core::to_lower_ascii(pair[1])) fail(v.items[i], path, "a genre cannot contrast with itself");
        out.push_back({pair[0], pair[1]});
    }
    return out;
}

void read_phases(const Reader& r, const Value& v, Config& c) {
    if (v.kind != Value::Kind::sequence) fail(v, "phases", "expected a list of phases");
    std::vector<std::string> phase_ids;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
        const auto& item = v.items[i];
        const std::string path = "phases[" + std::to_string(i) + "]";
        r.only_keys(item, path, {"id", "kind", "models", "prompts", "genre_hint", "inputs"});
        Phase p;
        p.origin = item.origin;
        const auto* id = item.find("id");
        if (!id) fail(item, path, "missing key 'id'");
        p.id = r.non_empty_string(*id, path + ".id");
        check_plain_name(p.id, *id, path + ".id");
        if (std::find(phase_ids.begin(), phase_ids.end(), p.id) != phase_ids.end()) {
            fail(*id, path + ".id", "duplicate phase id '" + p.id + "'");
        }
        phase_ids.push_back(p.id);
        const auto* kind = item.find("kind");
        if (!kind) fail(item, path, "missing key 'kind'");
        const auto kind_text = r.string(*kind, path + ".kind");
        const auto parsed = parse_phase_kind(kind_text);
        if (!parsed) {
            std::vector<std::string> names;
            for (const auto& info : phase_kinds()) names.emplace_back(info.name);
            fail(*kind, path + ".kind", "unknown kind '" + kind_text + "'" + suggestion(kind_text, names));
        }
        p.kind = *parsed;
        read_phase_models(r, c, item, path, p);
        p.prompts = read_phase_prompts(r, c, item, path);
        if (auto* x = item.find("genre_hint")) {
            const bool wrong = x->kind == Value::Kind::scalar && x->scalar == "wrong";
            p.genre_hint = wrong ? GenreHint::wrong : r.boolean(*x, path + ".genre_hint") ? GenreHint::genres : GenreHint::none;
            if (p.genre_hint != GenreHint::none && !describe(p.kind).genre_hint) {
                fail(*x, path + ".genre_hint", "a " + std::string(to_string(p.kind)) + " phase takes no genre hint");
            }
        }
        if (auto* x = item.find("inputs")) p.inputs = r.string_list(*x, path + ".inputs");
        check_input_count(p, item, path);
        c.phases.push_back(std::move(p));
    }
    for (std::size_t i = 0; i < c.phases.size(); ++i) {
        for (const auto& input : c.phases[i].inputs) {
            if (!c.find_phase(input)) {
                fail(*v.items[i].find("inputs"), "phases[" + std::to_string(i) + "].inputs",
                     "unknown phase '" + input + "'" + suggestion(input, phase_ids));
            }
            if (input == c.phases[i].id) fail(*v.items[i].find("inputs"), "phases[" + std::to_string(i) + "].inputs", "a phase cannot be its own input");
        }
        check_prompt_alignment(c, c.phases[i], v.items[i], "phases[" + std::to_string(i) + "]");
    }
    sort_phases(c.phases, v);
}

Config read_config(const Value& root, const Reader& r) {
    Config c;
    r.only_keys(root, "", {"runtime", "models", "prompts", "templates", "cleaning", "genre_contrasts", "phases"});
    if (auto* v = root.find("runtime")) {
        r.only_keys(*v, "runtime",
                    {"llama_server", "vram_budget_gb", "max_audio_seconds", "audio_format", "server_env", "request_deadline",
                     "side_by_side"});
        if (auto* x = v->find("llama_server")) c.runtime.llama_server = r.non_empty_string(*x, "runtime.llama_server");
        if (auto* x = v->find("vram_budget_gb")) c.runtime.vram_budget_gb = r.number(*x, "runtime.vram_budget_gb", 0.5, 4096);
        if (auto* x = v->find("max_audio_seconds")) {
            c.runtime.max_audio_seconds = r.number(*x, "runtime.max_audio_seconds", 1, 24 * 3600);
        }
        if (auto* x = v->find("audio_format")) {
            const auto text = r.string(*x, "runtime.audio_format");
            const auto format = core::parse_audio_format(text);
            if (!format) fail(*x, "runtime.audio_format", "expected wav, flac or mp3, got '" + text + "'");
            c.runtime.audio_format = *format;
        }
        if (auto* x = v->find("server_env")) c.runtime.server_env = r.environment_names(*x, "runtime.server_env");
        if (auto* x = v->find("side_by_side")) c.runtime.side_by_side = r.boolean(*x, "runtime.side_by_side");
        if (auto* d = v->find("request_deadline")) {
            const std::string path = "runtime.request_deadline";
            r.only_keys(*d, path, {"prefill_tps", "decode_tps", "allowance_s"});
            auto& deadline = c.runtime.request_deadline;
            if (auto* x = d->find("prefill_tps")) deadline.prefill_tps = r.number(*x, path + ".prefill_tps", 0.01, 1e9);
            if (auto* x = d->find("decode_tps")) deadline.decode_tps = r.number(*x, path + ".decode_tps", 0.01, 1e9);
            if (auto* x = d->find("allowance_s")) deadline.allowance_s = r.number(*x, path + ".allowance_s", 0, 24 * 3600);
        }
    }
    if (auto* v = root.find("cleaning")) {
        r.only_keys(*v, "cleaning", {"max_t5_tokens", "sentencepiece_model"});
        if (auto* x = v->find("max_t5_tokens")) {
            if (!(x->kind == Value::Kind::null)) {
                c.cleaning.max_t5_tokens = static_cast<int>(r.integer(*x, "cleaning.max_t5_tokens", 1, 1 << 16));
            }
        }
        if (auto* x = v->find("sentencepiece_model")) {
            if (!(x->kind == Value::Kind::null)) c.cleaning.sentencepiece_model = r.file_path(*x, "cleaning.sentencepiece_model");
        }
    }
    if (auto* v = root.find("models")) {
        r.expect_map(*v, "models");
        for (const auto& [name, entry] : v->entries) c.models.push_back(read_model(r, name, entry, "models." + name));
    }
    const auto* prompts = root.find("prompts");
    if (!prompts) fail(root, "prompts", "missing: at least one prompt is needed");
    r.expect_map(*prompts, "prompts");
    for (const auto& [id, text] : prompts->entries) {
        check_plain_name(id, text, "prompts." + id);
        Prompt p{id, r.non_empty_string(text, "prompts." + id)};
        check_placeholders(text, "prompts." + id, p.text);
        c.prompts.push_back(std::move(p));
    }
    if (auto* v = root.find("templates")) {
        r.only_keys(*v, "templates", {"genre_hint", "revise", "ensemble", "audio_revise"});
        auto read = [&](const char* key, std::string& out) {
            if (auto* x = v->find(key)) {
                out = r.non_empty_string(*x, std::string("templates.") + key);
                check_placeholders(*x, std::string("templates.") + key, out);
            }
        };
        read("genre_hint", c.templates.genre_hint);
        read("revise", c.templates.revise);
        read("ensemble", c.templates.ensemble);
        read("audio_revise", c.templates.audio_revise);
    }
    if (auto* v = root.find("genre_contrasts")) c.genre_contrasts = read_genre_contrasts(r, *v);
    if (auto* v = root.find("phases")) read_phases(r, *v, c);
    for (const auto& phase : c.phases) {
        const bool needs_hint = phase.genre_hint != GenreHint::none;
        if (phase.genre_hint == GenreHint::wrong && c.genre_contrasts.empty()) {
            throw ConfigError{phase.origin, "genre_contrasts", "phase '" + phase.id + "' gives a wrong genre hint: list at least one pair"};
        }
        auto missing = [&](const std::string& text, const char* name) {
            if (text.empty()) throw ConfigError{phase.origin, std::string("templates.") + name, "phase '" + phase.id + "' needs this template"};
        };
        if (needs_hint) missing(c.templates.genre_hint, "genre_hint");
        switch (describe(phase.kind).text) {
        case PhaseText::prompt: break;
        case PhaseText::revise_template: missing(c.templates.revise, "revise"); break;
        case PhaseText::audio_revise_template: missing(c.templates.audio_revise, "audio_revise"); break;
        case PhaseText::ensemble_template: missing(c.templates.ensemble, "ensemble"); break;
        }
    }
    return c;
}

}  // namespace

const Model* Config::find_model(std::string_view name) const {
    for (const auto& m : models) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

const Phase* Config::find_phase(std::string_view id) const {
    for (const auto& p : phases) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

const Prompt* Config::find_prompt(std::string_view id) const {
    for (const auto& p : prompts) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

Environment process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

core::Result<Config> load_layers(const std::vector<Layer>& layers, const Environment& environment) {
    Value merged;
    merged.kind = Value::Kind::map;
    std::vector<fs::path> base_dirs;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        base_dirs.push_back(layers[i].base_dir);
        YAML::Node node;
        try {
            node = YAML::Load(layers[i].text);
        } catch (const YAML::Exception& e) {
            return core::Error{layers[i].label + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg};
        }
        Value value;
        try {
            YamlReading reading{layers[i].label, i};
            value = from_yaml(node, reading);
        } catch (const ConfigError& e) {
            return core::Error{e.origin + ": " + e.reason};
        }
        if (value.kind == Value::Kind::null) continue;  // an empty file changes nothing
        if (value.kind != Value::Kind::map) {
            return core::Error{value.origin + ": the top level must be a mapping (runtime, models, prompts, templates, phases)"};
        }
        merge_into(merged, value);
    }
    if (auto server = environment("TUNECAP_LLAMA_SERVER"); server && !server->empty()) {
        Value runtime;
        runtime.kind = Value::Kind::map;
        Value binary;
        binary.kind = Value::Kind::scalar;
        binary.scalar = *server;
        binary.origin = "env TUNECAP_LLAMA_SERVER";
        runtime.entries.push_back({"llama_server", binary});
        Value overlay;
        overlay.kind = Value::Kind::map;
        overlay.entries.push_back({"runtime", runtime});
        merge_into(merged, overlay);
    }
    try {
        Reader reader(base_dirs, environment);
        Config config = read_config(merged, reader);
        flatten(merged, "", config);
        return config;
    } catch (const ConfigError& e) {
        return core::Error{e.origin + ": " + (e.path.empty() ? "" : e.path + ": ") + e.reason};
    }
}

core::Result<Config> load(const LoadOptions& options) {
    std::vector<Layer> layers;
    layers.push_back({"configs/default.yaml (built in)", std::string(default_config_text()), fs::current_path()});
    if (options.user_file) {
        const auto& file = *options.user_file;
        std::ifstream in(file);
        if (!in) return core::Error{file.string() + ": cannot read the config file"};
        std::stringstream text;
        text << in.rdbuf();
        const auto absolute = fs::absolute(file);
        layers.push_back({file.string(), text.str(), absolute.parent_path()});
    }
    auto config = load_layers(layers, options.environment);
    if (config.ok() && options.user_file) config->user_file = fs::absolute(*options.user_file);
    return config;
}

}  // namespace tunecap::config
