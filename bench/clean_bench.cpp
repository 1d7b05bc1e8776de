// SPDX-License-Identifier: GPL-3.0-or-later
// bench_clean [SAMPLES_JSONL] [--check]: cleans 100,000 typical raw outputs on one thread and
// prints the time, captions per second and the ratio to a plain copy + whitespace collapse over the
// same inputs (measured in the same run, so the figure reads the same on any machine). Issue 3's
// target is under 2 s for 100,000 captions; --check exits 1 when it is missed. Build in Release.
//
// Inputs: the raw outputs of tests/data/samples/raw-outputs.jsonl and synthetic captions (plain,
// or wrapped the way the models wrap them: think blocks, Harmony channels, "Here is...", labels,
// quotes, markdown fields, notes, noise lines, typographic punctuation, prompt echoes), drawn with
// a fixed seed.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "clean/clean.hpp"

namespace {

using tunecap::clean::Family;

constexpr int kCaptions = 100'000;
constexpr double kTargetSeconds = 2.0;

struct Input {
    Family family;
    std::string raw;
};

std::vector<Input> load_samples(const std::string& path) {
    std::vector<Input> samples;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_discarded()) continue;
        const auto family = tunecap::clean::parse_family(json.value("family", ""));
        if (family) samples.push_back({*family, json.value("raw", "")});
    }
    return samples;
}

class Generator {
public:
    explicit Generator(std::vector<Input> samples) : m_samples(std::move(samples)) {}

    Input next() {
        const auto kind = pick(14);
        if (kind == 0 && !m_samples.empty()) return m_samples[pick(m_samples.size())];
        const std::string caption = sentences(1 + pick(3));
        switch (kind) {
            case 1:
                return {Family::qwen3, "<think>\nOkay, the user wants a " + word(kMoods) +
                                           " caption. I should mention the " + word(kParts) +
                                           ".\n</think>\n\n" + caption};
            case 2: return {Family::qwen3, "<think>\n\n</think>\n\n" + caption};
            case 3:
                return {Family::harmony,
                        "<|channel|>analysis<|message|>We need to produce a revised caption. Keep it "
                        "concise.<|end|><|start|>assistant<|channel|>final<|message|>" +
                            caption + "<|return|>"};
            case 4: return {Family::granite, "Sure! Here is the revised caption:\n\n\"" + caption + "\""};
            case 5: return {Family::qwen3, "Caption: " + caption};
            case 6:
                return {Family::harmony,
                        caption + " (Note: I kept the caption under 40 words as requested.)"};
            case 7:
                return {Family::music_flamingo, "**Genre:** " + word(kGenres) + "\n**Tempo:** around " +
                                                    std::to_string(80 + pick(100)) + " BPM\n\n- " +
                                                    word(kParts) + "\n- " + word(kParts) + "\n\n" +
                                                    caption};
            case 8: return {Family::granite, caption + "\n. . . . . .\n???\n......"};
            case 9:
                return {Family::music_flamingo, "This track \xE2\x80\x94 a \xE2\x80\x9C" + word(kGenres) +
                                                    "\xE2\x80\x9D cut \xE2\x80\x94 " + caption +
                                                    " \xF0\x9F\x8E\xB6"};
            case 10:
                return {Family::qwen2_5_omni,
                        "system\nYou are a helpful assistant.\nuser\nDescribe the music.\nassistant\n" +
                            caption};
            case 11: return {Family::qwen2_5_omni, "```\n" + caption + "\n```"};
            default: return {Family::chatml, caption};
        }
    }

private:
    static constexpr std::string_view kAdjectives[] = {
        "hypnotic", "warm", "dark", "driving", "melancholic", "euphoric", "gritty", "dreamy",
        "relentless", "laid-back", "cinematic", "minimal"};
    static constexpr std::string_view kGenres[] = {
        "Goa trance", "deep house", "drum and bass", "lo-fi hip hop", "ambient", "indie folk",
        "psytrance", "techno", "downtempo", "orchestral", "synth-pop", "funk"};
    static constexpr std::string_view kParts[] = {
        "rolling bassline", "squelchy acid leads", "shimmering pads", "fingerpicked guitar",
        "a four-on-the-floor kick", "airy female vocals", "jazzy Rhodes chords", "soaring strings",
        "crisp hi-hats", "a sub bass", "vinyl crackle", "a heroic brass theme"};
    static constexpr std::string_view kMoods[] = {"brief", "technical", "mood", "descriptive"};

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_random); }
    template <std::size_t N>
    std::string word(const std::string_view (&words)[N]) {
        return std::string(words[pick(N)]);
    }

    std::string sentences(std::size_t count) {
        std::string out;
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) out += ' ';
            if (i == 0) {
                out += "A " + word(kAdjectives) + ' ' + word(kGenres) + " track with " + word(kParts) +
                       ", " + word(kParts) + " and " + word(kParts);
                if (pick(2) == 0) out += " at " + std::to_string(80 + pick(100)) + " BPM";
                out += '.';
            } else {
                out += "It feels " + word(kAdjectives) + " and " + word(kAdjectives) + ", with " +
                       word(kParts) + '.';
            }
        }
        return out;
    }

    std::vector<Input> m_samples;
    std::mt19937 m_random{20260301};
};

// The yardstick: a copy that collapses whitespace, the least any caption cleaner must do.
std::string copy_collapsing_whitespace(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    bool space = false;
    for (char c : raw) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::string samples_path = std::string(TUNECAP_TEST_DATA) + "/samples/raw-outputs.jsonl";
    bool check = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--check") {
            check = true;
        } else {
            samples_path = arg;
        }
    }
    Generator generator(load_samples(samples_path));
    std::vector<Input> inputs;
    inputs.reserve(kCaptions);
    std::size_t bytes = 0;
    for (int i = 0; i < kCaptions; ++i) {
        inputs.push_back(generator.next());
        bytes += inputs.back().raw.size();
    }

    // Both loops keep a checksum of their output so that neither can be optimised away.
    std::size_t baseline_checksum = 0;
    const auto baseline_start = std::chrono::steady_clock::now();
    for (const Input& input : inputs) baseline_checksum += copy_collapsing_whitespace(input.raw).size();
    const double baseline = seconds_since(baseline_start);

    std::size_t clean_checksum = 0;
    int usable = 0;
    const auto clean_start = std::chrono::steady_clock::now();
    for (const Input& input : inputs) {
        const auto result = tunecap::clean::clean_caption(input.raw, {input.family, std::nullopt, nullptr});
        clean_checksum += result.caption.size();
        usable += result.usable();
    }
    const double cleaning = seconds_since(clean_start);

    std::printf("bench_clean: %d raw outputs, %.0f bytes on average (%zu from the samples file)\n",
                kCaptions, static_cast<double>(bytes) / kCaptions, load_samples(samples_path).size());
    std::printf("clean_caption: %.3f s, %.0f captions/s, %d usable (checksum %zu)\n", cleaning,
                kCaptions / cleaning, usable, clean_checksum);
    std::printf("baseline copy + whitespace collapse: %.4f s (checksum %zu)\n", baseline,
                baseline_checksum);
    std::printf("cleaning costs %.0fx a plain copy\n", cleaning / baseline);
    const bool met = cleaning < kTargetSeconds;
    std::printf("target: under %.1f s for %d captions on one core: %s\n", kTargetSeconds, kCaptions,
                met ? "met" : "MISSED");
    return check && !met ? 1 : 0;
}
