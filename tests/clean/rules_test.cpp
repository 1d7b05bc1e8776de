// SPDX-License-Identifier: GPL-3.0-or-later
// One case per rule and family (issue 3): raw output -> exact caption and the flags it must carry.
// Every case also meets the caption contract, for its own family and for every other one.

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "clean/clean.hpp"
#include "invariants.hpp"

namespace tunecap::clean {
namespace {

struct Case {
    std::string_view name;
    Family family;
    std::string_view raw;
    std::string_view expected;
    std::vector<Flag> flags;
};

using F = Family;
using enum Flag;

// clang-format off
const std::vector<Case> kCases = {
    // ---- reasoning blocks ----
    {"think_block_closed", F::qwen3,
     "<think>\nThe user wants mood. Dark, tense.\n</think>\n\nA tense dark ambient piece with low drones.",
     "A tense dark ambient piece with low drones.", {reasoning_removed}},
    {"think_block_empty_is_markup", F::qwen3,
     "<think>\n\n</think>\n\nA bouncy electro swing tune with muted trumpets.",
     "A bouncy electro swing tune with muted trumpets.", {special_tokens_removed}},
    {"think_unclosed_after_caption", F::chatml,
     "A warm soul ballad with a Hammond organ.\n<think>\nNow I should double-check the tempo",
     "A warm soul ballad with a Hammond organ.", {reasoning_removed}},
    // An unclosed block is reasoning the token limit cut: whatever it says, it is not an answer.
    {"think_unclosed_only_is_no_answer", F::qwen3,
     "<think>\nOkay, the user wants a caption. A dark ambient drone piece with field recordings.",
     "", {reasoning_removed, no_answer, empty}},
    {"think_unclosed_in_assistant_turn_is_no_answer", F::qwen3,
     "<|im_start|>assistant\n<think>\nOkay, the user wants me to say.", "", {reasoning_removed, no_answer, empty}},
    {"think_close_tag_at_the_end_is_no_answer", F::music_flamingo,
     "Okay, the user wants me to say what I hear.</think>", "", {reasoning_removed, no_answer, empty}},
    {"granite_thought_process_only_is_no_answer", F::granite,
     "Here is my thought process: the clip is slow and sad, so I will", "", {reasoning_removed, no_answer, empty}},
    {"think_leading_close_tag", F::music_flamingo,
     "The audio has a sitar and tabla.</think>A meditative raga over a tanpura drone.",
     "A meditative raga over a tanpura drone.", {reasoning_removed}},
    {"think_tag_any_case", F::qwen2_5_omni,
     "<Think>plan the answer</Think>A breezy bossa nova with nylon guitar.",
     "A breezy bossa nova with nylon guitar.", {reasoning_removed}},
    {"granite_thought_process", F::granite,
     "Here is my thought process: the clip is slow and sad.\nHere is my response: A sad, slow piano elegy.",
     "A sad, slow piano elegy.", {reasoning_removed}},
    // ---- Harmony channels ----
    {"harmony_commentary_and_constrain", F::harmony,
     "<|channel|>commentary to=functions.tag <|constrain|>json<|message|>{\"bpm\": 128}<|call|>"
     "<|start|>assistant<|channel|>final<|message|>A peak-time techno track at 128 BPM.<|return|>",
     "A peak-time techno track at 128 BPM.", {reasoning_removed, special_tokens_removed}},
    {"harmony_prefilled_final", F::harmony,
     "A jangly indie pop song with bright guitars.<|return|>",
     "A jangly indie pop song with bright guitars.", {special_tokens_removed}},
    {"harmony_last_final_wins", F::harmony,
     "<|channel|>final<|message|>Draft.<|end|><|start|>assistant<|channel|>final<|message|>A lush shoegaze wall of guitars.<|end|>",
     "A lush shoegaze wall of guitars.", {special_tokens_removed}},
    {"harmony_empty_analysis_only_is_empty", F::harmony,
     "<|channel|>analysis<|message|><|end|>", "", {no_final_channel, no_answer, empty}},
    {"harmony_stripped_final_only", F::harmony,
     "assistantfinalA dusty boom bap beat with a jazz sample.",
     "A dusty boom bap beat with a jazz sample.", {special_tokens_removed}},
    {"harmony_stripped_analysis_only", F::harmony,
     "analysisWe need to be brief. A twangy surf rock instrumental with spring reverb.",
     "", {no_final_channel, reasoning_removed, no_answer, empty}},
    {"harmony_analysis_cut_by_the_limit", F::harmony,
     "<|channel|>analysis<|message|>We need to describe the track. The user wants me to say",
     "", {no_final_channel, reasoning_removed, no_answer, empty}},
    // Harmony markup is read whatever the family: a wrong family never keeps the analysis channel.
    {"harmony_as_chatml", F::chatml,
     "<|channel|>analysis<|message|>We need to write a caption.<|end|><|start|>assistant<|channel|>final"
     "<|message|>A dusty dub reggae groove.<|return|>",
     "A dusty dub reggae groove.", {reasoning_removed, special_tokens_removed}},
    {"harmony_analysis_only_as_granite", F::granite,
     "<|channel|>analysis<|message|>We need to describe the track.<|end|>", "",
     {no_final_channel, no_answer, empty}},
    {"harmony_stripped_as_qwen3", F::qwen3,
     "analysisWe need to be brief.assistantfinalA brisk bluegrass breakdown.",
     "A brisk bluegrass breakdown.", {reasoning_removed}},
    // ---- turns and leaked special tokens ----
    {"chatml_full_prompt_echo", F::chatml,
     "<|im_start|>system\nYou are a music captioner.<|im_end|>\n<|im_start|>user\nDescribe it.<|im_end|>\n"
     "<|im_start|>assistant\nA glitchy IDM track with broken beats.<|im_end|>",
     "A glitchy IDM track with broken beats.", {special_tokens_removed, prompt_echo_removed}},
    {"chatml_bare_role_run_on", F::qwen3,
     "A twinkly music box lullaby.\nuser\nMake it shorter.",
     "A twinkly music box lullaby.", {special_tokens_removed}},
    {"omni_audio_tokens", F::qwen2_5_omni,
     "<|audio_bos|><|AUDIO|><|audio_eos|>A bluesy slide guitar over a shuffle beat.",
     "A bluesy slide guitar over a shuffle beat.", {special_tokens_removed}},
    {"flamingo_sound_token", F::music_flamingo,
     "<sound> A sparse trip-hop groove with vinyl hiss.</s>",
     "A sparse trip-hop groove with vinyl hiss.", {special_tokens_removed}},
    {"granite_role_tokens", F::granite,
     "<|start_of_role|>assistant<|end_of_role|>A brooding cello solo in a large hall.<|end_of_text|>",
     "A brooding cello solo in a large hall.", {special_tokens_removed}},
    {"granite_bare_role_lines", F::granite,
     "system\nKnowledge Cutoff Date: April 2024.\nuser\nCaption this.\nassistant\nA raw garage punk song.",
     "A raw garage punk song.", {prompt_echo_removed}},
    // An echo of the prompt with no assistant turn after it: the model never answered.
    {"prompt_echo_only_is_no_answer", F::chatml,
     "<|im_start|>user\nDescribe the music.<|im_end|>",
     "", {prompt_echo_removed, no_answer, empty}},
    {"role_echo_with_nothing_after_is_no_answer", F::qwen2_5_omni,
     "system\nYou are a helpful assistant.\nuser\nDescribe the music.\nassistant\n",
     "", {prompt_echo_removed, no_answer, empty}},
    {"tokens_only_is_empty", F::qwen3, "<|im_end|>\n<|endoftext|>", "", {special_tokens_removed, empty}},
    {"llama_style_tokens", F::chatml,
     "[INST] A funky<0x0A>disco cut with strings</s>[/INST] ignored",
     "A funky disco cut with strings.", {special_tokens_removed}},
    {"cut_at_eot", F::granite,
     "A stomping gabber track at 190 BPM.<|eot_id|><|start_header_id|>user<|end_header_id|>More?",
     "A stomping gabber track at 190 BPM.", {special_tokens_removed}},
    // ---- wrappers ----
    {"sure_heres_caption", F::granite,
     "Sure, here's a revised caption:\n\nA swinging big band number with a brass section.",
     "A swinging big band number with a brass section.", {wrapper_removed}},
    {"revised_caption_quoted", F::qwen3,
     "Revised caption: \"An eerie horror score with detuned strings.\"",
     "An eerie horror score with detuned strings.", {wrapper_removed}},
    {"label_with_word_count", F::harmony,
     "Final answer (12 words): A relaxed reggae tune with a skanking guitar.",
     "A relaxed reggae tune with a skanking guitar.", {wrapper_removed}},
    {"single_quotes", F::chatml, "'A chirpy chiptune melody with square waves.'",
     "A chirpy chiptune melody with square waves.", {wrapper_removed}},
    {"typographic_quotes", F::music_flamingo,
     "\xE2\x80\x9C" "A driving krautrock groove with motorik drums." "\xE2\x80\x9D",
     "A driving krautrock groove with motorik drums.", {wrapper_removed, characters_folded}},
    {"markdown_heading", F::qwen2_5_omni, "## Caption\nA bright ska tune with upstrokes.",
     "A bright ska tune with upstrokes.", {wrapper_removed}},
    {"code_fence_with_language", F::qwen3, "```text\nA hazy dream pop song.\n```",
     "A hazy dream pop song.", {wrapper_removed}},
    {"code_fence_inline", F::chatml, "```A crunchy grunge riff.```", "A crunchy grunge riff.",
     {wrapper_removed}},
    {"here_is_without_output_noun_is_caption", F::qwen3,
     "Here's a dark, driving psytrance piece: pounding kick and acid.",
     "Here's a dark, driving psytrance piece: pounding kick and acid.", {}},
    {"label_with_dash", F::qwen2_5_omni, "Caption \xE2\x80\x94 A tight funk groove with clavinet.",
     "A tight funk groove with clavinet.", {wrapper_removed}},
    {"genre_dash_is_caption", F::qwen2_5_omni, "Deep house - warm pads and a rolling bassline",
     "Deep house - warm pads and a rolling bassline.", {}},
    {"description_label", F::granite, "Description: A mellow lounge track with vibraphone.",
     "A mellow lounge track with vibraphone.", {wrapper_removed}},
    // ---- reasoning preambles ----
    {"we_need_then_label", F::harmony,
     "We need to keep it under 40 words. Caption: A hypnotic dub techno track with echoing chords.",
     "A hypnotic dub techno track with echoing chords.", {preamble_removed, wrapper_removed}},
    {"okay_so_preamble", F::qwen3,
     "Okay, so the user wants something short. A cheerful ukulele tune with handclaps.",
     "A cheerful ukulele tune with handclaps.", {preamble_removed}},
    {"let_me_write_wrapper", F::harmony, "Let me write it: A moody neo-soul jam with Rhodes.",
     "A moody neo-soul jam with Rhodes.", {wrapper_removed}},
    {"the_user_wants_preamble", F::chatml,
     "The user wants a caption about the bass. A rumbling dubstep track with a wobbling bass.",
     "A rumbling dubstep track with a wobbling bass.", {preamble_removed}},
    {"reasoning_then_introduction", F::harmony,
     "We need to produce a caption. The original says \"Goa trance\". Let's produce: \"A Goa trance track with acid.\"",
     "A Goa trance track with acid.", {preamble_removed, wrapper_removed}},
    // ---- trailing notes ----
    {"this_version_note", F::qwen3,
     "Here is a revised version of the caption:\n\nA dreamy synthwave track.\n\nThis version removes the repeated genre.",
     "A dreamy synthwave track.", {wrapper_removed, note_removed}},
    {"word_count_note", F::granite, "A soaring power ballad with a big chorus. (Word count: 9)",
     "A soaring power ballad with a big chorus.", {note_removed}},
    {"note_line", F::qwen3, "A spacious post-rock build.\n\nNote: I focused on the instrumentation.",
     "A spacious post-rock build.", {note_removed}},
    {"let_me_know_sentence", F::harmony,
     "A lilting Celtic reel with fiddle. Let me know if you want any changes!",
     "A lilting Celtic reel with fiddle.", {note_removed}},
    {"bracket_note", F::chatml, "A woozy vaporwave loop. [Note: kept under 30 words]",
     "A woozy vaporwave loop.", {note_removed}},
    {"descriptive_parenthesis_kept", F::music_flamingo,
     "A pulsing trance anthem (approx. 138 BPM).", "A pulsing trance anthem (approx. 138 BPM).", {}},
    // ---- refusals and chat replies ----
    {"refusal_only", F::qwen2_5_omni, "I'm sorry, but I can't listen to audio files.", "", {refusal, empty}},
    {"refusal_as_an_ai", F::music_flamingo, "As an AI, I cannot hear the audio you shared.", "",
     {refusal, empty}},
    {"refusal_then_request", F::granite,
     "Unfortunately, I don't have the ability to play audio. Could you describe the track for me?", "",
     {refusal, chat_reply, empty}},
    {"refusal_then_guess", F::chatml,
     "I'm sorry, I can't listen to audio. Based on the title, it is likely an upbeat disco track.",
     "Based on the title, it is likely an upbeat disco track.", {refusal}},
    {"chat_reply_only", F::qwen3, "How can I help you today?", "", {chat_reply, empty}},
    {"sure_then_question", F::granite, "Sure! What would you like me to describe?", "", {chat_reply, empty}},
    {"greeting_and_request", F::chatml, "Hello! Please upload the audio file and I will describe it.", "",
     {chat_reply, empty}},
    {"request_then_let_me_know", F::harmony,
     "Please share the audio. Let me know if you have any questions.", "", {chat_reply, empty}},
    {"cant_sit_still_is_a_caption", F::qwen3, "A restless breakbeat track that can't sit still.",
     "A restless breakbeat track that can't sit still.", {}},
    {"cant_make_out_lyrics_is_a_caption", F::qwen2_5_omni,
     "A soulful R&B track. I can't make out the lyrics, but the vocals are warm.",
     "A soulful R&B track. I can't make out the lyrics, but the vocals are warm.", {}},
    {"quoted_question_is_a_caption", F::music_flamingo,
     "A gospel ballad where a voice asks \"How can I help you?\" over an organ.",
     "A gospel ballad where a voice asks \"How can I help you?\" over an organ.", {}},
    {"quoted_lyric_is_a_caption", F::chatml,
     "\"I can't listen to the music anymore,\" sings the vocalist over sparse piano.",
     "\"I can't listen to the music anymore,\" sings the vocalist over sparse piano.", {}},
    {"hey_ya_is_not_a_greeting", F::granite, "Hey Ya-style funk pop with handclaps.",
     "Hey Ya-style funk pop with handclaps.", {}},
    {"hello_dolly_is_not_a_greeting", F::qwen3, "Hello, Dolly-style swing number with brass.",
     "Hello, Dolly-style swing number with brass.", {}},
    {"title_case_is_not_chat", F::chatml, "How Can I Be Sure, a sixties soft rock cover with harmonies.",
     "How Can I Be Sure, a sixties soft rock cover with harmonies.", {}},
    {"title_case_is_not_an_apology", F::music_flamingo, "I'm Sorry-era Brenda Lee ballad with strings.",
     "I'm Sorry-era Brenda Lee ballad with strings.", {}},
    {"follow_up_alone_is_a_caption", F::qwen2_5_omni, "Feel free to dance: a bouncy house groove with piano stabs.",
     "Feel free to dance: a bouncy house groove with piano stabs.", {}},
    {"question_inside_a_caption", F::granite,
     "A track where the singer asks: do you remember the time? Over a smooth groove.",
     "A track where the singer asks: do you remember the time? Over a smooth groove.", {}},
    // Politeness alone may be a title: kept, but flagged (as lead_in keeps a lone preamble).
    {"politeness_alone_is_kept_flagged", F::harmony, "Thank you for the music, an ABBA-style disco ballad.",
     "Thank you for the music, an ABBA-style disco ballad.", {chat_reply}},
    {"politeness_before_a_caption", F::qwen3, "Hello! Thanks for sharing. A warm house groove with piano.",
     "A warm house groove with piano.", {wrapper_removed}},
    // ---- JSON answers ----
    {"json_caption", F::qwen3, "{\"caption\": \"A warm techno track.\"}", "A warm techno track.",
     {json_unwrapped}},
    {"json_in_fence", F::granite,
     "```json\n{\n  \"description\": \"A dusty lo-fi beat with vinyl crackle.\"\n}\n```",
     "A dusty lo-fi beat with vinyl crackle.", {json_unwrapped, wrapper_removed}},
    {"json_single_key_with_escapes", F::harmony, "{\"revised\": \"A bright caf\\u00e9 jazz trio\\nwith brushes.\"}",
     "A bright cafe jazz trio with brushes.", {json_unwrapped, characters_folded}},
    {"json_caption_among_keys", F::chatml,
     "{\"genre\": \"house\", \"caption\": \"A deep house groove.\", \"bpm\": 122, \"tags\": [\"warm\", {\"a\": 1}]}",
     "A deep house groove.", {json_unwrapped}},
    {"json_after_lead_in", F::music_flamingo,
     "Here is the caption as JSON:\n{\"caption\": \"A slow doom metal dirge.\"}", "A slow doom metal dirge.",
     {json_unwrapped, wrapper_removed}},
    {"json_nested", F::granite, "{\"caption\": \"{\\\"caption\\\": \\\"A nested trip-hop track.\\\"}\"}",
     "A nested trip-hop track.", {json_unwrapped}},
    {"json_without_a_caption_member_stays", F::chatml, "{\"genre\": \"house\", \"bpm\": 122}",
     "\"genre\": \"house\", \"bpm\": 122.", {characters_removed}},
    {"json_empty_caption_is_empty", F::qwen2_5_omni, "{\"caption\": \"\"}", "", {json_unwrapped, empty}},
    // ---- loops ----
    {"word_loop_collapsed", F::qwen3,
     "A cheerful pop song sung by Andrea Andrea Andrea Andrea Andrea Andrea Andrea Andrea",
     "A cheerful pop song sung by Andrea.", {repetition}},
    {"sentence_loop_collapsed", F::granite,
     "A warm track with pads. A warm track with pads. A warm track with pads. A warm track with pads.",
     "A warm track with pads.", {repetition}},
    {"cha_cha_cha_is_a_caption", F::music_flamingo, "A cha cha cha with congas and a very very bright piano.",
     "A cha cha cha with congas and a very very bright piano.", {}},
    {"chants_and_patterns_are_a_caption", F::chatml,
     "Ba ba ba ba, the vocals chant. Tick tock tick tock tick tock, a kick, hat, kick, hat, kick, hat beat.",
     "Ba ba ba ba, the vocals chant. Tick tock tick tock tick tock, a kick, hat, kick, hat, kick, hat beat.", {}},
    // Four words in every order (48 words, no loop in a row): flagged, not changed.
    {"few_distinct_words_flagged", F::qwen2_5_omni,
     "dark bass drums pads dark bass pads drums dark drums bass pads dark drums pads bass dark pads bass drums dark pads drums bass "
     "bass dark drums pads bass dark pads drums bass drums dark pads bass drums pads dark bass pads dark drums bass pads drums dark",
     "Dark bass drums pads dark bass pads drums dark drums bass pads dark drums pads bass dark pads bass drums dark pads drums bass "
     "bass dark drums pads bass dark pads drums bass drums dark pads bass drums pads dark bass pads dark drums bass pads drums dark.",
     {repetition}},
    // ---- noise ----
    {"noise_lines", F::granite, ". . .\nA quiet harp interlude.\n???\n\xE2\x80\xA6",
     "A quiet harp interlude.", {noise_removed}},
    {"inline_mark_runs", F::qwen3, "A frantic breakcore track....??? With chopped amens!!",
     "A frantic breakcore track? With chopped amens.", {}},
    {"horizontal_rules", F::chatml, "---\nA stately baroque minuet\n***",
     "A stately baroque minuet.", {noise_removed}},
    // ---- markdown ----
    {"numbered_list", F::music_flamingo,
     "1. Warm analog pads\n2) a slow, swelling arpeggio,\n3. Distant vocal chops",
     "Warm analog pads. A slow, swelling arpeggio. Distant vocal chops.", {markdown_flattened}},
    {"inline_bold_and_italic", F::music_flamingo, "A **driving** bassline with *airy* pads.",
     "A driving bassline with airy pads.", {markdown_flattened}},
    {"markdown_link", F::qwen2_5_omni, "A [Goa trance](https://example.org/goa) anthem.",
     "A Goa trance anthem.", {markdown_flattened}},
    {"block_quote", F::granite, "> A tender lullaby sung in a whisper.",
     "A tender lullaby sung in a whisper.", {markdown_flattened}},
    {"nested_bullets", F::music_flamingo, "- Instruments:\n  - tabla\n  - sitar\n- Mood: serene",
     "Instruments: Tabla. Sitar. Mood: serene.", {markdown_flattened}},
    // ---- T5 normalisation ----
    {"accents_fold", F::chatml,
     "Caf\xC3\xA9 del Mar style chill-out with Beyonc\xC3\xA9-like vocals and a na\xC3\xAFve melody",
     "Cafe del Mar style chill-out with Beyonce-like vocals and a naive melody.", {characters_folded}},
    {"sharp_and_flat", F::music_flamingo,
     "A sonata in F\xE2\x99\xAF minor, then B\xE2\x99\xAD major.",
     "A sonata in F# minor, then Bb major.", {characters_folded}},
    {"emoji_removed", F::qwen3, "\xF0\x9F\x94\xA5 A fiery flamenco rumba \xF0\x9F\x8E\xB8\xF0\x9F\x92\x83",
     "A fiery flamenco rumba.", {characters_removed}},
    {"control_characters", F::chatml, "\x01\x07" "A crackly 78 rpm jazz record\x7F",
     "A crackly 78 rpm jazz record.", {characters_removed}},
    {"lines_join_into_sentences", F::granite,
     "A rolling liquid drum and bass track\nwith soulful vocals\n\nIt builds to a euphoric drop",
     "A rolling liquid drum and bass track with soulful vocals. It builds to a euphoric drop.", {}},
    {"exclamation_becomes_period", F::qwen2_5_omni, "An explosive festival EDM banger!",
     "An explosive festival EDM banger.", {}},
    {"full_width_and_fractions", F::qwen3,
     "A \xEF\xBC\xA2\xEF\xBC\xB0\xEF\xBC\xAD-heavy groove in \xC2\xBD time",
     "A BPM-heavy groove in 1/2 time.", {characters_folded}},
    {"invisible_spaces", F::chatml, "A\xC2\xA0slow\xE2\x80\x8B waltz\xE2\x80\x83in 3/4.",
     "A slow waltz in 3/4.", {characters_folded}},
    {"brackets_and_markup_characters", F::harmony, "A {glitch} track <with> ~stutter~ edits & 50% swing",
     "A glitch track with stutter edits & 50% swing.", {characters_removed}},
    // ---- never blank ----
    {"the_track_is_a_survives", F::qwen3, "The track is a mid-tempo rock song in E minor at 120 BPM.",
     "The track is a mid-tempo rock song in E minor at 120 BPM.", {}},
    {"the_track_is_a_lines_survive", F::granite, "the track is a slow ballad\nThe track is a duet",
     "The track is a slow ballad. The track is a duet.", {}},
    {"only_preamble_falls_back", F::harmony,
     "We need to describe a dark techno track with pounding kicks.",
     "We need to describe a dark techno track with pounding kicks.", {fallback_used}},
    {"only_label_falls_back", F::qwen3, "Caption:", "Caption.", {fallback_used}},
    {"heading_only_falls_back", F::music_flamingo, "# A dark techno track",
     "A dark techno track.", {fallback_used}},
    {"only_noise_is_empty", F::granite, "...\n???\n. . .", "", {noise_removed, empty}},
    {"unrepresentable_script_is_empty", F::qwen3, "\xE6\x9A\x97\xE3\x81\x84\xE6\x9B\xB2", "",
     {characters_removed, empty}},
};
// clang-format on

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CleanCase : public ::testing::TestWithParam<Case> {};

TEST_P(CleanCase, ProducesCaptionAndFlags) {
    const Case& c = GetParam();
    const CleanOptions options{c.family, std::nullopt, nullptr};
    const CleanResult result = clean_caption(c.raw, options);
    EXPECT_EQ(result.caption, c.expected);
    for (Flag flag : c.flags) EXPECT_TRUE(result.has(flag)) << "missing flag " << to_string(flag);
    // A flag that keeps a caption out of training is there only when the case names it.
    for (Flag flag : result.flags) {
        if (!is_flagged(to_string(flag))) continue;
        EXPECT_NE(std::find(c.flags.begin(), c.flags.end(), flag), c.flags.end()) << "unexpected flag " << to_string(flag);
    }
    testing::expect_contract(result, options, c.name);
}

TEST_P(CleanCase, ContractHoldsForEveryFamily) {
    const Case& c = GetParam();
    for (Family family : kAllFamilies) {
        const CleanOptions options{family, std::nullopt, nullptr};
        testing::expect_contract(clean_caption(c.raw, options), options, to_string(family));
    }
}

INSTANTIATE_TEST_SUITE_P(Rules, CleanCase, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return std::string(info.param.name);
                         });

TEST(CleanCases, CoverEveryFamilyAndEnoughRules) {
    EXPECT_GE(kCases.size(), 40u);
    for (Family family : kAllFamilies) {
        int count = 0;
        for (const Case& c : kCases) count += c.family == family;
        EXPECT_GE(count, 5) << to_string(family);
    }
}

}  // namespace
}  // namespace tunecap::clean
