// SPDX-License-Identifier: GPL-3.0-or-later
// Genre tags through TagLib 1.13. What TagLib already does, measured on files written by id3v2,
// ffmpeg, metaflac and oggenc (tests/tags/tag_reader_test.cpp pins each point):
//   - ID3v2 TCON "(17)", "17", "(17)Rock", "(17)(18)" in v2.3 and v2.4 all reach the GENRE property
//     as names; "(RX)" / "(CR)" arrive as bare "RX" / "CR"; unknown numbers arrive as "".
//   - MP4 "gnre" (ID3v1 number + 1) is turned into a "©gen" item, hence GENRE, when the file is read.
//   - A NUL inside a Vorbis comment value ends the value; ID3v2.4 NUL-separated values arrive as
//     separate list entries.
//   - MusicBrainz genres: Vorbis/FLAC/Opus fields keep their name ("MUSICBRAINZ_GENRE"), ID3v2 TXXX
//     "MusicBrainz Genre" becomes "MUSICBRAINZ GENRE" (upper-cased description), and MP4 freeform
//     "----:com.apple.iTunes:MusicBrainz Genre" is not in the property map at all (it is listed as
//     unsupported data), so MP4 items are read directly.
#include <fmt/format.h>
#include <taglib/aifffile.h>
#include <taglib/fileref.h>
#include <taglib/id3v1genres.h>
#include <taglib/mp4file.h>
#include <taglib/mp4tag.h>
#include <taglib/mpegfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/trueaudiofile.h>
#include <taglib/wavfile.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <system_error>

#include "core/text.hpp"
#include "tags/genres.hpp"

namespace tunecap::tags {
namespace {

constexpr char kGenreKey[] = "GENRE";
constexpr std::string_view kMp4FreeformPrefix = "----:";
// ID3v2.3 references that are not ID3v1 numbers (ID3v2.3 section 4.2.1, TCON).
constexpr std::string_view kRemixReference = "RX";
constexpr std::string_view kCoverReference = "CR";
// ID3v1 numbers have at most 3 digits (192 entries); the cap also keeps from_chars from overflowing.
constexpr std::size_t kMaxGenreDigits = 3;

// UTF-8, the same bytes as toCString(true), returned as a std::string without a strlen pass.
std::string utf8(const TagLib::String& text) { return text.to8Bit(true); }

// MusicBrainz genre fields as taggers name them: "MUSICBRAINZ_GENRE", "MUSICBRAINZ GENRE",
// "MusicBrainz Genres"... compared without case, spaces, underscores or hyphens.
bool is_musicbrainz_genre_key(std::string_view key) {
    std::string folded;
    for (const char c : key) {
        if (c == ' ' || c == '_' || c == '-') continue;
        folded.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return folded == "MUSICBRAINZGENRE" || folded == "MUSICBRAINZGENRES";
}

// Formats whose GENRE comes from an ID3v2 TCON frame, where numbers are references by definition.
// Elsewhere (Vorbis comments, MP4 ©gen, APE) a number is the text the user typed.
bool has_id3v2_genres(TagLib::File* file) {
    return dynamic_cast<TagLib::MPEG::File*>(file) != nullptr ||
           dynamic_cast<TagLib::RIFF::WAV::File*>(file) != nullptr ||
           dynamic_cast<TagLib::RIFF::AIFF::File*>(file) != nullptr ||
           dynamic_cast<TagLib::TrueAudio::File*>(file) != nullptr;
}

// A reference token ("17", "RX", "CR") -> its name; nullopt when the token is not a known reference.
std::optional<std::string> reference_name(std::string_view token) {
    if (token == kRemixReference) return "Remix";
    if (token == kCoverReference) return "Cover";
    if (token.empty() || token.size() > kMaxGenreDigits) return std::nullopt;
    int number = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), number);
    if (error != std::errc{} || end != token.data() + token.size()) return std::nullopt;
    return id3_genre_name(number);
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Resolves what TagLib left of a TCON value: "(17)(18)Text" references, "((" escapes, bare "17",
// "RX" and "CR". TagLib 1.13 already resolves the numeric forms; this keeps another TagLib version
// or an unusual writer from leaking numbers into captions. Unknown numbers are dropped: they name
// no genre.
void resolve_tcon_value(std::string_view value, std::vector<std::string>& out) {
    value = core::trim(value);
    while (value.size() > 1 && value.front() == '(') {
        if (value[1] == '(') {  // "((text" is the escape for a text starting with "("
            value.remove_prefix(1);
            break;
        }
        const std::size_t close = value.find(')');
        if (close == std::string_view::npos) break;
        const std::string_view token = value.substr(1, close - 1);
        if (const std::optional<std::string> name = reference_name(token)) {
            out.push_back(*name);
        } else if (!is_digits(token)) {
            break;  // "(Live) Jazz" is text
        }
        value.remove_prefix(close + 1);
    }
    value = core::trim(value);
    if (const std::optional<std::string> name = reference_name(value)) {
        out.push_back(*name);
    } else if (!is_digits(value)) {
        out.emplace_back(value);
    }
}

}  // namespace

std::optional<std::string> id3_genre_name(int number) {
    if (number < 0) return std::nullopt;
    const TagLib::String name = TagLib::ID3v1::genre(number);
    if (name.isEmpty()) return std::nullopt;
    return utf8(name);
}

core::Result<std::vector<std::string>> read_tag_genres(const std::filesystem::path& track) {
    std::error_code status_error;
    if (!std::filesystem::exists(track, status_error)) {
        const std::string reason = status_error ? status_error.message() : "no such file";
        return core::Error{fmt::format("{}: cannot read tags: {}", track.string(), reason)};
    }
    // Audio properties are not needed for tags; skipping them saves a scan of the stream.
    const TagLib::FileRef ref(track.c_str(), false);
    if (ref.isNull()) {
        return core::Error{fmt::format("{}: cannot read tags: TagLib cannot open it (unsupported or corrupt)",
                                       track.string())};
    }

    std::vector<std::string> values;
    const TagLib::PropertyMap properties = ref.file()->properties();
    const bool id3v2 = has_id3v2_genres(ref.file());
    const auto genre = properties.find(kGenreKey);
    if (genre != properties.end()) {
        for (const TagLib::String& value : genre->second) {
            if (id3v2) {
                resolve_tcon_value(utf8(value), values);
            } else {
                values.push_back(utf8(value));
            }
        }
    }
    for (const auto& [key, list] : properties) {
        if (!is_musicbrainz_genre_key(utf8(key))) continue;
        for (const TagLib::String& value : list) values.push_back(utf8(value));
    }
    if (auto* mp4 = dynamic_cast<TagLib::MP4::File*>(ref.file()); mp4 != nullptr && mp4->hasMP4Tag()) {
        for (const auto& [key, item] : mp4->tag()->itemMap()) {
            const std::string name = utf8(key);
            if (!name.starts_with(kMp4FreeformPrefix)) continue;
            // "----:<reverse-DNS mean>:<name>"
            if (!is_musicbrainz_genre_key(std::string_view(name).substr(name.rfind(':') + 1))) continue;
            for (const TagLib::String& value : item.toStringList()) values.push_back(utf8(value));
        }
    }
    return normalise_genres(values);
}

}  // namespace tunecap::tags
