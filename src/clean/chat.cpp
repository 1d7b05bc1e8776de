// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::chat: a model that cannot or will not describe the audio answers as a chat assistant
// ("I'm sorry, but I can't listen to audio files.", "As an AI, I cannot hear...", "How can I help
// you today?", "Please upload the track."). Neither is a description of music, and whatever
// follows a refusal was not heard but guessed from the prompt; so these sentences are removed and
// flagged (refusal, chat_reply), and the caption that remains is kept out of training
// (is_flagged).
//
// The rules read a sentence's opening words, as lead_in does, and are narrow on purpose, because a
// caption may quote lyrics or use the same words: a sentence inside quotes or starting with one is
// never judged ("a voice asking 'how can I help'"); an inability counts as a refusal only with a
// word about the task or the medium ("I can't listen to audio", not "I can't make out the lyrics");
// a greeting only before punctuation ("Hello!", not "Hey Ya-style funk"). A refusal is removed
// wherever it stands; a chat reply only before the caption, since after it the notes stage removes
// offers to the user ("Would you like a shorter version?") as notes, which say nothing against the
// caption. Politeness before a caption ("Hello!", "I'd be happy to help!") is removed as a wrapper,
// like lead_in's "Sure!"; a request or a question to the user ("Please upload the file.") is a chat
// reply, after which the model writes a guess, if anything.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "clean/scan.hpp"
#include "clean/stages.hpp"

namespace tunecap::clean {
namespace {

constexpr auto npos = std::string_view::npos;
constexpr std::string_view kClosers = ")]\"'";

template <std::size_t N>
std::size_t opener_length(std::string_view text, const std::array<std::string_view, N>& openers) {
    for (std::string_view opener : openers) {
        if (starts_with_word_ci(text, opener)) return opener.size();
    }
    return 0;
}

// ---- sentences ----

struct Sentence {
    std::size_t start;  // of the sentence, with the white space that follows it up to `next`
    std::size_t next;
    bool quoted;        // starts inside or with a quotation
};

// Sentences end after . ! ? (and closing quotes or parentheses) before white space, and at line
// breaks. Each span runs to the next sentence, so removing one removes the space after it.
std::vector<Sentence> split_sentences(std::string_view text) {
    std::vector<Sentence> sentences;
    std::size_t start = 0;
    std::size_t quotes = 0;  // '"' seen before `start`
    std::size_t i = 0;
    const auto close = [&](std::size_t end) {
        std::size_t next = end;
        while (next < text.size() && is_space(text[next])) ++next;
        const bool quoted = quotes % 2 == 1 || text[start] == '"' || text[start] == '\'';
        for (std::size_t k = start; k < end; ++k) quotes += text[k] == '"';
        sentences.push_back({start, next, quoted});
        start = next;
        i = next;
    };
    while (i < text.size()) {
        if (text[i] == '\n') {
            close(i);
            continue;
        }
        if (is_terminal(text[i])) {
            std::size_t j = i;
            while (j < text.size() && is_terminal(text[j])) ++j;
            while (j < text.size() && kClosers.find(text[j]) != npos) ++j;
            if (j == text.size() || is_space(text[j])) {
                close(j);
                continue;
            }
            i = j;
            continue;
        }
        ++i;
    }
    if (start < text.size()) close(text.size());
    return sentences;
}

// ---- refusals ----

// Words that introduce a refusal without being one: "Unfortunately, I cannot ...".
constexpr std::array<std::string_view, 10> kRefusalIntros{
    "unfortunately", "however",      "but",    "sadly", "regrettably", "please note that",
    "note that",     "please note", "honestly", "also"};

// Openers that are a refusal by themselves: an apology, or the model saying what it is.
constexpr std::array<std::string_view, 24> kRefusalOpeners{
    "i'm sorry",          "i am sorry",           "im sorry",          "my apologies",
    "i apologize",        "i apologise",          "apologies,",        "as an ai",
    "as a language model", "as a large language model", "as an artificial intelligence",
    "as a text-based",    "as a text based",      "as a virtual assistant", "as an assistant",
    "i'm an ai",          "i am an ai",           "i'm just an ai",    "i'm only an ai",
    "i'm a language model", "i am a language model", "i'm a large language model",
    "i'm a text-based",   "i am a text-based"};

// "I" followed by one of these says the model cannot do something...
constexpr std::array<std::string_view, 22> kInabilities{
    "i can't",          "i cant",           "i cannot",           "i can not",
    "i couldn't",       "i could not",      "i'm unable",         "i am unable",
    "i'm not able",     "i am not able",    "i don't have",       "i do not have",
    "i'm not capable",  "i am not capable", "i won't be able",    "i will not be able",
    "i'm not equipped", "i am not equipped", "i lack",            "i have no way",
    "i have no ability", "i'm afraid i can"};

// ...and it is a refusal when one of these words follows within a few words: the task or the
// medium, not the music ("I can't make out the lyrics" is a caption).
// "track", "song" and "sound" are left out: "I can't stop replaying this track" is a caption.
constexpr std::array<std::string_view, 26> kRefusalWords{
    "audio",   "file",     "files",      "attachment", "attachments", "recording", "recordings",
    "media",   "ability",  "capability", "capacity",   "ears",        "music",     "listen",
    "play",    "access",   "process",    "analyze",    "analyse",     "perceive",  "help",
    "assist",  "fulfill",  "fulfil",     "comply",     "provide"};
constexpr int kRefusalWordWindow = 8;

std::string_view skip_intros(std::string_view text) {
    for (bool skipped = true; skipped;) {
        skipped = false;
        if (const std::size_t n = opener_length(text, kRefusalIntros)) {
            text.remove_prefix(n);
            while (!text.empty() && (text.front() == ',' || is_blank(text.front()))) text.remove_prefix(1);
            skipped = true;
        }
    }
    return text;
}

bool names_refused_task(std::string_view rest) {
    int words = 0;
    std::size_t i = 0;
    while (i < rest.size() && words < kRefusalWordWindow) {
        while (i < rest.size() && !is_alpha(rest[i])) {
            if (is_terminal(rest[i])) return false;
            ++i;
        }
        const std::size_t start = i;
        while (i < rest.size() && (is_alpha(rest[i]) || rest[i] == '\'')) ++i;
        const std::string_view word = rest.substr(start, i - start);
        if (word.empty()) break;
        ++words;
        for (std::string_view refusal_word : kRefusalWords) {
            if (word.size() == refusal_word.size() && starts_with_ci(word, refusal_word)) {
                // "I can't help but smile" is not a refusal.
                return !(refusal_word == "help" && starts_with_word_ci(trim_left(rest.substr(i)), "but"));
            }
        }
    }
    return false;
}

bool is_refusal(std::string_view sentence) {
    const std::string_view text = skip_intros(sentence);
    if (opener_length(text, kRefusalOpeners) > 0) return true;
    // "Sorry, I can't...", "Sorry but...", "Sorry!"; not "Sorry Seems to Be..." as a title.
    if (starts_with_word_ci(text, "sorry") && text.size() > 5 &&
        (text[5] == ',' || text[5] == '!' || text[5] == '.' || starts_with_word_ci(text.substr(5), " but"))) {
        return true;
    }
    const std::size_t n = opener_length(text, kInabilities);
    return n > 0 && names_refused_task(text.substr(n));
}

// ---- chat replies ----

// A chat sentence that asks the user for something (the audio, a choice): the model did not answer,
// and what it writes after is a guess.
constexpr std::array<std::string_view, 41> kRequests{
    "how can i",         "how may i",          "what can i",         "what would you like",
    "what do you want",  "would you like",     "do you want",        "could you",
    "can you provide",   "can you share",      "can you upload",     "can you send",
    "can you describe",  "please provide",     "please share",       "please upload",
    "please send",       "please attach",      "please describe",    "please give",
    "please let me",     "please paste",       "please specify",     "please tell",
    "please clarify",    "if you provide",     "if you share",       "if you upload",
    "if you send",       "if you describe",    "if you could",       "if you can",
    "once you",          "let me know",        "feel free",          "if you'd like",
    "if you would like", "if you want",        "if you have",        "hope this helps",
    "i hope this helps"};

// Politeness before a caption ("I'd be happy to help! Here is the caption: ..."): removed like an
// acknowledgement, without a flag, unless nothing follows it.
constexpr std::array<std::string_view, 14> kPleasantries{
    "i'd be happy",       "i would be happy", "i'd be glad",  "i would be glad", "i'm happy to help",
    "i am happy to help", "thank you for",    "thanks for",   "i'm ready",       "i am ready",
    "i'm here to",        "i am here to",     "i can help",   "i'd love to"};

constexpr std::array<std::string_view, 6> kGreetings{"hello", "hi there", "hi", "hey there", "hey",
                                                     "greetings"};

// A sentence of only an acknowledgement: what lead_in keeps as a fallback when nothing follows.
constexpr std::array<std::string_view, 12> kAcknowledgements{
    "sure", "certainly", "of course", "absolutely", "okay", "ok",
    "got it", "understood", "no problem", "great", "alright", "yes"};

bool has_word_you(std::string_view text) {
    for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
        if (i > 0 && is_alpha(text[i - 1])) continue;
        if (starts_with_word_ci(text.substr(i), "you") || starts_with_word_ci(text.substr(i), "your")) {
            return true;
        }
    }
    return false;
}

enum class Chat { none, pleasantry, request };

Chat chat_kind(std::string_view sentence) {
    const std::string_view text = trim_right(sentence);
    if (opener_length(text, kRequests) > 0) return Chat::request;
    // A question put to the user: "What kind of caption do you need?"
    if (!text.empty() && text.back() == '?' && has_word_you(text)) return Chat::request;
    if (opener_length(text, kPleasantries) > 0) return Chat::pleasantry;
    for (std::string_view greeting : kGreetings) {
        if (starts_with_word_ci(text, greeting) && text.size() > greeting.size() &&
            (text[greeting.size()] == '!' || text[greeting.size()] == ',' || text[greeting.size()] == '.')) {
            return Chat::pleasantry;
        }
    }
    std::string_view bare = text;
    while (!bare.empty() && (is_terminal(bare.back()) || bare.back() == ',')) bare.remove_suffix(1);
    for (std::string_view word : kAcknowledgements) {
        if (bare.size() == word.size() && starts_with_ci(bare, word)) return Chat::pleasantry;
    }
    return Chat::none;
}

}  // namespace

StageOutput chat_stage(std::string_view text) {
    StageOutput out;
    const std::vector<Sentence> sentences = split_sentences(text);
    bool before_caption = true;
    bool removed = false;
    for (const Sentence& sentence : sentences) {
        const std::string_view span = text.substr(sentence.start, sentence.next - sentence.start);
        if (!sentence.quoted && is_refusal(span)) {
            out.flags.add(Flag::refusal);
            removed = true;
            continue;
        }
        const Chat kind = before_caption && !sentence.quoted ? chat_kind(span) : Chat::none;
        if (kind != Chat::none) {
            out.flags.add(kind == Chat::request ? Flag::chat_reply : Flag::wrapper_removed);
            removed = true;
            continue;
        }
        before_caption = before_caption && !has_content(span);
        out.text.append(span);
    }
    if (!removed) {
        out.text = std::string(text);
        return out;
    }
    // Refusals and chat replies are not content: an output of only those leaves nothing, and says
    // it was chat even when it was only politeness ("Hello! I'm ready.").
    if (!has_content(out.text) && !out.flags.has(Flag::refusal)) out.flags.add(Flag::chat_reply);
    out.salvage = std::string();
    return out;
}

}  // namespace tunecap::clean
