// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The stages of clean_caption, in pipeline order (internal to the module; tests use them to pin
// single rules). Each stage is a pure function of its input text and the family.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clean/clean.hpp"

namespace tunecap::clean {

class FlagSet {
public:
    void add(Flag flag) { m_bits |= bit(flag); }
    bool has(Flag flag) const { return (m_bits & bit(flag)) != 0; }
    FlagSet& operator|=(FlagSet other) {
        m_bits |= other.m_bits;
        return *this;
    }
    bool operator==(const FlagSet&) const = default;

private:
    static std::uint32_t bit(Flag flag) { return std::uint32_t{1} << static_cast<unsigned>(flag); }
    std::uint32_t m_bits = 0;
};

struct StageOutput {
    std::string text;
    FlagSet flags;  // recorded when `text` is kept
    // What the never-blank rule keeps when `text` has no content: the stage's input by default; a
    // stage that removes markup offers its input without the markup instead (so a caption is never
    // "<|im_end|>"), and an empty salvage says the input had no content to keep.
    std::optional<std::string> salvage;
    FlagSet salvage_flags;  // recorded (with fallback_used) when the salvage is kept
};

// Stage::fold: UTF-8 to ASCII. Typographic punctuation and accented letters fold to ASCII, sharps
// and flats to '#'/'b', CR LF to LF; emoji, controls, invalid UTF-8 and other scripts are dropped.
// ASCII markup (`<|im_end|>`, `{`, `*`) is kept for the stages that read it.
StageOutput fold_stage(std::string_view raw);

StageOutput structure_stage(std::string_view text, Family family);
StageOutput reasoning_stage(std::string_view text, Family family);
StageOutput special_tokens_stage(std::string_view text);
// Stage::unfinished, for an output the token limit cut: when `answer` runs to the end of
// `folded_raw` (the whole output after fold), its last sentence is unfinished and is dropped; an
// answer of only that sentence leaves nothing (no salvage). Flag cut_off when the answer reached the
// cut.
StageOutput unfinished_stage(std::string_view answer, std::string_view folded_raw);
StageOutput code_fences_stage(std::string_view text);
// Stage::json: an answer that is a JSON object (alone, or on the lines that end the text) becomes
// the string value of its caption/description/text key, or of its only key. An unterminated object
// (cut by the token limit) is read up to its end.
StageOutput json_stage(std::string_view text);
StageOutput noise_stage(std::string_view text);
StageOutput markdown_stage(std::string_view text);
// The text of a "- item", "* item", "+ item", "1. item" or "2) item" line, or nullopt.
std::optional<std::string_view> list_item(std::string_view line);
StageOutput lead_in_stage(std::string_view text);
// Stage::chat: refusals (any sentence) and chat replies (sentences before the caption) removed;
// they are not content, so an output of only those leaves nothing (no salvage).
StageOutput chat_stage(std::string_view text);
StageOutput notes_stage(std::string_view text);
// Stage::repetition: a loop (a word 8 times in a row, a phrase of up to 16 words repeated until the
// copies hold 12 words, at least 3 times) collapsed to one copy; a long text with few distinct words
// is flagged only.
StageOutput repetition_stage(std::string_view text);

// Stage::normalise: the T5 character set, lines joined into sentences, whitespace collapsed,
// punctuation runs collapsed, a capital first letter and a final period. Idempotent; keeps every
// letter and digit, so it never blanks content.
StageOutput normalise_stage(std::string_view text);

// Cuts a normalised caption to `budget` tokens of `counter` at the last sentence boundary that
// fits, else the last word boundary, else inside the first word (its letters and digits only, so a
// run of brackets goes), and ends it with a period; empty when not even one character fits.
// Returns the text unchanged when it fits.
std::string truncate_to_budget(std::string_view caption, int budget, const TokenCounter& counter);

}  // namespace tunecap::clean
