// SPDX-License-Identifier: GPL-3.0-or-later
// make-corpus: writes tunecap's test corpus (README.md beside this file). For each track of the
// fixed table, NAME.mid, NAME.wav rendered by fluidsynth, and NAME.truth.json; with --tones, also
// calibrated sine tones with their loudness. Exit 0 when everything was made, 1 when some file could
// not be (each failure is one line on stderr, the rest are still made), 2 on a bad command line.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"
#include "render.hpp"
#include "tone.hpp"

namespace tunecap::make_corpus {
namespace {

namespace fs = std::filesystem;

// Each calibrated tone lasts this long: well past the 3 s short-term window and the 400 ms gating
// blocks, so every meter settles on the same integrated value.
constexpr double kToneSeconds = 20.0;

struct Options {
    fs::path out_dir;
    std::size_t count = corpus_table().size();
    double seconds = 30.0;
    fs::path soundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";  // Debian's fluid-soundfont-gm
    fs::path fluidsynth = "fluidsynth";
    bool tones = false;
    // A 30 s track renders in a few seconds; two minutes means fluidsynth is stuck.
    std::chrono::seconds render_deadline{120};
    bool help = false;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

double to_number(std::string_view flag, const std::string& value) {
    std::size_t used = 0;
    double number = 0;
    try {
        number = std::stod(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != value.size()) throw UsageError(fmt::format("{} wants a number, not '{}'", flag, value));
    return number;
}

struct Flag {
    std::string_view name;
    std::string_view value_name;  // empty: the flag takes no value
    std::string_view help;
    std::function<void(Options&, const std::string&)> apply;
};

const std::vector<Flag>& flags() {
    static const std::vector<Flag> kFlags{
        {"--count", "N", "make the first N tracks of the table (default: all 24; 0 with --tones makes only tones)",
         [](Options& o, const std::string& v) {
             const double n = to_number("--count", v);
             if (n < 0 || n > static_cast<double>(corpus_table().size()) || n != static_cast<std::size_t>(n)) {
                 throw UsageError(fmt::format("--count must be a whole number from 0 to {}", corpus_table().size()));
             }
             o.count = static_cast<std::size_t>(n);
         }},
        {"--seconds", "S", "length of each track in seconds (default 30)",
         [](Options& o, const std::string& v) {
             o.seconds = to_number("--seconds", v);
             if (!(o.seconds >= 1 && o.seconds <= 600)) throw UsageError("--seconds must be from 1 to 600");
         }},
        {"--soundfont", "PATH", "General MIDI soundfont (default /usr/share/sounds/sf2/FluidR3_GM.sf2)",
         [](Options& o, const std::string& v) { o.soundfont = v; }},
        {"--fluidsynth", "PATH", "the fluidsynth program (default: fluidsynth on PATH)",
         [](Options& o, const std::string& v) { o.fluidsynth = v; }},
        {"--render-timeout", "S", "kill a fluidsynth run after S seconds (default 120)",
         [](Options& o, const std::string& v) {
             const double s = to_number("--render-timeout", v);
             if (!(s >= 1 && s <= 3600)) throw UsageError("--render-timeout must be from 1 to 3600");
             o.render_deadline = std::chrono::seconds(static_cast<long>(s));
         }},
        {"--tones", "", "also write the calibrated 997 Hz tones (20 s, 48 kHz float, stereo and mono)",
         [](Options& o, const std::string&) { o.tones = true; }},
        {"--help", "", "print this help", [](Options& o, const std::string&) { o.help = true; }},
    };
    return kFlags;
}

std::string usage() {
    std::string text = "usage: make-corpus OUT_DIR [options]\n\n"
                       "Writes NAME.mid, NAME.wav and NAME.truth.json for each track of tunecap's test corpus.\n\n";
    for (const Flag& flag : flags()) {
        const std::string left = flag.value_name.empty() ? std::string(flag.name)
                                                         : fmt::format("{} {}", flag.name, flag.value_name);
        text += fmt::format("  {:<20} {}\n", left, flag.help);
    }
    return text;
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!arg.starts_with("--")) {
            if (!options.out_dir.empty()) throw UsageError(fmt::format("one OUT_DIR only, not also '{}'", arg));
            options.out_dir = arg;
            continue;
        }
        const std::string name = arg.substr(0, arg.find('='));
        const auto flag = std::find_if(flags().begin(), flags().end(), [&](const Flag& f) { return f.name == name; });
        if (flag == flags().end()) throw UsageError(fmt::format("unknown option {}", name));
        std::string value;
        if (arg.size() > name.size()) {
            value = arg.substr(name.size() + 1);
        } else if (!flag->value_name.empty()) {
            if (i + 1 >= argc) throw UsageError(fmt::format("{} wants a value", name));
            value = argv[++i];
        }
        flag->apply(options, value);
    }
    if (!options.help && options.out_dir.empty()) throw UsageError("OUT_DIR is missing");
    return options;
}

void write_file(const fs::path& path, const void* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

void write_file(const fs::path& path, const Bytes& bytes) { write_file(path, bytes.data(), bytes.size()); }

void write_json(const fs::path& path, const nlohmann::json& json) {
    const std::string text = json.dump(2) + "\n";
    write_file(path, text.data(), text.size());
}

int run(const Options& options) {
    if (options.count > 0 && !fs::is_regular_file(options.soundfont)) {
        // fluidsynth itself would render silence and exit 0.
        throw std::runtime_error(fmt::format("no soundfont at {} (Debian: fluid-soundfont-gm)", options.soundfont.string()));
    }
    fs::create_directories(options.out_dir);
    int failures = 0;
    const auto tracks = corpus_table().first(options.count);
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        const std::string name = track_name(i, tracks[i]);
        const fs::path base = options.out_dir / name;
        try {
            const auto started = std::chrono::steady_clock::now();
            fs::path midi = base;
            midi += ".mid";
            write_file(midi, compose_midi(tracks[i], options.seconds));
            fs::path wav = base, log = base, truth = base;
            wav += ".wav";
            log += ".fluidsynth.log";
            truth += ".truth.json";
            fs::remove(truth);  // a failed render must not leave an earlier run's truth behind
            const auto error = render({.fluidsynth = options.fluidsynth,
                                       .soundfont = options.soundfont,
                                       .midi = midi,
                                       .wav = wav,
                                       .log = log,
                                       .seconds = options.seconds,
                                       .deadline = options.render_deadline});
            if (error) {
                fs::remove(wav);  // no audio without its truth
                std::fprintf(stderr, "make-corpus: %s\n", error->c_str());
                ++failures;
                continue;
            }
            write_json(truth, truth_json(tracks[i], options.seconds));
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
            std::printf("%s (%.1f s)\n", name.c_str(), took.count());
        } catch (const std::exception& error) {
            std::fprintf(stderr, "make-corpus: %s: %s\n", name.c_str(), error.what());
            ++failures;
        }
    }
    if (options.tones) {
        for (const ToneSpec& tone : tone_table()) {
            const std::string name = tone_name(tone);
            try {
                write_file(options.out_dir / (name + ".wav"), tone_wav(tone, kToneSeconds));
                write_json(options.out_dir / (name + ".truth.json"), tone_truth_json(tone, kToneSeconds));
                std::printf("%s\n", name.c_str());
            } catch (const std::exception& error) {
                std::fprintf(stderr, "make-corpus: %s: %s\n", name.c_str(), error.what());
                ++failures;
            }
        }
    }
    return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tunecap::make_corpus

int main(int argc, char** argv) {
    using namespace tunecap::make_corpus;
    Options options;
    try {
        options = parse(argc, argv);
    } catch (const UsageError& error) {
        std::fprintf(stderr, "make-corpus: %s\n%s", error.what(), usage().c_str());
        return 2;
    }
    if (options.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    try {
        return run(options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "make-corpus: %s\n", error.what());
        return 1;
    }
}
