// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::chat: a model that cannot or will not describe the audio answers as a chat assistant
// ("I'm sorry, but I can't listen to audio files.", "As an AI, I cannot hear...", "How can I help
// you today?", "Please upload the track."). Neither is a description of music, and whatever
// follows a refusal was not heard but guessed from the prompt; so these sentences are removed and
// flagged (refusal, chat_reply), and the caption that remains is kept out of training
// (is_flagged).
//
// The rules read a sentence's opening words, as lead_in does, and are narrow on purpose, because a
// caption may quote lyrics, name a song or use the same words:
// - a sentence inside quotes or starting with one is never judged ("a voice asking 'how can I
//   help'");
// - openers match in sentence case only, so a title in title case is not one ("How Can I Be Sure,
//   a soft rock cover", "I'm Sorry-era Brenda Lee");
// - an inability is a refusal only with a word about the task or the medium ("I can't listen to
//   audio", not "I can't make out the lyrics");
// - a question is put to the user only when it opens with "Would you", "How can I", "Do you"...
//   ("A track where the singer asks: do you remember?" is a caption);
// - a greeting or acknowledgement only as a sentence of its own ("Hello!", not "Hello, Dolly-style
//   swing");
// - "Let me know", "Feel free" and the like count only after a request ("Feel free to dance: a
//   house groove" is a caption).
// A refusal is removed wherever it stands; a chat reply only before the caption, since after it
// the notes stage removes offers to the user ("Would you like a shorter version?") as notes, which
// say nothing against the caption. Politeness before a caption ("Hello!", "I'd be happy to help!")
// is removed as a wrapper, like lead_in's "Sure!"; a request or a question to the user ("Please
// upload the file.") is a chat reply, after which the model writes a guess, if anything. When
// only politeness phrases remain, they may be a title ("Thank you for the music, an ABBA-style
// ballad"): the text is kept and flagged, as lead_in's fallback keeps a lone preamble.

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

// `phrase` opens `text` in sentence case: the first letter in either case, the rest exactly, then
// the end or a character that ends the word (not a letter, not a hyphen: "I'm sorry-looking").
bool opens_with(std::string_view text, std::string_view phrase) {
    if (text.size() < phrase.size() || to_lower(text[0]) != to_lower(phrase[0]) ||
        text.substr(1, phrase.size() - 1) != phrase.substr(1)) {
        return false;
    }
    if (text.size() == phrase.size() || !is_alpha(phrase.back())) return true;
    const char next = text[phrase.size()];
    return !is_alpha(next) && next != '-';
}

template <std::size_t N>
std::size_t opener_length(std::string_view text, const std::array<std::string_view, N>& openers) {
    for (std::string_view opener : openers) {
        if (opens_with(text, opener)) return opener.size();
    }
    return 0;
}

// The sentence without its final marks and space: "Hello!" -> "Hello".
std::string_view bare(std::string_view sentence) {
    std::string_view text = trim_right(sentence);
    while (!text.empty() && (is_terminal(text.back()) || text.back() == ',')) text.remove_suffix(1);
    return text;
}

template <std::size_t N>
bool is_one_of(std::string_view text, const std::array<std::string_view, N>& words) {
    for (std::string_view word : words) {
        if (text.size() == word.size() && starts_with_ci(text, word)) return true;
    }
    return false;
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
    "Unfortunately", "However",      "But",    "Sadly", "Regrettably", "Please note that",
    "Note that",     "Please note", "Honestly", "Also"};

// Openers that are a refusal by themselves: an apology, or the model saying what it is.
constexpr std::array<std::string_view, 24> kRefusalOpeners{
    "I'm sorry",           "I am sorry",           "Im sorry",             "My apologies",
    "I apologize",         "I apologise",          "Apologies,",           "As an AI",
    "As a language model", "As a large language model", "As an artificial intelligence",
    "As a text-based",     "As a text based",      "As a virtual assistant", "As an assistant",
    "I'm an AI",           "I am an AI",           "I'm just an AI",       "I'm only an AI",
    "I'm a language model", "I am a language model", "I'm a large language model",
    "I'm a text-based",    "I am a text-based"};

// "I" followed by one of these says the model cannot do something...
constexpr std::array<std::string_view, 22> kInabilities{
    "I can't",          "I cant",            "I cannot",         "I can not",
    "I couldn't",       "I could not",       "I'm unable",       "I am unable",
    "I'm not able",     "I am not able",     "I don't have",     "I do not have",
    "I'm not capable",  "I am not capable",  "I won't be able",  "I will not be able",
    "I'm not equipped", "I am not equipped", "I lack",           "I have no way",
    "I have no ability", "I'm afraid I can"};

// ...and it is a refusal when one of these words follows within a few words: the task or the
// medium, not the music ("I can't make out the lyrics" is a caption). "track", "song" and "sound"
// are left out: "I can't stop replaying this track" is a caption.
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
        if (is_one_of(word, kRefusalWords)) {
            // "I can't help but smile" is not a refusal.
            return !(starts_with_ci(word, "help") && starts_with_word_ci(trim_left(rest.substr(i)), "but"));
        }
    }
    return false;
}

bool is_refusal(std::string_view sentence) {
    const std::string_view text = skip_intros(sentence);
    if (opener_length(text, kRefusalOpeners) > 0) return true;
    // "Sorry, I can't...", "Sorry but...", "Sorry!"; not "Sorry Seems to Be..." as a title.
    if (opens_with(text, "Sorry") && text.size() > 5 &&
        (text[5] == ',' || text[5] == '!' || text[5] == '.' || opens_with(text.substr(5), " but") ||
         opens_with(text.substr(5), " I"))) {
        return true;
    }
    const std::size_t n = opener_length(text, kInabilities);
    return n > 0 && names_refused_task(text.substr(n));
}

// ---- chat replies ----

// A sentence that asks the user for something (the audio, a choice): the model did not answer, and
// what it writes after is a guess.
constexpr std::array<std::string_view, 38> kRequests{
    "How can I",        "How may I",          "What can I",        "What would you like",
    "What do you want", "Would you like",     "Do you want",       "Could you",
    "Can you provide",  "Can you share",      "Can you upload",    "Can you send",
    "Can you describe", "Please provide",     "Please share",      "Please upload",
    "Please send",      "Please attach",      "Please describe",   "Please give",
    "Please let me",    "Please paste",       "Please specify",    "Please tell",
    "Please clarify",   "If you provide",     "If you share",      "If you upload",
    "If you send",      "If you describe",    "If you could",      "If you can",
    "Once you provide", "Once you share",     "Once you upload",   "Once you send",
    "Is there anything", "Is there something"};

// What follows a request ("Let me know...", "Then I can..."); on its own it may be a caption
// ("Feel free to dance: a bouncy house groove").
constexpr std::array<std::string_view, 14> kFollowUps{
    "Let me know",  "Feel free",      "If you'd like",   "If you would like", "If you want",
    "If you have",  "Hope this helps", "I hope this helps", "Then I can",      "Then I'll",
    "I'll be happy", "I will be happy", "I can then",      "In the meantime"};

// Politeness before a caption ("I'd be happy to help! Here is the caption: ...").
constexpr std::array<std::string_view, 16> kPleasantries{
    "I'd be happy",       "I would be happy", "I'd be glad", "I would be glad", "I'm happy to help",
    "I am happy to help", "Thank you for",    "Thanks for",  "I'm ready",       "I am ready",
    "I'm here to",        "I am here to",     "I can help",  "I'd love to",     "Happy to help",
    "Glad to help"};

// Sentences of one of these alone: a greeting, or what lead_in keeps as a fallback when nothing
// follows an acknowledgement.
constexpr std::array<std::string_view, 20> kGreetingsAndAcknowledgements{
    "hello",  "hi",        "hey",      "hi there",   "hello there", "hey there",  "greetings",
    "sure",   "certainly", "of course", "absolutely", "okay",       "ok",         "got it",
    "understood", "no problem", "great", "alright",  "yes",         "sure thing"};

constexpr std::array<std::string_view, 12> kAuxiliaries{"would", "could", "can",   "do",  "did",  "will",
                                                        "shall", "should", "may",  "are", "have", "is"};
constexpr std::array<std::string_view, 7> kQuestionWords{"what", "how", "which", "where", "when", "why", "who"};

std::string_view next_word(std::string_view text, std::size_t& at) {
    while (at < text.size() && is_blank(text[at])) ++at;
    const std::size_t start = at;
    while (at < text.size() && (is_alpha(text[at]) || text[at] == '\'')) ++at;
    return text.substr(start, at - start);
}

// A question put to the user: "Would you like...?", "How can I help?", "What do you want...?".
bool asks_the_user(std::string_view sentence) {
    const std::string_view text = trim_right(sentence);
    if (text.empty() || text.back() != '?') return false;
    std::size_t at = 0;
    std::string_view word = next_word(text, at);
    if (is_one_of(word, kQuestionWords)) word = next_word(text, at);
    if (!is_one_of(word, kAuxiliaries)) return false;
    const std::string_view subject = next_word(text, at);
    return subject == "you" || subject == "I";
}

enum class Chat { none, polite, pleasantry, request };

Chat chat_kind(std::string_view sentence, bool after_request) {
    const std::string_view text = trim_right(sentence);
    if (opener_length(text, kRequests) > 0 || asks_the_user(text)) return Chat::request;
    if (after_request && opener_length(text, kFollowUps) > 0) return Chat::request;
    if (is_one_of(bare(text), kGreetingsAndAcknowledgements)) return Chat::polite;
    // "Hello, please upload the file." is what follows the greeting.
    for (std::string_view greeting : {"Hello, ", "Hi, ", "Hey, ", "Hi there, ", "Hello there, "}) {
        if (opens_with(text, greeting)) return chat_kind(text.substr(greeting.size()), after_request);
    }
    if (opener_length(text, kPleasantries) > 0) return Chat::pleasantry;
    return Chat::none;
}

}  // namespace

StageOutput chat_stage(std::string_view text) {
    StageOutput out;
    const std::vector<Sentence> sentences = split_sentences(text);
    bool before_caption = true;
    bool removed = false;
    bool pleasantry = false;
    for (const Sentence& sentence : sentences) {
        const std::string_view span = text.substr(sentence.start, sentence.next - sentence.start);
        if (!sentence.quoted && is_refusal(span)) {
            out.flags.add(Flag::refusal);
            removed = true;
            continue;
        }
        const bool after_request = out.flags.has(Flag::refusal) || out.flags.has(Flag::chat_reply);
        const Chat kind = before_caption && !sentence.quoted ? chat_kind(span, after_request) : Chat::none;
        if (kind != Chat::none) {
            out.flags.add(kind == Chat::request ? Flag::chat_reply : Flag::wrapper_removed);
            pleasantry = pleasantry || kind == Chat::pleasantry;
            removed = true;
            continue;
        }
        before_caption = before_caption && !has_content(span);
        out.text.append(span);
    }
    const bool confident = out.flags.has(Flag::refusal) || out.flags.has(Flag::chat_reply) || !pleasantry;
    if (!removed || (!has_content(out.text) && !confident)) {
        // Nothing removed; or only politeness phrases, which may be a title: kept, but flagged.
        out.flags = FlagSet{};
        if (removed) out.flags.add(Flag::chat_reply);
        out.text = std::string(text);
        return out;
    }
    // Refusals, requests and lone greetings are not content: an output of only those leaves
    // nothing.
    if (!has_content(out.text) && !out.flags.has(Flag::refusal)) out.flags.add(Flag::chat_reply);
    out.salvage = std::string();
    return out;
}

}  // namespace tunecap::clean
