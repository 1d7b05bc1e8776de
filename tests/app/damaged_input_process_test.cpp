// SPDX-License-Identifier: GPL-3.0-or-later
// Inputs that are not what they seem, through the built tunecap and the fake llama-server: a file
// name that is not UTF-8 (every JSON output still appears and names it exactly), and a FLAC cut in
// half (captioned as what was read, with a warning and every step flagged truncated_audio).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "run_binary.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

// The README's recipe, in C++: the exact bytes of the file an object with "<key>" names.
std::string name_bytes(const json& object, const std::string& key = "file") {
    if (!object.contains(key + "_hex")) return object.at(key).get<std::string>();
    const auto hex = object.at(key + "_hex").get<std::string>();
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return bytes;
}

std::vector<json> json_lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) out.push_back(json::parse(line));  // throws on invalid UTF-8
    }
    return out;
}

std::vector<json> track_files(const fs::path& out) {
    std::vector<json> tracks;
    if (!fs::exists(out / "tracks")) return tracks;
    for (const auto& entry : fs::directory_iterator(out / "tracks")) tracks.push_back(json::parse(read_text(entry.path())));
    return tracks;
}

const json& track_named(const std::vector<json>& tracks, const fs::path& file) {
    for (const auto& t : tracks) {
        if (name_bytes(t) == file.native()) return t;
    }
    throw std::runtime_error("no track JSON for " + file.string());
}

// Every step's flags, as "phase/model/prompt" -> flags, for the steps that have a result.
std::map<std::string, std::vector<std::string>> step_flags(const json& track) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [phase, p] : track["phases"].items()) {
        for (const auto& [model, m] : p["models"].items()) {
            for (const auto& [prompt, s] : m["prompts"].items()) {
                if (s.contains("flags")) out[phase + "/" + model + "/" + prompt] = s["flags"].get<std::vector<std::string>>();
            }
        }
    }
    return out;
}

class DamagedInput : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(m_music);
        const std::string text = m_models.model.string();
        std::ofstream(m_config) << "runtime:\n  server_env: [FAKE_LLAMA_*]\n"
                                << "models:\n"
                                << "  music_flamingo: {gguf: " << text << ", mmproj: " << m_models.projector.string() << "}\n"
                                << "  qwen3_14b: {gguf: " << text << "}\n"
                                << "phases:\n"
                                << "  - {id: flamingo, kind: audio_caption, models: [music_flamingo], prompts: [brief]}\n"
                                << "  - {id: revision, kind: revise, models: [qwen3_14b], prompts: [brief], inputs: [flamingo]}\n"
                                << "  - {id: facts, kind: template, prompts: [facts]}\n";
    }

    Outcome run() {
        return run_tunecap({"run", m_music.string(), "--config", m_config.string(), "--out", m_out.string()}, m_temp.path(),
                           {"TUNECAP_LLAMA_SERVER=" + std::string(FAKE_LLAMA_SERVER), "FAKE_LLAMA_IDLE_EXIT_S=60"});
    }

    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
    fs::path m_config = m_temp / "config.yaml";
    TinyModelFiles m_models = write_tiny_models(m_temp / "models");
};

void make_tone(const fs::path& file, double seconds) {
    run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=330:duration=" + std::to_string(seconds) + " -ac 1 -ar 44100 " +
             shell_quote(file.string()));
}

TEST_F(DamagedInput, AFileNameThatIsNotUtf8KeepsEveryJsonOutputAndIsRecoverableExactly) {
    const auto bad = m_music / "bad\xff name.flac";
    const auto good = m_music / "caf\xc3\xa9.flac";
    make_tone(bad, 2);
    make_tone(good, 2);

    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;

    // Both track files, strict UTF-8 JSON, each naming its file exactly, every step done.
    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 2u) << outcome.err;
    for (const auto& file : {bad, good}) {
        const auto& track = track_named(tracks, file);
        EXPECT_EQ(track["phases"]["flamingo"]["status"], "done") << file;
        EXPECT_EQ(track["phases"]["revision"]["status"], "done") << file;
    }
    EXPECT_EQ(track_named(tracks, bad)["file"], (m_music / "bad\xEF\xBF\xBD name.flac").string());
    EXPECT_FALSE(track_named(tracks, good).contains("file_hex")) << "a UTF-8 name is written as it is";

    const auto results = json::parse(read_text(m_out / "results.json"));
    EXPECT_EQ(results["counts"]["succeeded"], 2);
    std::set<std::string> listed;
    for (const auto& track : results["tracks"]) {
        listed.insert(name_bytes(track));
        EXPECT_TRUE(fs::is_regular_file(name_bytes(track, "json"))) << track;
    }
    EXPECT_EQ(listed, (std::set<std::string>{bad.native(), good.native()}));

    // The report's audio link points at the file: its raw bytes, percent-encoded.
    EXPECT_THAT(read_text(m_out / "report.html"), HasSubstr("bad%FF%20name.flac"));

    // Exports: JSONL names it exactly; AudioFolder cannot, so that row is one error line.
    const auto jsonl = m_temp / "captions.jsonl";
    auto exported = run_tunecap({"export", m_out.string(), "--phase", "flamingo", "--format", "jsonl", "--out", jsonl.string()},
                                m_temp.path());
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    std::set<std::string> rows;
    for (const auto& row : json_lines(read_text(jsonl))) rows.insert(name_bytes(row));
    EXPECT_EQ(rows, (std::set<std::string>{bad.native(), good.native()}));

    exported = run_tunecap({"export", m_out.string(), "--phase", "flamingo", "--format", "audiofolder"}, m_temp.path());
    EXPECT_EQ(exported.exit_code, 1) << exported.err;
    const auto errors = error_lines(exported.err);
    ASSERT_EQ(errors.size(), 1u) << exported.err;
    // The terminal sees the bad byte escaped, as every message shows it.
    EXPECT_THAT(errors[0], HasSubstr((m_music / "bad\\xff name.flac").string() + ": the file name is not valid UTF-8"));
    const auto metadata = json_lines(read_text(m_music / "metadata.jsonl"));
    ASSERT_EQ(metadata.size(), 1u);
    EXPECT_EQ(metadata[0]["file_name"], "caf\xc3\xa9.flac");

    // tunecap analyze --json: one parseable line per file.
    const auto analyzed = run_tunecap({"analyze", m_music.string(), "--json"}, m_temp.path());
    EXPECT_EQ(analyzed.exit_code, 0) << analyzed.err;
    std::set<std::string> measured;
    for (const auto& line : json_lines(analyzed.out)) measured.insert(name_bytes(line));
    EXPECT_EQ(measured, (std::set<std::string>{bad.native(), good.native()}));
}

TEST_F(DamagedInput, AFileThatStopsShortOnlyPastTheAudioTheModelsHearIsNotFlagged) {
    // Cut at about 9.4 s of 20, with the models hearing only the first 5 s: their captions are of
    // whole audio. The warning and the facts still say where the file stops.
    auto config = read_text(m_config);
    config.replace(config.find("runtime:\n"), 9, "runtime:\n  max_audio_seconds: 5\n");
    std::ofstream(m_config) << config;
    const auto cut = m_music / "cut.flac";
    make_tone(cut, 20);
    run_tool("truncate -s " + std::to_string(fs::file_size(cut) / 2) + " " + shell_quote(cut.string()));

    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, ::testing::ContainsRegex(cut.string() + ": the audio stops at [0-9.]+ s of 20.0 s declared \\(truncated or "
                                                                     "damaged file\\); past the 5 s the models hear"));
    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 1u) << outcome.err;
    const auto& track = tracks.front();
    EXPECT_FALSE(track["audio"].contains("truncated")) << track["audio"];
    ASSERT_TRUE(track["facts"].contains("truncated")) << track["facts"];
    EXPECT_NEAR(track["facts"]["truncated"]["declared_seconds"].get<double>(), 20.0, 0.05);
    const auto flags = step_flags(track);
    EXPECT_EQ(flags.size(), 3u);
    for (const auto& [step, step_flags] : flags) EXPECT_THAT(step_flags, Not(Contains("truncated_audio"))) << step;
}

TEST_F(DamagedInput, AFlacCutInHalfIsCaptionedWithAWarningAndEveryStepFlagged) {
    const auto whole = m_music / "whole.flac";
    const auto cut = m_music / "cut.flac";
    make_tone(whole, 20);
    fs::copy_file(whole, cut);
    run_tool("truncate -s " + std::to_string(fs::file_size(cut) / 2) + " " + shell_quote(cut.string()));

    const auto outcome = run();
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, ::testing::ContainsRegex(
                                 cut.string() + ": the audio stops at [0-9.]+ s of 20.0 s declared \\(truncated or damaged "
                                                "file\\); captioned what was read"));
    EXPECT_THAT(outcome.err, Not(HasSubstr("whole.flac: the audio stops")));

    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 2u) << outcome.err;
    const auto& cut_track = track_named(tracks, cut);
    ASSERT_TRUE(cut_track["audio"].contains("truncated")) << cut_track["audio"];
    const auto& truncated = cut_track["audio"]["truncated"];
    EXPECT_NEAR(truncated["declared_seconds"].get<double>(), 20.0, 0.05);
    EXPECT_GT(truncated["decoded_seconds"].get<double>(), 7.0);
    EXPECT_LT(truncated["decoded_seconds"].get<double>(), 11.0);
    EXPECT_NEAR(cut_track["audio"]["duration_seconds"].get<double>(), truncated["decoded_seconds"].get<double>(), 0.01);
    const auto cut_flags = step_flags(cut_track);
    EXPECT_EQ(cut_flags.size(), 3u) << "flamingo, revision and facts each have a result";
    for (const auto& [step, flags] : cut_flags) EXPECT_THAT(flags, Contains("truncated_audio")) << step;

    const auto& whole_track = track_named(tracks, whole);
    EXPECT_FALSE(whole_track["audio"].contains("truncated"));
    EXPECT_NEAR(whole_track["audio"]["duration_seconds"].get<double>(), 20.0, 0.05);
    const auto whole_flags = step_flags(whole_track);
    EXPECT_EQ(whole_flags.size(), 3u);
    for (const auto& [step, flags] : whole_flags) EXPECT_THAT(flags, Not(Contains("truncated_audio"))) << step;

    // A caption of part of a track stays out of a training set unless asked for.
    const auto jsonl = m_temp / "captions.jsonl";
    const auto exported = run_tunecap(
        {"export", m_out.string(), "--phase", "flamingo", "--format", "jsonl", "--out", jsonl.string()}, m_temp.path());
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_THAT(exported.err, HasSubstr("skipped 1 flagged"));
    const auto rows = json_lines(read_text(jsonl));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["file"], whole.string());

    // tunecap analyze shows it too.
    const auto analyzed = run_tunecap({"analyze", cut.string(), "--json"}, m_temp.path());
    EXPECT_EQ(analyzed.exit_code, 0) << analyzed.err;
    EXPECT_THAT(analyzed.err, HasSubstr(cut.string() + ": the audio stops at "));
    const auto lines = json_lines(analyzed.out);
    ASSERT_EQ(lines.size(), 1u);
    ASSERT_TRUE(lines[0].contains("truncated")) << lines[0];
    EXPECT_NEAR(lines[0]["truncated"]["declared_seconds"].get<double>(), 20.0, 0.05);
}

}  // namespace
}  // namespace tunecap::testing
