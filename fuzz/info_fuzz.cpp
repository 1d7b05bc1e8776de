// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the .INFO side-car: the input is the file's content, read through the genre
// chain as `--info FILE` is (read_info_file, then the cap of resolve_genres). Whatever the bytes,
// the genres that come back are a clean list (genres.hpp): non-empty, trimmed, valid UTF-8 without
// control characters or separators, no two equal ignoring ASCII case, at most kMaxGenres; a file
// that cannot be used gives warnings of one line that name it. Aborts with the input when not.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "tags/genres.hpp"

namespace {

namespace fs = std::filesystem;
using tunecap::tags::GenreSource;

// One folder per fuzzing process for the file the input is written to; removed at exit. Global
// because libFuzzer's entry points take no context.
fs::path g_folder;

void remove_folder() {
    std::error_code ignored;
    fs::remove_all(g_folder, ignored);
}

[[noreturn]] void fail(const std::string& what, std::string_view input) {
    std::fprintf(stderr, "info_fuzz: %s\ninput: %s\n", what.c_str(),
                 tunecap::core::escape_for_terminal(input).c_str());
    std::abort();
}

// C0 controls, DEL and C1 controls (U+0080..U+009F, C2 80..C2 9F in UTF-8).
bool has_control_character(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7F) return true;
        if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string pattern = (fs::temp_directory_path() / "tunecap-info-fuzz.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("info_fuzz: mkdtemp");
        std::exit(1);
    }
    g_folder = pattern;
    std::atexit(remove_folder);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const fs::path info = g_folder / "track.INFO";
    std::ofstream(info, std::ios::binary | std::ios::trunc).write(input.data(), static_cast<std::streamsize>(input.size()));

    tunecap::tags::GenreOptions options;
    options.info = info;
    // No track file: when the .INFO gives nothing, the chain falls through to a tag read that fails.
    const auto result = tunecap::tags::resolve_genres(g_folder / "no-track.flac", options);

    for (const auto& warning : result.warnings) {
        const std::string shown = tunecap::core::escape_for_terminal(warning);
        if (warning.find_first_of("\n\r") != std::string::npos) fail("a warning of more than one line: " + shown, input);
        if (!warning.starts_with(info.string() + ": ") && !warning.starts_with((g_folder / "no-track.flac").string() + ": ")) {
            fail("a warning that names no file: " + shown, input);
        }
    }
    const auto& genres = result.genres;
    if (genres.source != GenreSource::info) {
        if (genres.source != GenreSource::fallback) fail("genres from a source that is not there", input);
        return 0;
    }
    if (genres.origin != info.string()) fail("the origin is not the .INFO: " + genres.origin, input);
    if (genres.names.empty() || genres.names.size() > tunecap::tags::kMaxGenres) {
        fail("genre count " + std::to_string(genres.names.size()), input);
    }
    std::set<std::string> folded;
    for (const auto& name : genres.names) {
        const std::string shown = tunecap::core::escape_for_terminal(name);
        if (tunecap::core::trim(name) != name || name.empty()) fail("an untrimmed or empty genre: " + shown, input);
        if (tunecap::core::invalid_utf8_at(name)) fail("a genre that is not UTF-8: " + shown, input);
        if (has_control_character(name)) fail("a genre with a control character: " + shown, input);
        if (name.find_first_of(std::string_view(",;/|", 4)) != std::string::npos) fail("a separator in a genre: " + shown, input);
        if (!folded.insert(tunecap::core::to_lower_ascii(name)).second) fail("a duplicate genre: " + shown, input);
    }
    return 0;
}
