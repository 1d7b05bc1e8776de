// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap export` as a user runs it, on a store built by hand and audio files on disk: each format
// read back by an independent reader (JSON per line, Python's csv module, the file system), the
// .INFO side-cars updated, and the counts of the closing line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audio/audio.hpp"
#include "report/facts_json.hpp"
#include "run_binary.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::app {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using nlohmann::json;
using nlohmann::ordered_json;
using testing::Outcome;
using testing::read_text;
using testing::shell_quote;
using testing::TempDir;

constexpr const char* kOneCaption = "A warm, \"dusty\" groove with a\nsecond line.";

// A run's --out folder and the music it captioned, under one temp folder that is also where the
// run started: track "one" is stored with a path relative to it, the others with absolute paths.
class ExportTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = open_store();
        put_track(*store, "one", "music/Artist - Album - One/full_mix.wav", {"Dub", "Techno"});
        put_track(*store, "two", (m_temp / "music/two/song.wav").string(), {"Synthwave"});
        put_track(*store, "three", (m_temp / "music/three/drone.wav").string(), {"Ambient"});
        put_track(*store, "four", (m_temp / "music/four.wav").string(), {"Unknown"});
        put_step(*store, "one", "brief", kOneCaption);
        put_step(*store, "one", "mood", "Calm.");
        put_step(*store, "one", "brief", "Other phase.", {}, "revision");
        put_step(*store, "two", "brief", "Bright synths.");
        put_step(*store, "two", "mood", "Fell back.", {"fallback_used"});
        put_step(*store, "three", "brief", "");  // failed: no caption
        put_step(*store, "three", "mood", "Dark drones.", {"reasoning_removed"});
        put_step(*store, "four", "brief", "", {"empty"}, "flamingo", store::StepOutcome::done);

        write_info(m_temp / "music/Artist - Album - One/Artist - Album - One.INFO",
                   R"({"artist": "Artist", "album": {"title": "Album", "year": 1999, "discs": [1, 2]}, "size": 18446744073709551615, "gain": -6.02})");
        write_info(m_temp / "music/two/song.INFO", "{\n  \"genres\": [\"Synthwave\"]\n}\n");
    }

    const fs::path& root() const { return m_temp.path(); }
    fs::path dir() const { return m_temp / "run"; }

    // tunecap export run ..., started in the temp folder, as the run was.
    Outcome run_export(const std::vector<std::string>& args) {
        std::string command = "cd " + shell_quote(root().string()) + " && " + testing::kRunDeadline + " env";
        for (const auto& assignment : testing::pinned_environment(root())) command += " " + shell_quote(assignment);
        command += " " + shell_quote(TUNECAP_BINARY) + " export run";
        for (const auto& arg : args) command += " " + shell_quote(arg);
        command += " >" + shell_quote((root() / "stdout.txt").string()) + " 2>" + shell_quote((root() / "stderr.txt").string()) +
                   " </dev/null";
        const int status = std::system(command.c_str());
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(root() / "stdout.txt"), read_text(root() / "stderr.txt")};
    }

    std::unique_ptr<store::Store> open_store() {
        auto opened = store::Store::open(m_temp / "run/tunecap.db");
        if (!opened) throw std::runtime_error(opened.error().message);
        return std::move(opened).take();
    }

    void put_track(store::Store& store, const std::string& id, const std::string& file, std::vector<std::string> genres) {
        const auto on_disk = fs::path(file).is_absolute() ? fs::path(file) : m_temp / file;
        fs::create_directories(on_disk.parent_path());
        const std::vector<float> silence(1600, 0.0f);
        ASSERT_TRUE(audio::write_wav_pcm16(on_disk, silence, 16000).ok());
        analysis::Facts facts;
        facts.tempo = analysis::Tempo{127.5, 0.9};
        facts.loudness = analysis::Loudness{-9.5, 6, -0.5};
        facts.key = analysis::Key{9, true, 0.8};
        const report::TrackInfo info{std::move(genres), "tags", facts};
        ASSERT_TRUE(store.put_track({id, file, "hash-" + id, report::track_info_json(info)}).ok());
    }

    void put_step(store::Store& store, const std::string& track, const std::string& prompt, const std::string& caption,
                  std::vector<std::string> flags = {}, const std::string& phase = "flamingo",
                  std::optional<store::StepOutcome> outcome = std::nullopt) {
        store::StepRow row;
        row.key = "key-" + std::to_string(++m_keys);
        row.track_id = track;
        row.phase = phase;
        row.model = "music_flamingo";
        row.prompt = prompt;
        row.outcome = outcome.value_or(caption.empty() ? store::StepOutcome::failed : store::StepOutcome::done);
        row.caption = caption;
        row.flags = std::move(flags);
        row.finished_at = "2025-06-01T12:00:00Z";
        ASSERT_TRUE(store.put_step(row).ok());
    }

    static void write_info(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

private:
    TempDir m_temp;
    int m_keys = 0;
};

std::vector<json> jsonl_objects(const std::string& text) {
    std::vector<json> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
}

// The records of a CSV file as Python's csv module reads them (strict: a malformed file fails).
std::vector<std::vector<std::string>> python_csv(const fs::path& csv, const fs::path& scratch) {
    const auto out = scratch / "csv.json";
    const std::string script =
        "import csv, json, sys\n"
        "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
        "    rows = list(csv.reader(f, strict=True))\n"
        "with open(sys.argv[2], 'w') as f:\n"
        "    json.dump(rows, f)\n";
    const auto command = shell_quote(TUNECAP_PYTHON3) + " -c " + shell_quote(script) + " " + shell_quote(csv.string()) + " " +
                         shell_quote(out.string());
    if (std::system(command.c_str()) != 0) throw std::runtime_error("python3 could not read " + csv.string());
    return json::parse(read_text(out)).get<std::vector<std::vector<std::string>>>();
}

TEST_F(ExportTest, JsonlHasOneObjectPerKeptRowAndTheSummaryCountsTheSkips) {
    const auto outcome = run_export({"--phase", "flamingo", "--format", "jsonl"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto file = dir() / "export/flamingo.jsonl";
    EXPECT_THAT(outcome.err, HasSubstr("wrote 4 rows to run/export/flamingo.jsonl; skipped 1 failed, 1 empty, 1 flagged "
                                       "(use --include-flagged to keep them)"));
    auto objects = jsonl_objects(read_text(file));
    ASSERT_THAT(objects, SizeIs(4));
    std::vector<std::string> seen;
    for (const auto& object : objects) seen.push_back(object["track_id"].get<std::string>() + "/" + object["prompt"].get<std::string>());
    EXPECT_THAT(seen, ElementsAre("one/brief", "one/mood", "three/mood", "two/brief"));
    EXPECT_EQ(objects[0]["caption"], kOneCaption);
    EXPECT_EQ(objects[0]["file"], (root() / "music/Artist - Album - One/full_mix.wav").string());
    EXPECT_EQ(objects[0]["genres"], json({"Dub", "Techno"}));
    EXPECT_EQ(objects[0]["facts"]["tempo"]["bpm"], 127.5);
    EXPECT_EQ(objects[0]["phase"], "flamingo");
    EXPECT_EQ(objects[0]["model"], "music_flamingo");
    EXPECT_EQ(objects[2]["flags"], json({"reasoning_removed"}));
}

TEST_F(ExportTest, CsvReadsBackWithPythonsCsvModule) {
    const auto outcome = run_export({"--phase", "flamingo", "--format", "csv", "--include-flagged", "--out", "flamingo.csv"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("wrote 5 rows to flamingo.csv; skipped 1 failed, 1 empty\n"));
    const auto records = python_csv(root() / "flamingo.csv", root());
    ASSERT_THAT(records, SizeIs(6));
    EXPECT_THAT(records[0], ElementsAre("file", "track_id", "caption", "phase", "model", "prompt", "genres", "bpm", "key",
                                        "loudness_lufs", "flags"));
    EXPECT_THAT(records[1], ElementsAre((root() / "music/Artist - Album - One/full_mix.wav").string(), "one", kOneCaption, "flamingo",
                                        "music_flamingo", "brief", "Dub; Techno", "127.5", "A minor", "-9.5", ""));
    EXPECT_THAT(records[5], ElementsAre((root() / "music/two/song.wav").string(), "two", "Fell back.", "flamingo", "music_flamingo",
                                        "mood", "Synthwave", "127.5", "A minor", "-9.5", "fallback_used"));
}

TEST_F(ExportTest, AudiofolderNeedsOneCaptionPerTrack) {
    const auto outcome = run_export({"--phase", "flamingo", "--format", "audiofolder"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("--format audiofolder: this format takes one caption per track, but track 'one' has 2; "
                                       "choose one with --prompt (prompts: brief, mood)"));
    EXPECT_FALSE(fs::exists(root() / "music/metadata.jsonl"));
}

TEST_F(ExportTest, AudiofolderFileNamesLeadToTheAudioFiles) {
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "mood", "--format", "audiofolder", "--include-flagged"});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto metadata = root() / "music/metadata.jsonl";
    EXPECT_THAT(outcome.err, HasSubstr("wrote 3 rows to " + metadata.string() + "\n"));
    EXPECT_THAT(outcome.err, HasSubstr("data_dir=\"" + (root() / "music").string() + "\""));
    auto objects = jsonl_objects(read_text(metadata));
    ASSERT_THAT(objects, SizeIs(3));
    EXPECT_EQ(objects[0]["file_name"], "Artist - Album - One/full_mix.wav");
    for (const auto& object : objects) {
        const auto audio = metadata.parent_path() / object["file_name"].get<std::string>();
        EXPECT_TRUE(fs::is_regular_file(audio)) << audio;
        EXPECT_FALSE(object["text"].get<std::string>().empty());
    }
    EXPECT_TRUE(fs::equivalent(metadata.parent_path() / objects[2]["file_name"].get<std::string>(), root() / "music/two/song.wav"));
    EXPECT_EQ(objects[2]["text"], "Fell back.");
    EXPECT_EQ(objects[2]["genres"], json({"Synthwave"}));
}

TEST_F(ExportTest, AudiofolderOutOnlyTakesFilesInsideItsFolder) {
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "mood", "--format", "audiofolder", "--include-flagged",
                                     "--out", "music/two/metadata.jsonl"});
    EXPECT_EQ(outcome.exit_code, 1);
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_THAT(errors, SizeIs(2)) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("full_mix.wav: not inside " + (root() / "music/two").string()));
    EXPECT_THAT(errors[1], HasSubstr("drone.wav: not inside"));
    EXPECT_THAT(outcome.err, HasSubstr("wrote 1 row to " + (root() / "music/two/metadata.jsonl").string()));
    auto objects = jsonl_objects(read_text(root() / "music/two/metadata.jsonl"));
    ASSERT_THAT(objects, SizeIs(1));
    EXPECT_EQ(objects[0]["file_name"], "song.wav");

    const auto renamed = run_export({"--phase", "flamingo", "--prompt", "mood", "--format", "audiofolder", "--out", "music/captions.jsonl"});
    EXPECT_EQ(renamed.exit_code, 2);
    EXPECT_THAT(renamed.err, HasSubstr("AudioFolder reads only a file named metadata.jsonl"));
}

TEST_F(ExportTest, InfoWritesEachCaptionIntoItsTracksSideCar) {
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "mood", "--format", "info", "--include-flagged"});
    EXPECT_EQ(outcome.exit_code, 1) << "track three has no side-car";
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_THAT(errors, SizeIs(1)) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("drone.wav: no .INFO side-car to write into"));
    EXPECT_THAT(outcome.err, HasSubstr("wrote 2 captions into .INFO side-cars under tunecap_flamingo_music_flamingo_mood "
                                       "(0 unchanged, 2 backed up to .bak); 1 not written"));

    const auto one = root() / "music/Artist - Album - One/Artist - Album - One.INFO";
    auto info = ordered_json::parse(read_text(one));
    EXPECT_EQ(info["tunecap_flamingo_music_flamingo_mood"], "Calm.");
    EXPECT_EQ(info["album"].dump(), R"({"title":"Album","year":1999,"discs":[1,2]})");
    EXPECT_THAT(read_text(one), HasSubstr("\"size\":18446744073709551615"));
    EXPECT_EQ(info["gain"].get<double>(), -6.02);
    EXPECT_THAT(read_text(fs::path(one.string() + ".bak")), HasSubstr(R"("artist": "Artist")"));
    EXPECT_EQ(ordered_json::parse(read_text(root() / "music/two/song.INFO"))["tunecap_flamingo_music_flamingo_mood"], "Fell back.");
    EXPECT_FALSE(fs::exists(root() / "music/three/drone.INFO")) << "no side-car is created";

    const auto again = run_export({"--phase", "flamingo", "--prompt", "mood", "--format", "info", "--include-flagged"});
    EXPECT_THAT(again.err, HasSubstr("wrote 0 captions into .INFO side-cars under tunecap_flamingo_music_flamingo_mood "
                                     "(2 unchanged, 0 backed up to .bak)"));
}

TEST_F(ExportTest, ASideCarThatIsNotAnObjectIsOneErrorAndTheOthersAreWritten) {
    std::ofstream(root() / "music/two/song.INFO", std::ios::trunc) << R"(["Synthwave"])";
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "brief", "--format", "info"});
    EXPECT_EQ(outcome.exit_code, 1);
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_THAT(errors, SizeIs(1)) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr((root() / "music/two/song.INFO").string() + ": the top level must be a JSON object (found array)"));
    EXPECT_EQ(read_text(root() / "music/two/song.INFO"), R"(["Synthwave"])");
    auto one = ordered_json::parse(read_text(root() / "music/Artist - Album - One/Artist - Album - One.INFO"));
    EXPECT_EQ(one["tunecap_flamingo_music_flamingo_brief"], kOneCaption);
}

// A folder's only .INFO is every track's side-car there (it gives them all their genres), but one
// key holds one caption: it is written for none of them.
TEST_F(ExportTest, ASideCarTwoTracksShareIsWrittenForNeither) {
    {
        auto store = open_store();
        put_track(*store, "five", (root() / "music/album/a.wav").string(), {"Jazz"});
        put_track(*store, "six", (root() / "music/album/b.wav").string(), {"Jazz"});
        put_step(*store, "five", "brief", "Swing.");
        put_step(*store, "six", "brief", "Ballad.");
    }
    const auto album = root() / "music/album/album.INFO";
    write_info(album, R"({"genres": "Jazz"})");
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "brief", "--format", "info"});
    EXPECT_EQ(outcome.exit_code, 1);
    const auto errors = testing::error_lines(outcome.err);
    ASSERT_THAT(errors, SizeIs(2)) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("a.wav: its side-car " + album.string() + " is also the side-car of " +
                                     (root() / "music/album/b.wav").string()));
    EXPECT_THAT(errors[1], HasSubstr("b.wav: its side-car " + album.string() + " is also the side-car of"));
    EXPECT_EQ(read_text(album), R"({"genres": "Jazz"})");
    EXPECT_FALSE(fs::exists(album.string() + ".bak"));
    EXPECT_THAT(outcome.err, HasSubstr("wrote 2 captions into .INFO side-cars"));
}

// The prototype's layout: music/Artist - Seven/full_mix.wav with music/Artist - Seven.INFO beside
// the folder, the side-car the genre chain reads.
TEST_F(ExportTest, InfoWritesIntoTheInfoNamedAfterTheTracksFolder) {
    {
        auto store = open_store();
        put_track(*store, "seven", (root() / "music/Artist - Seven/full_mix.wav").string(), {"Dub"});
        put_step(*store, "seven", "brief", "Deep dub.");
    }
    const auto side_car = root() / "music/Artist - Seven.INFO";
    write_info(side_car, R"({"bpm": 70})");
    const auto outcome = run_export({"--phase", "flamingo", "--prompt", "brief", "--format", "info"});
    EXPECT_THAT(outcome.err, Not(HasSubstr("full_mix.wav: no .INFO side-car"))) << outcome.err;
    EXPECT_EQ(ordered_json::parse(read_text(side_car))["tunecap_flamingo_music_flamingo_brief"], "Deep dub.");
}

TEST_F(ExportTest, UsageErrorsNameWhatTheStoreHolds) {
    auto outcome = run_export({"--phase", "omni", "--format", "jsonl"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("run/tunecap.db: no phase 'omni' in the store (phases: flamingo, revision)"));
    outcome = run_export({"--phase", "flamingo", "--model", "qwen", "--format", "jsonl"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("phase 'flamingo' has no model 'qwen' (models: music_flamingo)"));
    outcome = run_export({"--format", "jsonl"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("--phase is required (phases in run/tunecap.db: flamingo, revision)"));
    outcome = run_export({"--phase", "flamingo", "--format", "parquet"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("--format parquet: expected audiofolder, jsonl, csv or info"));
    outcome = run_export({"--phase", "flamingo", "--format", "info", "--out", "x"});
    EXPECT_EQ(outcome.exit_code, 2);
    fs::remove(dir() / "tunecap.db");
    outcome = run_export({"--phase", "flamingo", "--format", "jsonl"});
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("run: no tunecap.db here"));
    EXPECT_FALSE(fs::exists(dir() / "tunecap.db")) << "export never creates a store";
}

}  // namespace
}  // namespace tunecap::app
