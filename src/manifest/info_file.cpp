// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest/info_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/text.hpp"
#include "core/atomic_file.hpp"
#include "tags/genres.hpp"

namespace tunecap::manifest {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Reading and writing back through nlohmann keeps every value but three, which this finds before
// anything is written: an integer beyond 64 bits is read as a double (123456789012345678901234
// comes back as 1.2345678901234568e+23), a number below the smallest double as 0, and of a key
// given twice only the last value is kept. What nlohmann changes without changing a value (1.10
// written as 1.1, 1e5 as 100000.0, "\u00e9" as "é") is fine.
class LossCheck : public nlohmann::json_sax<ordered_json> {
public:
    const std::string& problem() const { return m_problem; }

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(ordered_json::number_integer_t) override { return true; }
    bool number_unsigned(ordered_json::number_unsigned_t) override { return true; }
    bool number_float(ordered_json::number_float_t value, const ordered_json::string_t& text) override {
        if (text.find_first_of(".eE") == std::string::npos) {
            return fail(fmt::format("the integer {} does not fit 64 bits and would be written back as {}", text,
                                    ordered_json(value).dump()));
        }
        const auto mantissa = std::string_view(text).substr(0, text.find_first_of("eE"));
        if (value == 0 && mantissa.find_first_of("123456789") != std::string_view::npos) {
            return fail(fmt::format("the number {} is too small for a double and would be written back as 0", text));
        }
        return true;
    }
    bool string(ordered_json::string_t&) override { return true; }
    bool binary(ordered_json::binary_t&) override { return true; }
    bool start_object(std::size_t) override {
        m_keys.emplace_back();
        return true;
    }
    bool key(ordered_json::string_t& name) override {
        if (m_keys.back().insert(name).second) return true;
        return fail(fmt::format("the key \"{}\" appears twice in one object and only its last value would be kept", name));
    }
    bool end_object() override {
        m_keys.pop_back();
        return true;
    }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    bool fail(std::string problem) {
        m_problem = std::move(problem);
        return false;
    }
    std::vector<std::set<std::string>> m_keys;  // the keys seen in each open object
    std::string m_problem;
};

// How the original was written out, so that rewriting it changes no more lines than needed.
struct Layout {
    int indent = -1;  // -1: on one line
    char indent_char = ' ';
    bool ascii = true;  // escape non-ASCII text, as Python's json.dump does by default
    bool crlf = false;
    bool final_newline = false;
};

Layout layout_of(std::string_view text) {
    Layout layout;
    layout.ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    layout.crlf = text.find("\r\n") != std::string_view::npos;
    layout.final_newline = text.ends_with('\n');
    const auto body = core::trim(text);
    const auto line_break = body.find('\n');
    if (line_break == std::string_view::npos) return layout;
    const auto next_line = body.substr(line_break + 1);
    const auto width = next_line.find_first_not_of(" \t");
    layout.indent = width == std::string_view::npos ? 0 : static_cast<int>(width);
    if (layout.indent > 0 && next_line.front() == '\t') layout.indent_char = '\t';
    return layout;
}

std::string written_out(const ordered_json& document, const Layout& layout) {
    std::string text = document.dump(layout.indent, layout.indent_char, layout.ascii, ordered_json::error_handler_t::replace);
    if (layout.final_newline) text += '\n';
    if (!layout.crlf) return text;
    std::string crlf;
    for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return crlf;
}

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: why";
// the reason after the last ": " is what the user needs, with the position given separately.
std::string json_reason(const ordered_json::exception& error) {
    std::string_view what = error.what();
    if (const auto colon = what.rfind(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
    std::string reason(what);
    std::replace_if(reason.begin(), reason.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return reason;
}

core::Result<std::string> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error{fmt::format("cannot read: {}", std::strerror(errno))};
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return core::Error{"cannot read: I/O error"};
    return text;
}

}  // namespace

std::string info_key(const store::StepRow& row) { return fmt::format("tunecap_{}_{}_{}", row.phase, row.model, row.prompt); }

std::optional<fs::path> info_file_of(const fs::path& track) { return tags::find_info_file(track); }

std::vector<std::optional<fs::path>> info_files_of(const std::vector<fs::path>& tracks) {
    tags::InfoIndex index;
    std::vector<std::optional<fs::path>> found;
    found.reserve(tracks.size());
    for (const auto& track : tracks) found.push_back(index.find(track));
    return found;
}

core::Result<std::optional<std::string>> with_caption(std::string_view text, std::string_view key,
                                                      std::string_view caption) {
    ordered_json document;
    try {
        document = ordered_json::parse(text);
    } catch (const ordered_json::parse_error& error) {
        return core::Error{fmt::format("invalid JSON at byte {}: {}", error.byte, json_reason(error))};
    } catch (const ordered_json::exception& error) {
        return core::Error{fmt::format("invalid JSON: {}", json_reason(error))};
    }
    if (!document.is_object()) {
        return core::Error{fmt::format("the top level must be a JSON object (found {})", document.type_name())};
    }
    LossCheck check;
    if (!ordered_json::sax_parse(text, &check)) return core::Error{check.problem() + "; not changed"};

    const std::string name(key);
    const auto found = document.find(name);
    if (found != document.end() && *found == std::string(caption)) return std::optional<std::string>();
    document[name] = std::string(caption);
    return std::optional(written_out(document, layout_of(text)));
}

core::Result<InfoWrite> write_caption(const fs::path& path, std::string_view key, std::string_view caption) {
    const auto fail = [&path](std::string_view reason) { return core::Error{fmt::format("{}: {}", path.string(), reason)}; };
    std::error_code ec;
    // Renaming over a link would replace the link; the file it points to is the one to change.
    const auto target = fs::is_symlink(path, ec) ? fs::canonical(path, ec) : path;
    if (ec) return fail(fmt::format("cannot follow the link: {}", ec.message()));
    const auto original = read_bytes(target);
    if (!original) return fail(original.error().message);
    const auto updated = with_caption(original.value(), key, caption);
    if (!updated) return fail(updated.error().message);
    if (!updated.value()) return InfoWrite{InfoUpdate::unchanged, false};

    InfoWrite write{InfoUpdate::written, false};
    const fs::path backup = target.string() + ".bak";
    if (!fs::exists(fs::symlink_status(backup, ec))) {
        if (auto saved = core::write_file_atomically(backup, original.value(), target); !saved) return saved.error();
        write.backed_up = true;
    }
    if (auto saved = core::write_file_atomically(target, *updated.value()); !saved) return saved.error();
    return write;
}

}  // namespace tunecap::manifest
