// SPDX-License-Identifier: GPL-3.0-or-later
#include "generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tunecap::fake_llama_server {
namespace {

constexpr std::array<std::string_view, 12> kMoods = {"hypnotic", "brooding", "uplifting", "melancholic", "driving", "dreamy",
                                                     "playful", "tense", "serene", "euphoric", "gritty", "warm"};
constexpr std::array<std::string_view, 14> kGenres = {"psytrance", "deep house", "ambient", "indie rock", "jazz fusion", "lo-fi hip hop", "synth-pop",
                                                      "drum and bass", "folk", "techno", "downtempo", "post-rock", "goa trance", "dub"};
constexpr std::array<std::string_view, 12> kInstruments = {
    "a rolling bassline", "shimmering pads",        "fingerpicked acoustic guitar", "a punchy four-on-the-floor kick",
    "squelchy acid leads", "warm Rhodes chords",    "brushed drums",                "layered synth arpeggios",
    "a deep sub bass",     "soaring string lines",  "a muted trumpet",              "glitchy percussion"};
constexpr std::array<std::string_view, 8> kTextures = {"spacious", "dense", "crisp", "hazy", "punchy", "lush", "airy", "muddy"};
constexpr std::array<std::string_view, 8> kDetails = {"a breakdown halfway through",      "vocal chops drifting in the background",
                                                      "a long filtered build",            "subtle tape saturation",
                                                      "call-and-response between the leads", "a hushed outro",
                                                      "a reverb-soaked bridge",           "a sudden drop into silence"};

class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    template <typename List>
    std::string_view pick(const List& list) {
        return list[next() % list.size()];
    }

private:
    std::uint64_t m_state;
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string article(std::string_view word) {
    return std::string_view("aeiou").find(word.front()) != std::string_view::npos ? "An" : "A";
}

std::string sentence(Random& random, std::string_view genre) {
    const auto mood = random.pick(kMoods);
    const auto first_index = random.next() % kInstruments.size();
    const auto first = kInstruments[first_index];
    const auto second = kInstruments[(first_index + 1 + random.next() % (kInstruments.size() - 1)) % kInstruments.size()];
    const auto bpm = 70 + random.next() % 106;
    return fmt::format("{} {} {} track driven by {} and {} at around {} BPM.", article(mood), mood, genre, first, second, bpm);
}

std::string ltrim(std::string_view text) {
    const auto start = text.find_first_not_of(" \n\t\r");
    return start == std::string_view::npos ? std::string() : std::string(text.substr(start));
}

std::string trim(std::string_view text) {
    auto out = ltrim(text);
    out.erase(out.find_last_not_of(" \n\t\r") + 1);
    return out;
}

constexpr std::string_view kHarmonyAnalysis = "<|channel|>analysis<|message|>";
constexpr std::string_view kHarmonyFinal = "<|start|>assistant<|channel|>final<|message|>";
constexpr std::string_view kHarmonyFinalChannel = "<|channel|>final<|message|>";

}  // namespace

Composition compose(std::uint64_t seed, std::uint64_t prompt_hash, std::string_view prompt_text) {
    Random random(seed * 0x100000001B3ULL ^ prompt_hash);
    std::string_view genre = random.pick(kGenres);
    // A prompt that names a genre (a genre hint) gets a caption in that genre.
    const auto prompt = lower(prompt_text);
    for (const auto candidate : kGenres) {
        if (prompt.find(candidate) != std::string::npos) {
            genre = candidate;
            break;
        }
    }
    Composition out;
    out.caption = sentence(random, genre);
    if (random.next() % 2 == 0) {
        const auto first = random.next() % kTextures.size();
        const auto second = (first + 1 + random.next() % (kTextures.size() - 1)) % kTextures.size();
        out.caption += fmt::format(" The mix is {} and {}, with {}.", kTextures[first], kTextures[second], random.pick(kDetails));
    }
    out.thought = fmt::format("The user wants a caption for this {} track. I should mention the instruments and the tempo, "
                              "and keep it to one or two sentences.",
                              genre);
    return out;
}

std::string filler(std::uint64_t seed, std::uint64_t prompt_hash, int round) {
    Random random((seed + static_cast<std::uint64_t>(round) + 1) * 0x9E3779B97F4A7C15ULL ^ prompt_hash);
    return " " + sentence(random, random.pick(kGenres));
}

std::string raw_output(OutputStyle style, const Composition& composition, std::string_view prompt) {
    switch (style) {
    case OutputStyle::plain: return composition.caption;
    case OutputStyle::wrapper: return "Here is the caption: \"" + composition.caption + "\"";
    case OutputStyle::think:
        if (prompt.ends_with("</think>\n\n") || prompt.find("/no_think") != std::string_view::npos) return composition.caption;
        if (prompt.ends_with("<think>\n")) return composition.thought + "\n</think>\n\n" + composition.caption;
        return "<think>\n" + composition.thought + "\n</think>\n\n" + composition.caption;
    case OutputStyle::harmony:
        if (prompt.ends_with(kHarmonyFinal)) return composition.caption;
        return std::string(kHarmonyAnalysis) + composition.thought + "<|end|>" + std::string(kHarmonyFinal) + composition.caption;
    }
    return composition.caption;
}

ParsedOutput parse_reasoning(OutputStyle style, std::string_view raw, bool final) {
    ParsedOutput out;
    const auto finish = [&](std::string_view reasoning, std::string_view content) {
        out.reasoning = final ? trim(reasoning) : ltrim(reasoning);
        out.content = final ? trim(content) : ltrim(content);
        return out;
    };
    if (style == OutputStyle::think) {
        const auto close = raw.find("</think>");
        if (raw.starts_with("<think>")) {
            if (close == std::string_view::npos) return finish(raw.substr(7), "");
            return finish(raw.substr(7, close - 7), raw.substr(close + 8));
        }
        if (close != std::string_view::npos) return finish(raw.substr(0, close), raw.substr(close + 8));  // prefilled <think>
    }
    // While streaming, the start of a channel header is not content yet.
    if (style == OutputStyle::harmony && !final && (kHarmonyAnalysis.starts_with(raw) || kHarmonyFinalChannel.starts_with(raw))) return out;
    if (style == OutputStyle::harmony && raw.starts_with(kHarmonyAnalysis)) {
        const auto body = raw.substr(kHarmonyAnalysis.size());
        const auto end = body.find("<|end|>");
        const auto reasoning = body.substr(0, end);
        const auto final_at = body.find(kHarmonyFinalChannel);
        const auto content = final_at == std::string_view::npos ? std::string_view() : body.substr(final_at + kHarmonyFinalChannel.size());
        return finish(reasoning, content);
    }
    if (style == OutputStyle::harmony && raw.starts_with(kHarmonyFinalChannel)) return finish("", raw.substr(kHarmonyFinalChannel.size()));
    out.content = std::string(raw);
    return out;
}

}  // namespace tunecap::fake_llama_server
