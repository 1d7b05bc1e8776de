// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::fold. Unicode is folded here, first, so that every later rule sees the same ASCII text on
// the first pass as on a re-clean of its own output (idempotence), and so that "“Caption:”" and
// "\"Caption:\"" meet the same wrapper rule.

#include <array>
#include <string_view>

#include "clean/scan.hpp"
#include "clean/stages.hpp"
#include "core/text.hpp"

namespace tunecap::clean {
namespace {

// ASCII replacement of each code point: NFKD decomposition with the combining marks dropped, plus
// letters that do not decompose (æ -> ae, ß -> ss, ø -> o, ł -> l, þ -> th) and Latin-1 symbols
// (« » -> ", ½ -> 1/2, × -> x). An empty entry drops the character.
// U+00A0..U+024F
constexpr std::array<std::string_view, 432> kLatin{{
    " ", "", "", "", "", "", "", "", "", "", "a", "\"", "", "", "", "", "", "+/-", "2", "3", "'",
    "u", "", "-", "", "1", "o", "\"", "1/4", "1/2", "3/4", "", "A", "A", "A", "A", "A", "A", "AE",
    "C", "E", "E", "E", "E", "I", "I", "I", "I", "D", "N", "O", "O", "O", "O", "O", "x", "O", "U",
    "U", "U", "U", "Y", "TH", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
    "i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th",
    "y", "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", "D", "d",
    "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", "G", "g", "G", "g", "H",
    "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", "I", "i", "IJ", "ij", "J", "j", "K",
    "k", "k", "L", "l", "L", "l", "L", "l", "L", "l", "L", "l", "N", "n", "N", "n", "N", "n", "n",
    "N", "n", "O", "o", "O", "o", "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s",
    "S", "s", "S", "s", "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U",
    "u", "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s", "b", "B",
    "B", "b", "", "", "", "C", "c", "D", "D", "D", "d", "", "", "", "", "F", "f", "G", "", "", "",
    "I", "K", "k", "l", "", "", "N", "n", "", "O", "o", "", "", "P", "p", "", "", "", "", "", "t",
    "T", "t", "T", "U", "u", "", "V", "Y", "y", "Z", "z", "", "", "", "", "", "", "", "", "", "",
    "", "", "", "DZ", "Dz", "dz", "LJ", "Lj", "lj", "NJ", "Nj", "nj", "A", "a", "I", "i", "O", "o",
    "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "", "A", "a", "A", "a", "AE", "ae", "G", "g",
    "G", "g", "K", "k", "O", "o", "O", "o", "", "", "j", "DZ", "Dz", "dz", "G", "g", "", "", "N",
    "n", "A", "a", "AE", "ae", "", "", "A", "a", "A", "a", "E", "e", "E", "e", "I", "i", "I", "i",
    "O", "o", "O", "o", "R", "r", "R", "r", "U", "u", "U", "u", "S", "s", "T", "t", "Y", "y", "H",
    "h", "N", "d", "", "", "Z", "z", "A", "a", "E", "e", "O", "o", "O", "o", "O", "o", "O", "o",
    "Y", "y", "l", "n", "t", "j", "", "", "A", "C", "c", "L", "T", "s", "z", "", "", "B", "U", "",
    "E", "e", "J", "j", "Q", "q", "R", "r", "Y", "y",
}};
// U+1E00..U+1EFF
constexpr std::array<std::string_view, 256> kLatinAdditional{{
    "A", "a", "B", "b", "B", "b", "B", "b", "C", "c", "D", "d", "D", "d", "D", "d", "D", "d", "D",
    "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "F", "f", "G", "g", "H", "h", "H", "h",
    "H", "h", "H", "h", "H", "h", "I", "i", "I", "i", "K", "k", "K", "k", "K", "k", "L", "l", "L",
    "l", "L", "l", "L", "l", "M", "m", "M", "m", "M", "m", "N", "n", "N", "n", "N", "n", "N", "n",
    "O", "o", "O", "o", "O", "o", "O", "o", "P", "p", "P", "p", "R", "r", "R", "r", "R", "r", "R",
    "r", "S", "s", "S", "s", "S", "s", "S", "s", "S", "s", "T", "t", "T", "t", "T", "t", "T", "t",
    "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "V", "v", "V", "v", "W", "w", "W", "w", "W",
    "w", "W", "w", "W", "w", "X", "x", "X", "x", "Y", "y", "Z", "z", "Z", "z", "Z", "z", "h", "t",
    "w", "y", "a", "s", "", "", "SS", "", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A",
    "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "A", "a", "E", "e", "E", "e", "E", "e",
    "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "I", "i", "I", "i", "O", "o", "O", "o", "O",
    "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o", "O", "o",
    "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "U", "u", "Y", "y", "Y", "y", "Y",
    "y", "Y", "y", "", "", "", "", "", "",
}};

enum class Kind { folded, removed };

struct Folded {
    std::string_view text;
    Kind kind;
};

constexpr Folded folded(std::string_view text) { return {text, Kind::folded}; }
constexpr Folded removed() { return {" ", Kind::removed}; }
constexpr Folded dropped() { return {"", Kind::removed}; }
constexpr Folded invisible() { return {"", Kind::folded}; }

// U+2000..U+206F: spaces, dashes, quotes, bullets, ellipses, invisible formatting characters.
Folded general_punctuation(char32_t cp) {
    if (cp <= 0x200A || cp == 0x202F || cp == 0x205F) return folded(" ");
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || cp >= 0x2060) {
        return invisible();
    }
    switch (cp) {
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2043: return folded("-");
        case 0x2014: case 0x2015: return folded(" - ");
        case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x2035:
        case 0x2039: case 0x203A: return folded("'");
        case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x2034:
        case 0x2036: return folded("\"");
        case 0x2022: case 0x2023: case 0x2027: return folded("-");
        case 0x2024: return folded(".");
        case 0x2025: return folded("..");
        case 0x2026: return folded("...");
        case 0x2028: case 0x2029: return folded("\n");
        case 0x2030: case 0x2031: return folded("%");
        case 0x203C: return folded("!");
        case 0x203D: case 0x2047: return folded("?");
        case 0x2044: return folded("/");
        case 0x2048: return folded("?!");
        case 0x2049: return folded("!?");
        default: return removed();
    }
}

Folded fold_code_point(char32_t cp) {
    if (cp >= 0xA0 && cp < 0xA0 + kLatin.size()) {
        const std::string_view text = kLatin[cp - 0xA0];
        return text.empty() ? dropped() : folded(text);
    }
    if (cp >= 0x1E00 && cp < 0x1E00 + kLatinAdditional.size()) {
        const std::string_view text = kLatinAdditional[cp - 0x1E00];
        return text.empty() ? dropped() : folded(text);
    }
    // Combining marks belong to the letter before them, which is kept.
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        (cp >= 0xFE20 && cp <= 0xFE2F)) {
        return invisible();
    }
    if (cp >= 0x2000 && cp <= 0x206F) return general_punctuation(cp);
    static constexpr std::array<std::string_view, 10> kDigits{"0", "1", "2", "3", "4",
                                                             "5", "6", "7", "8", "9"};
    if (cp == 0x2070) return folded("0");
    if (cp >= 0x2074 && cp <= 0x2079) return folded(kDigits[cp - 0x2070]);
    if (cp >= 0x2080 && cp <= 0x2089) return folded(kDigits[cp - 0x2080]);
    // Full-width ASCII, as CJK-tuned models write it.
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        static constexpr std::string_view kAscii =
            "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
            "abcdefghijklmnopqrstuvwxyz{|}~";
        return folded(kAscii.substr(cp - 0xFF01, 1));
    }
    switch (cp) {
        case 0x0085: return folded("\n");
        case 0x2153: return folded("1/3");
        case 0x2154: return folded("2/3");
        case 0x2155: return folded("1/5");
        case 0x215B: return folded("1/8");
        case 0x2212: return folded("-");
        case 0x2215: return folded("/");
        case 0x266D: return folded("b");  // flat: "B♭" -> "Bb"
        case 0x266F: return folded("#");  // sharp: "F♯" -> "F#"
        case 0x3000: return folded(" ");
        case 0x3001: case 0xFF64: return folded(",");
        case 0x3002: case 0xFF61: return folded(".");
        case 0xFEFF: return invisible();
        default: break;
    }
    if (cp >= 0x2190 && cp <= 0x21FF) return folded(" - ");  // arrows: "intro → drop"
    // Variation selectors and skin-tone modifiers only ever follow an emoji, dropped already.
    if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
        (cp >= 0xE0000 && cp <= 0xE007F)) {
        return dropped();
    }
    return removed();
}

}  // namespace

StageOutput fold_stage(std::string_view raw) {
    StageOutput out;
    out.text.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        const char c = raw[i];
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F) {
            out.text.push_back(c);
            ++i;
            continue;
        }
        if (byte < 0x80) {
            ++i;
            if (c == '\n') {
                out.text.push_back('\n');
            } else if (c == '\r') {
                if (i < raw.size() && raw[i] == '\n') ++i;
                out.text.push_back('\n');
            } else if (c == '\t' || c == '\v' || c == '\f') {
                out.text.push_back(' ');
            } else {
                out.text.push_back(' ');
                out.flags.add(Flag::characters_removed);
            }
            continue;
        }
        const auto code = core::decode_utf8_at(raw, i);
        if (!code) {
            out.text.push_back(' ');
            out.flags.add(Flag::characters_removed);
            ++i;
            continue;
        }
        i += code->length;
        const Folded f = fold_code_point(code->value);
        out.text.append(f.text);
        out.flags.add(f.kind == Kind::removed ? Flag::characters_removed : Flag::characters_folded);
    }
    return out;
}

}  // namespace tunecap::clean
