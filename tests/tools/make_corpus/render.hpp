// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Renders a MIDI file to WAV with the fluidsynth program, started without a shell.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace tunecap::make_corpus {

struct RenderRequest {
    std::filesystem::path fluidsynth;  // the program; a bare name is looked up on PATH
    std::filesystem::path soundfont;
    std::filesystem::path midi;
    std::filesystem::path wav;
    std::filesystem::path log;  // fluidsynth's stdout and stderr; kept only when it fails
    int sample_rate = 44100;
    double seconds = 30.0;  // the MIDI file's length
    std::chrono::seconds deadline{120};
};

// Runs `fluidsynth -n -i -q -F WAV -T wav -O s16 -r RATE -g GAIN SOUNDFONT MIDI` (fluidsynth 2.x reads its
// options before the files; -F renders faster than real time with no audio device), then cuts the
// WAV to `seconds`: fluidsynth renders on past the MIDI file's end until every voice has died away,
// seconds of release and reverb tail that would make the file longer than its truth says. Returns
// nothing when the WAV was written, else one line naming the MIDI file and why (a non-zero exit,
// an "error:" line in fluidsynth's output, which it exits 0 after, or silent audio). A run past the
// deadline is killed and counts as a failure.
std::optional<std::string> render(const RenderRequest& request);

}  // namespace tunecap::make_corpus
