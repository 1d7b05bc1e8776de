// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Raw model output -> training caption (DESIGN.md section 5). Every caption tunecap stores passes
// through clean_caption, so what it keeps is what users train their T5-conditioned models on.
//
// Contract of clean_caption, checked by the tests and by fuzz/clean_fuzz.cpp on random input:
// - the caption holds only printable ASCII letters, digits, space and . , ; : ! ? ' " ( ) - / & % +
//   #, is one line, has no doubled spaces, and ends with a period (or is empty);
// - it is a fixed point: cleaning a caption again with the same options returns it unchanged;
// - a rule never blanks a caption that had content: when a stage would leave no letter or digit,
//   the text from before that stage is kept, `fallback_used` is set and the stage is recorded.
//   Reasoning, an echo of the prompt, a refusal or chat reply and a sentence the token limit cut
//   off are not content: an output of only those is empty, with a flag that says why (no_answer,
//   refusal, chat_reply, cut_off);
// - with max_t5_tokens the caption never counts more tokens: it is cut at the last sentence (else
//   word) boundary that fits, inside its first word when not even that fits, and is empty when the
//   budget is too small for any caption.

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/token_counter.hpp"
#include "core/model_types.hpp"

namespace tunecap::clean {

// Prompt format of the model that wrote the output (core/model_types.hpp); decides which turn
// and channel markup is expected. Shared rules run for every family.
using core::Family;
using core::kAllFamilies;
// Spellings: qwen3, chatml, harmony, granite, qwen2.5-omni, music-flamingo (exact, lower case).
using core::parse_family;
using core::to_string;

// What the cleaner did to a caption. Names (to_string) are the snake_case enumerator names.
enum class Flag : std::uint8_t {
    reasoning_removed,       // a <think> block, a Harmony analysis/commentary channel, ...
    no_final_channel,        // Harmony markup without a `final` message
    special_tokens_removed,  // <|im_end|>, <|return|>, <|start_of_role|>, </s>, empty <think></think>
    prompt_echo_removed,     // system/user turns echoed before the answer
    wrapper_removed,         // "Here is...:", "Caption:", "Sure!", quotes, code fences, headings
    preamble_removed,        // "We need to...", "The problem is...", "Okay, the user..."
    note_removed,            // trailing "(Note: ...)" or "Let me know..." addressed to the user
    noise_removed,           // lines of dots, question marks, rules, stray symbols
    markdown_flattened,      // bold, bullets, numbered lists, block quotes, links
    characters_folded,       // typographic punctuation, accents, sharps/flats folded to ASCII
    characters_removed,      // emoji, control characters, characters T5 cannot represent
    truncated,               // cut to fit max_t5_tokens
    fallback_used,           // a stage would have blanked the caption; its input was kept
    no_answer,               // only reasoning or a prompt echo: the model never answered
    cut_off,                 // the token limit cut the answer; its unfinished sentence is dropped
    refusal,                 // "I'm sorry, I can't listen to audio", "As an AI, ...": removed
    chat_reply,              // "How can I help you today?", "Please upload the file.": removed
    json_unwrapped,          // {"caption": "..."}: the string value was kept
    repetition,              // a word or phrase repeated in a loop (collapsed), or few distinct words
    empty,                   // nothing usable remains
};
inline constexpr std::size_t kFlagCount = static_cast<std::size_t>(Flag::empty) + 1;
std::string_view to_string(Flag flag);

// A stored step's flag (by name) that keeps its caption out of training data unless the user asks
// for it (`tunecap export --include-flagged`), and that metrics count as flagged: the cleaner had
// to fall back, nothing usable remained, or what remains is suspect (the model refused or chatted,
// so the rest is not a description of what it heard; it looped). Flags of what was removed cleanly
// do not: a caption whose unfinished last sentence was dropped (cut_off) or that was cut to the
// budget (truncated) is made of complete sentences the model wrote. Of the flags a run sets, not the
// cleaner, truncated_audio does: the caption describes only the part of the track that was read.
bool is_flagged(std::string_view flag_name);

// Set by a run on every step of a track whose audio file ends well before its header says.
inline constexpr std::string_view kTruncatedAudioFlag = "truncated_audio";

// The named stages of the pipeline, in order (see src/clean/README.md). A fallback names one.
enum class Stage : std::uint8_t {
    fold,            // UTF-8 -> ASCII (keeps markup characters for the stages below)
    structure,       // family turn / channel markup: ChatML, Harmony, Granite roles
    reasoning,       // <think> blocks, Granite "Here is my response:"
    special_tokens,  // leaked special tokens of every family, cut at end-of-turn tokens
    unfinished,      // CleanOptions::cut_off: the sentence the token limit cut
    code_fences,     // ``` lines
    json,            // {"caption": "..."} -> its string value
    noise,           // lines without letters or digits
    markdown,        // headings, bullets, numbered lists, bold, block quotes, links
    lead_in,         // wrappers and reasoning preambles before the caption, surrounding quotes
    chat,            // refusals, and chat replies before the caption
    notes,           // trailing notes to the user
    repetition,      // a word or phrase repeated in a loop, collapsed to one
    normalise,       // T5 character set, sentences, whitespace, final period
};
std::string_view to_string(Stage stage);

struct CleanOptions {
    Family family = Family::chatml;
    // Budget in T5 tokens, counting the end-of-sequence token T5 appends. Must be >= 1.
    std::optional<int> max_t5_tokens;
    // Counts tokens for the budget and CleanResult::t5_tokens; nullptr = EstimateCounter.
    // Not owned; must outlive the call.
    const TokenCounter* counter = nullptr;
    // The generation stopped at its token limit (finish reason "length"): the end of the output is
    // an unfinished sentence, which is dropped (flag cut_off).
    bool cut_off = false;
};

// The finish reason an OpenAI-compatible server reports when generation hit max_tokens (or the
// context): the output ends mid-sentence. Sets CleanOptions::cut_off.
inline constexpr std::string_view kFinishReasonLength = "length";
inline bool is_cut_off(std::string_view finish_reason) { return finish_reason == kFinishReasonLength; }

struct CleanResult {
    std::string caption;
    std::vector<Flag> flags;        // sorted by enumerator, no duplicates
    std::vector<Stage> fallbacks;   // stages whose output was discarded by the never-blank rule
    int t5_tokens = 0;              // of `caption` (0 when empty)

    // A caption remains; `flags` still tells how much trust it deserves (e.g. fallback_used).
    bool usable() const { return !caption.empty(); }
    bool has(Flag flag) const;
};

CleanResult clean_caption(std::string_view raw, const CleanOptions& options);

// `tunecap clean`: the whole of `in` is one raw output. Writes the caption and a newline to `out`
// and the flags to `err` (`flags: a b`, `fallback: stage`, `t5_tokens: N`, one per line).
// Returns kExitCaption, or kExitNothingUsable when no caption remains.
inline constexpr int kExitCaption = 0;
inline constexpr int kExitNothingUsable = 3;
int run_clean_command(std::istream& in, std::ostream& out, std::ostream& err,
                      const CleanOptions& options);

}  // namespace tunecap::clean
