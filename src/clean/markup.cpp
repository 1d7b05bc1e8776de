// SPDX-License-Identifier: GPL-3.0-or-later
// Stage::structure, Stage::reasoning, Stage::special_tokens: the model's own markup. Turns and
// channels are read per family (a ChatML turn, a Harmony channel and a Granite role say who is
// speaking); leaked tokens of every family are removed whatever the family, since a server or a
// template may leak any of them.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/scan.hpp"
#include "clean/stages.hpp"
#include "core/text.hpp"

namespace tunecap::clean {
namespace {

constexpr auto npos = std::string_view::npos;

std::string join_with_content(const std::vector<std::string_view>& parts) {
    std::string out;
    for (std::string_view part : parts) {
        if (has_content(part)) append_line(out, trim_view(part));
    }
    return out;
}

// ---- Turns: ChatML, Granite, and role names left on their own lines by a server that stripped
// the special tokens ("system\n...\nuser\n...\nassistant\n<answer>"). ----

struct Turn {
    std::string_view role;
    std::string_view body;
};

bool is_assistant(std::string_view role) {
    return starts_with_ci(trim_view(role), "assistant") && trim_view(role).size() == 9;
}

bool is_prompt_role(std::string_view role) {
    const std::string_view word = trim_view(role);
    return word == "system" || word == "user" || word == "developer" || word == "tool";
}

// `lead` is the text before the first turn marker: when generation started inside the assistant
// turn, that is the answer and any turn after it is a run-on. Otherwise the first assistant turn
// with content is the answer and the turns before it are an echo of the prompt.
StageOutput choose_turn(std::string_view lead, const std::vector<Turn>& turns) {
    StageOutput out;
    out.flags.add(Flag::special_tokens_removed);
    if (has_content(lead)) {
        out.text = std::string(trim_view(lead));
        return out;
    }
    bool echo = false;
    for (const Turn& turn : turns) {
        if (is_assistant(turn.role) && has_content(turn.body)) {
            out.text = std::string(trim_view(turn.body));
            if (echo) out.flags.add(Flag::prompt_echo_removed);
            return out;
        }
        echo = echo || has_content(turn.body);
    }
    // No assistant turn has content: the turns are an echo of the prompt, which is no answer
    // (an empty salvage). Only a turn of a role we do not know may be an answer, so it is kept.
    std::vector<std::string_view> bodies;
    bool unknown_role = false;
    for (const Turn& turn : turns) {
        bodies.push_back(turn.body);
        unknown_role = unknown_role || (has_content(turn.body) && !is_prompt_role(turn.role));
    }
    if (echo) out.flags.add(Flag::prompt_echo_removed);
    out.salvage = unknown_role ? join_with_content(bodies) : std::string();
    out.salvage_flags.add(Flag::prompt_echo_removed);
    return out;
}

struct TurnFormat {
    std::string_view start;     // opens a turn; the role follows
    std::string_view role_end;  // ends the role; empty: the role is the word after `start`
    std::array<std::string_view, 2> ends;
};

constexpr TurnFormat kChatMl{"<|im_start|>", "", {"<|im_end|>", "<|endoftext|>"}};
constexpr TurnFormat kGranite{"<|start_of_role|>", "<|end_of_role|>", {"<|end_of_text|>", ""}};

std::string_view cut_at_turn_end(std::string_view body, const TurnFormat& format) {
    std::size_t cut = body.size();
    for (std::string_view end : format.ends) {
        if (end.empty()) continue;
        const std::size_t at = body.find(end);
        if (at < cut) cut = at;
    }
    return body.substr(0, cut);
}

std::optional<StageOutput> token_turns(std::string_view text, const TurnFormat& format) {
    std::size_t at = text.find(format.start);
    if (at == npos) return std::nullopt;
    const std::string_view lead = cut_at_turn_end(text.substr(0, at), format);
    std::vector<Turn> turns;
    while (at != npos) {
        const std::size_t header = at + format.start.size();
        const std::size_t next = text.find(format.start, header);
        const std::string_view segment =
            text.substr(header, next == npos ? npos : next - header);
        Turn turn;
        if (!format.role_end.empty()) {
            const std::size_t role_end = segment.find(format.role_end);
            turn.role = segment.substr(0, role_end);
            if (role_end != npos) turn.body = segment.substr(role_end + format.role_end.size());
        } else {
            std::size_t k = 0;
            while (k < segment.size() && (is_alpha(segment[k]) || segment[k] == '_')) ++k;
            turn.role = segment.substr(0, k);
            turn.body = segment.substr(k);
        }
        turn.body = cut_at_turn_end(turn.body, format);
        turns.push_back(turn);
        at = next;
    }
    return choose_turn(lead, turns);
}

bool is_role_line(std::string_view line) {
    const std::string_view word = trim_view(line);
    return word == "system" || word == "user" || word == "assistant";
}

std::optional<StageOutput> bare_role_turns(std::string_view text) {
    struct RoleLine {
        std::size_t start;  // of the line
        std::size_t next;   // first byte after the line and its '\n'
        std::string_view role;
    };
    std::vector<RoleLine> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        const std::size_t next = std::min(end + 1, text.size());
        if (is_role_line(line)) lines.push_back({start, next, trim_view(line)});
        start = next;
    }
    if (lines.empty()) return std::nullopt;
    std::vector<Turn> turns;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t body_end = i + 1 < lines.size() ? lines[i + 1].start : text.size();
        turns.push_back({lines[i].role, text.substr(lines[i].next, body_end - lines[i].next)});
    }
    return choose_turn(text.substr(0, lines.front().start), turns);
}

// ---- Harmony (GPT-OSS): <|start|>{role}<|channel|>{channel}<|message|>{body}<|end|>. The raw
// completion prefills `<|start|>assistant<|channel|>final<|message|>`, so text before any header is
// the final answer; only `final` is a caption. ----

enum class HarmonyToken { start, end, message, channel, ret, call, constrain };

struct HarmonyTokenDef {
    std::string_view spelling;
    HarmonyToken token;
};

constexpr std::array<HarmonyTokenDef, 7> kHarmonyTokens{{
    {"<|start|>", HarmonyToken::start},
    {"<|end|>", HarmonyToken::end},
    {"<|message|>", HarmonyToken::message},
    {"<|channel|>", HarmonyToken::channel},
    {"<|return|>", HarmonyToken::ret},
    {"<|call|>", HarmonyToken::call},
    {"<|constrain|>", HarmonyToken::constrain},
}};

struct HarmonyMessage {
    std::string_view channel;  // "final", "analysis", "commentary"; "prefill" before any header
    std::string_view body;
};

std::string_view first_word(std::string_view text) {
    text = trim_left(text);
    std::size_t k = 0;
    while (k < text.size() && is_alpha(text[k])) ++k;
    return text.substr(0, k);
}

std::string_view last_word(std::string_view text) {
    text = trim_right(text);
    std::size_t k = text.size();
    while (k > 0 && is_alpha(text[k - 1])) --k;
    return text.substr(k);
}

bool is_final(std::string_view channel) { return channel == "final" || channel == "prefill"; }

std::vector<HarmonyMessage> parse_harmony(std::string_view text) {
    enum class Mode { body, header };
    std::vector<HarmonyMessage> messages;
    Mode mode = Mode::body;
    std::string_view channel = "prefill";
    std::string_view pending;       // body text, or header text while in Mode::header
    bool channel_follows = false;   // the next header text starts with the channel name
    std::string_view header_channel;

    const auto close_body = [&] {
        if (mode == Mode::body) messages.push_back({channel, pending});
        mode = Mode::header;
        pending = {};
        header_channel = {};
        channel_follows = false;
    };
    std::size_t pos = 0;
    while (true) {
        std::size_t at = npos;
        const HarmonyTokenDef* found = nullptr;
        for (std::size_t lt = text.find("<|", pos); lt != npos; lt = text.find("<|", lt + 2)) {
            for (const HarmonyTokenDef& def : kHarmonyTokens) {
                if (text.compare(lt, def.spelling.size(), def.spelling) == 0) found = &def;
            }
            if (found) {
                at = lt;
                break;
            }
        }
        const std::string_view segment = text.substr(pos, at == npos ? npos : at - pos);
        if (mode == Mode::body) {
            pending = segment;
        } else if (channel_follows) {
            header_channel = first_word(segment);
            channel_follows = false;
        } else if (header_channel.empty()) {
            pending = segment;
        }
        if (!found) break;
        pos = at + found->spelling.size();
        switch (found->token) {
            case HarmonyToken::channel:
            case HarmonyToken::message:
                if (mode == Mode::body) {
                    if (channel == "prefill") {
                        // Text before a header tag was the role ("assistant"), not a body.
                        mode = Mode::header;
                        header_channel = {};
                    } else {
                        close_body();
                    }
                }
                if (found->token == HarmonyToken::channel) {
                    channel_follows = true;
                } else {
                    channel = !header_channel.empty() ? header_channel : last_word(pending);
                    mode = Mode::body;
                    pending = {};
                }
                break;
            case HarmonyToken::constrain:
                channel_follows = false;
                break;
            case HarmonyToken::start:
            case HarmonyToken::end:
            case HarmonyToken::ret:
            case HarmonyToken::call:
                close_body();
                channel = {};
                break;
        }
    }
    if (mode == Mode::body) messages.push_back({channel, pending});
    return messages;
}

bool is_harmony_output(std::string_view text, Family family) {
    if (text.find("<|channel|>") != npos || text.find("<|message|>") != npos) return true;
    if (family != Family::harmony) return false;
    for (const HarmonyTokenDef& def : kHarmonyTokens) {
        if (text.find(def.spelling) != npos) return true;
    }
    return false;
}

StageOutput harmony_from_messages(const std::vector<HarmonyMessage>& messages, Flag markup) {
    StageOutput out;
    const HarmonyMessage* final_message = nullptr;
    for (const HarmonyMessage& message : messages) {
        if (is_final(message.channel) && has_content(message.body)) final_message = &message;
    }
    std::vector<std::string_view> others;
    for (const HarmonyMessage& message : messages) {
        if (&message != final_message) others.push_back(message.body);
    }
    if (final_message) {
        out.text = std::string(trim_view(final_message->body));
        out.flags.add(markup);
        if (has_content(join_with_content(others))) out.flags.add(Flag::reasoning_removed);
        return out;
    }
    // The analysis and commentary channels are reasoning, not an answer: nothing is salvaged.
    out.flags.add(Flag::no_final_channel);
    if (has_content(join_with_content(others))) out.flags.add(Flag::reasoning_removed);
    out.salvage = std::string();
    return out;
}

// A server that drops special tokens from the text turns `<|channel|>analysis<|message|>X<|end|>
// <|start|>assistant<|channel|>final<|message|>Y` into "analysisXassistantfinalY".
std::optional<StageOutput> stripped_harmony(std::string_view text) {
    constexpr std::string_view kAssistantFinal = "assistantfinal";
    const auto strip_analysis = [](std::string_view part) {
        part = trim_left(part);
        if (part.substr(0, 9) == "assistant") part.remove_prefix(9);
        if (part.substr(0, 8) == "analysis") part.remove_prefix(8);
        return part;
    };
    std::size_t at = text.find(kAssistantFinal);
    if (at != npos) {
        // Each "assistantfinal" opens a final message; the last one with content is the answer.
        std::vector<HarmonyMessage> messages{{"analysis", strip_analysis(text.substr(0, at))}};
        while (at != npos) {
            const std::size_t body = at + kAssistantFinal.size();
            at = text.find(kAssistantFinal, body);
            messages.push_back({"final", text.substr(body, at == npos ? npos : at - body)});
        }
        return harmony_from_messages(messages, Flag::special_tokens_removed);
    }
    std::string_view rest = trim_left(text);
    if (rest.substr(0, 9) == "assistant") rest.remove_prefix(9);
    const auto glued = [&](std::string_view word) {
        return rest.substr(0, word.size()) == word && rest.size() > word.size() &&
               (is_upper(rest[word.size()]) || is_digit(rest[word.size()]) ||
                rest[word.size()] == '"');
    };
    if (glued("analysis")) {
        return harmony_from_messages({{"analysis", rest.substr(8)}}, Flag::special_tokens_removed);
    }
    if (glued("final")) {
        return harmony_from_messages({{"final", rest.substr(5)}}, Flag::special_tokens_removed);
    }
    return std::nullopt;
}

StageOutput unchanged(std::string_view text) { return StageOutput{std::string(text), {}, {}, {}}; }

// ---- Reasoning blocks ----

struct Tag {
    std::size_t at = npos;
    std::size_t length = 0;
    bool closing = false;
};

Tag find_think_tag(std::string_view text, std::size_t from) {
    for (std::size_t lt = text.find('<', from); lt != npos; lt = text.find('<', lt + 1)) {
        const std::string_view rest = text.substr(lt);
        for (std::string_view spelling : {"<think>", "<thinking>", "</think>", "</thinking>"}) {
            if (starts_with_ci(rest, spelling)) return {lt, spelling.size(), spelling[1] == '/'};
        }
    }
    return {};
}

// ---- Leaked special tokens ----

enum class TokenRole { plain, turn_start, turn_end };

struct TokenMatch {
    std::size_t length = 0;
    TokenRole role = TokenRole::plain;
};

bool is_token_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

constexpr std::array<std::string_view, 12> kTurnEndTokens{
    "<|im_end|>", "<|endoftext|>", "<|end|>",    "<|return|>",    "<|end_of_text|>", "<|eot_id|>",
    "<|eom_id|>", "<|call|>",      "</s>",       "<end_of_turn>", "<eos>",           "<|end_of_turn|>"};
constexpr std::array<std::string_view, 5> kTurnStartTokens{
    "<|im_start|>", "<|start|>", "<|start_of_role|>", "<start_of_turn>", "<|start_header_id|>"};
constexpr std::array<std::string_view, 21> kAngleTokenNames{
    "s",     "unk",  "pad",        "eos",           "bos",         "sound",     "audio",
    "speech", "think", "thinking", "tool_call",     "tool_response", "start_of_turn", "end_of_turn",
    "mask",  "sep",  "cls",        "image",         "video",       "eot",       "endoftext"};
constexpr std::array<std::string_view, 6> kRoleNames{"system", "user",      "assistant",
                                                   "developer", "tool", "model"};
constexpr std::array<std::string_view, 3> kAngleTokenPrefixes{"extra_id_", "special_", "reserved_"};

TokenRole role_of(std::string_view token) {
    for (std::string_view end : kTurnEndTokens) {
        if (token == end) return TokenRole::turn_end;
    }
    for (std::string_view start : kTurnStartTokens) {
        if (token == start) return TokenRole::turn_start;
    }
    return TokenRole::plain;
}

// A special token at the start of `text`: `<|name|>`, a known `<name>` / `</name>`, a byte token
// `<0x0A>`, `[INST]` / `[/INST]`, `<<SYS>>` / `<</SYS>>`. `<dark>` is not one: it is left to the
// normaliser, which drops the brackets and keeps the word.
TokenMatch match_token(std::string_view text) {
    if (text.size() < 3) return {};
    for (std::string_view spelling : {"[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"}) {
        if (text.substr(0, spelling.size()) == spelling) return {spelling.size(), TokenRole::plain};
    }
    if (text[0] != '<') return {};
    constexpr std::size_t kMaxName = 48;
    if (text[1] == '|') {
        std::size_t k = 2;
        while (k < text.size() && k < kMaxName + 2 && is_token_char(text[k])) ++k;
        if (k > 2 && text.substr(k, 2) == "|>") return {k + 2, role_of(text.substr(0, k + 2))};
        return {};
    }
    const std::size_t name_start = text[1] == '/' ? 2 : 1;
    std::size_t k = name_start;
    while (k < text.size() && k < kMaxName + 2 && (is_alnum(text[k]) || text[k] == '_')) ++k;
    if (k == name_start || k >= text.size() || text[k] != '>') return {};
    const std::string name = core::to_lower_ascii(text.substr(name_start, k - name_start));
    bool known = false;
    for (std::string_view candidate : kAngleTokenNames) known = known || name == candidate;
    for (std::string_view prefix : kAngleTokenPrefixes) {
        known = known || (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0);
    }
    const bool byte_token = name.size() == 4 && name[0] == '0' && name[1] == 'x';
    if (!known && !byte_token) return {};
    return {k + 1, role_of(text.substr(0, k + 1))};
}

}  // namespace

StageOutput structure_stage(std::string_view text, Family family) {
    // Harmony markup is read whatever the family, so that an output cleaned with the wrong family
    // never keeps its analysis channel. Its channel tokens are unambiguous; its turn tokens
    // (`<|start|>`, `<|end|>`, `<|return|>`) are also other families' and count only for Harmony.
    if (is_harmony_output(text, family)) {
        return harmony_from_messages(parse_harmony(text), Flag::special_tokens_removed);
    }
    if (auto out = stripped_harmony(text)) return std::move(*out);
    switch (family) {
        case Family::harmony:
            return unchanged(text);
        case Family::granite:
            if (auto out = token_turns(text, kGranite)) return std::move(*out);
            if (auto out = bare_role_turns(text)) return std::move(*out);
            return unchanged(text);
        case Family::qwen3:
        case Family::chatml:
        case Family::qwen2_5_omni:
        case Family::music_flamingo:
            if (auto out = token_turns(text, kChatMl)) return std::move(*out);
            if (auto out = bare_role_turns(text)) return std::move(*out);
            return unchanged(text);
    }
    return unchanged(text);
}

StageOutput reasoning_stage(std::string_view text, Family family) {
    StageOutput out;
    std::string reasoning;
    bool tags = false;
    std::size_t pos = 0;
    while (true) {
        const Tag tag = find_think_tag(text, pos);
        if (tag.at == npos) {
            out.text.append(text.substr(pos));
            break;
        }
        tags = true;
        if (tag.closing) {
            // A closing tag with no opening one: the template put `<think>` in the prompt, so
            // everything before it was reasoning.
            append_line(reasoning, out.text);
            append_line(reasoning, text.substr(pos, tag.at - pos));
            out.text.clear();
            pos = tag.at + tag.length;
            continue;
        }
        out.text.append(text.substr(pos, tag.at - pos));
        const std::size_t inner = tag.at + tag.length;
        Tag close = find_think_tag(text, inner);
        while (close.at != npos && !close.closing) close = find_think_tag(text, close.at + 1);
        if (close.at == npos) {
            // Unclosed: the model ran out of tokens while reasoning.
            append_line(reasoning, text.substr(inner));
            break;
        }
        append_line(reasoning, text.substr(inner, close.at - inner));
        pos = close.at + close.length;
    }
    // Granite 3.x reasoning mode: "Here is my thought process: ... Here is my response: ...".
    if (family == Family::granite) {
        constexpr std::string_view kResponse = "here is my response:";
        constexpr std::string_view kThought = "here is my thought process:";
        const std::string lower = core::to_lower_ascii(out.text);
        const std::size_t response = lower.rfind(kResponse);
        const std::size_t thought = lower.find(kThought);
        if (response != npos) {
            append_line(reasoning, std::string_view(out.text).substr(0, response));
            out.text.erase(0, response + kResponse.size());
            tags = true;
        } else if (thought != npos) {
            append_line(reasoning, std::string_view(out.text).substr(thought + kThought.size()));
            out.text.erase(thought);
            tags = true;
        }
    }
    if (!tags) return out;
    out.flags.add(has_content(reasoning) ? Flag::reasoning_removed : Flag::special_tokens_removed);
    // Reasoning is not content: when nothing is left beside it (an unclosed block the token limit
    // cut, a closing tag at the very end), the model never answered and nothing is salvaged.
    out.salvage = std::string();
    return out;
}

StageOutput special_tokens_stage(std::string_view text) {
    StageOutput out;
    if (text.find('<') == npos && text.find("[INST]") == npos && text.find("[/INST]") == npos) {
        out.text = std::string(text);
        return out;
    }
    std::string kept;
    kept.reserve(text.size());
    std::optional<std::size_t> cut;
    for (std::size_t i = 0; i < text.size();) {
        const TokenMatch token = match_token(text.substr(i));
        if (token.length == 0) {
            kept.push_back(text[i]);
            ++i;
            continue;
        }
        out.flags.add(Flag::special_tokens_removed);
        i += token.length;
        if (token.role == TokenRole::turn_end && !cut && has_content(kept)) cut = kept.size();
        kept.push_back(token.role == TokenRole::plain ? ' ' : '\n');
        if (token.role == TokenRole::turn_start) {
            // The role name after a turn start ("<|im_start|>user") is markup too.
            std::size_t k = i;
            while (k < text.size() && is_blank(text[k])) ++k;
            const std::string_view role = first_word(text.substr(k));
            for (std::string_view name : kRoleNames) {
                if (role == name) i = k + role.size();
            }
        }
    }
    out.text = cut ? kept.substr(0, *cut) : kept;
    out.salvage = std::move(kept);
    return out;
}

}  // namespace tunecap::clean
