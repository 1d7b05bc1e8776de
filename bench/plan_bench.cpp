// SPDX-License-Identifier: GPL-3.0-or-later
// bench_plan [TRACKS]: the genre resolution `tunecap plan` and `tunecap run` do before the first
// model load, on a library made in a temp folder (default 2,000 tracks per layout; the files are
// empty, as genres come from the .INFO before any tag is read):
//   flat/       TRACKS audio files and one folder-wide album.INFO of 10 MB (features beside genres);
//   layout/     the prototype's layout: TRACKS / 5 folders "Artist - Track N/" holding full_mix.flac
//               and four stems, each with "Artist - Track N.INFO" beside it;
//   huge/       one track whose own .INFO lists 100,000 genres.
// Prints the time per track and in all with one InfoIndex for the run (as tunecap does), and the
// same per track with an index per track (each folder listed and each .INFO parsed for every
// track, as before the index) on a few tracks, extrapolated. Target: 2,000 tracks well under 1 s.
// Build in Release:
//
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/release --target bench_plan
//   build/release/bench/bench_plan

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tags/genres.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kInfoBytes = 10u << 20;   // the folder-wide .INFO that took 7.5 s per track
constexpr int kHugeGenres = 100000;              // the .INFO whose de-duplication never finished
constexpr std::size_t kUncachedSample = 5;       // tracks timed with an index each
constexpr const char* kStems[] = {"full_mix.flac", "drums.mp3", "bass.mp3", "other.mp3", "vocals.mp3"};

void write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// {"genres": [...], "features": [0.123456, ...]} of about `bytes` bytes.
std::string big_info(std::size_t bytes) {
    std::string text = R"({"genres": ["Dub", "Techno"], "musicbrainz_genres": ["electronic"], "bpm": 124, "features": [)";
    text.reserve(bytes + 64);
    for (int i = 0; text.size() < bytes; ++i) text += fmt::format("{}{:.6f}", i == 0 ? "" : ", ", (i % 1000) / 1000.0);
    return text + "]}";
}

std::string huge_genres_info() {
    std::string text = R"({"genres": [)";
    for (int i = 0; i < kHugeGenres; ++i) text += fmt::format("{}\"Genre {}\"", i == 0 ? "" : ", ", i);
    return text + "]}";
}

std::vector<fs::path> make_flat(const fs::path& root, int tracks) {
    fs::create_directories(root);
    std::vector<fs::path> files;
    for (int i = 0; i < tracks; ++i) {
        files.push_back(root / fmt::format("track {:05}.flac", i));
        write(files.back(), "");
    }
    write(root / "album.INFO", big_info(kInfoBytes));
    return files;
}

std::vector<fs::path> make_layout(const fs::path& root, int tracks) {
    std::vector<fs::path> files;
    for (int i = 0; i * 5 < tracks; ++i) {
        const std::string name = fmt::format("Artist - Track {:05}", i);
        fs::create_directories(root / name);
        for (const char* stem : kStems) {
            files.push_back(root / name / stem);
            write(files.back(), "");
        }
        write(root / (name + ".INFO"), fmt::format(R"({{"genres": ["Genre {}"], "bpm": 120}})", i % 50));
    }
    return files;
}

struct Timing {
    double seconds = 0;
    std::size_t from_info = 0;  // tracks whose genres came from a .INFO, as they all should
    std::size_t warnings = 0;
};

Timing resolve_all(const std::vector<fs::path>& files, tunecap::tags::InfoIndex& index) {
    Timing timing;
    const auto start = Clock::now();
    for (const auto& file : files) {
        const auto result = tunecap::tags::resolve_genres(file, {}, index);
        timing.from_info += result.genres.source == tunecap::tags::GenreSource::info;
        timing.warnings += result.warnings.size();
    }
    timing.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return timing;
}

// A fresh index per track: what every track cost before the index.
double uncached_per_track(const std::vector<fs::path>& files) {
    const std::size_t sample = std::min(kUncachedSample, files.size());
    const auto start = Clock::now();
    for (std::size_t i = 0; i < sample; ++i) {
        tunecap::tags::InfoIndex own;
        (void)tunecap::tags::resolve_genres(files[i], {}, own);
    }
    return std::chrono::duration<double>(Clock::now() - start).count() / static_cast<double>(sample);
}

void report(const char* name, const std::vector<fs::path>& files, const Timing& shared, double uncached) {
    const double per_track = shared.seconds / static_cast<double>(files.size());
    std::printf("%-7s %6zu tracks  %9.3f s in all  %9.1f us/track  (%zu from .INFO, %zu warnings)\n", name, files.size(),
                shared.seconds, per_track * 1e6, shared.from_info, shared.warnings);
    std::printf("        an index per track: %9.1f us/track, %.1f s for all: %.0fx slower\n", uncached * 1e6,
                uncached * static_cast<double>(files.size()), uncached / per_track);
}

}  // namespace

int main(int argc, char** argv) {
    const int tracks = argc > 1 ? std::atoi(argv[1]) : 2000;
    if (tracks <= 0) {
        std::fprintf(stderr, "usage: bench_plan [TRACKS per layout, default 2000]\n");
        return 2;
    }
    const tunecap::testing::TempDir dir;
    const auto flat = make_flat(dir / "flat", tracks);
    const auto layout = make_layout(dir / "layout", tracks);
    fs::create_directories(dir / "huge");
    const std::vector<fs::path> huge = {dir / "huge" / "huge.flac"};
    write(huge.front(), "");
    write(dir / "huge" / "huge.INFO", huge_genres_info());

    tunecap::tags::InfoIndex index;  // one for the run, as tunecap plan and run use it
    const Timing flat_time = resolve_all(flat, index);
    const Timing layout_time = resolve_all(layout, index);
    const Timing huge_time = resolve_all(huge, index);
    report("flat", flat, flat_time, uncached_per_track(flat));
    report("layout", layout, layout_time, uncached_per_track(layout));
    report("huge", huge, huge_time, uncached_per_track(huge));
    const double total = flat_time.seconds + layout_time.seconds + huge_time.seconds;
    const std::size_t count = flat.size() + layout.size() + huge.size();
    std::printf("all     %6zu tracks  %9.3f s in all  %9.1f us/track\n", count, total, total / static_cast<double>(count) * 1e6);
    return flat_time.from_info == flat.size() && layout_time.from_info == layout.size() && huge_time.from_info == 1 ? 0 : 1;
}
