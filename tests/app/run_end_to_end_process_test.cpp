// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end: the built tunecap on audio generated at test time; assertions read the JSON it wrote.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

// Two seconds of a tone; short enough to keep the suite fast, long enough to decode for real.
void make_tone(const fs::path& file, const std::string& extra = "") {
    run_tool("ffmpeg -nostdin -y -f lavfi -i sine=frequency=330:duration=2 -ac 2 -ar 44100 " + extra + " " +
             shell_quote(file.string()));
}

std::vector<json> track_files(const fs::path& out) {
    std::vector<json> tracks;
    if (!fs::exists(out / "tracks")) return tracks;
    for (const auto& entry : fs::directory_iterator(out / "tracks")) tracks.push_back(json::parse(read_text(entry.path())));
    return tracks;
}

const json& by_file(const std::vector<json>& tracks, const std::string& name) {
    for (const auto& t : tracks) {
        if (fs::path(t["file"].get<std::string>()).filename() == name) return t;
    }
    throw std::runtime_error("no track JSON for " + name);
}

std::vector<std::string> names(const json& track) { return track["genres"]["names"].get<std::vector<std::string>>(); }

class RunEndToEnd : public ::testing::Test {
protected:
    TempDir m_temp;
    fs::path m_music = m_temp / "music";
    fs::path m_out = m_temp / "out";
    void SetUp() override { fs::create_directories(m_music); }
};

TEST_F(RunEndToEnd, MixedFolderWritesFourTracksAndOneClearError) {
    make_tone(m_music / "tagged.flac");
    run_tool("metaflac --set-tag='GENRE=Goa Trance' " + shell_quote((m_music / "tagged.flac").string()));
    make_tone(m_music / "numeric.mp3", "-codec:a libmp3lame");
    run_tool("id3v2 --TCON '(17)' " + shell_quote((m_music / "numeric.mp3").string()));
    make_tone(m_music / "plain.ogg", "-codec:a libvorbis");
    // In a subfolder of its own: a lone *.INFO in a folder applies to every track there.
    fs::create_directories(m_music / "album");
    make_tone(m_music / "album" / "sidecar.wav");
    {
        std::ofstream info(m_music / "album" / "sidecar.INFO");
        info << R"({"genres": "Ambient", "musicbrainz_genres": ["Drone", "ambient"]})";
    }
    {
        std::ofstream corrupt(m_music / "corrupt.flac", std::ios::binary);
        for (int i = 0; i < 4096; ++i) corrupt.put(static_cast<char>((i * 7919) % 251));
    }

    const auto outcome = run_tunecap({"run", m_music.string(), "--out", m_out.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 1) << outcome.err;

    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 4u) << outcome.err;
    const auto& tagged = by_file(tracks, "tagged.flac");
    EXPECT_EQ(names(tagged), (std::vector<std::string>{"Goa Trance"}));
    EXPECT_EQ(tagged["genres"]["source"], "tags");
    EXPECT_EQ(tagged["audio"]["codec"], "flac");
    EXPECT_EQ(tagged["audio"]["sample_rate"], 44100);
    EXPECT_EQ(tagged["audio"]["channels"], 2);
    EXPECT_NEAR(tagged["audio"]["duration_seconds"].get<double>(), 2.0, 0.05);
    EXPECT_EQ(tagged["content_sha256"].get<std::string>().size(), 64u);

    const auto& numeric = by_file(tracks, "numeric.mp3");
    EXPECT_EQ(names(numeric), (std::vector<std::string>{"Rock"}));
    EXPECT_EQ(numeric["genres"]["source"], "tags");
    EXPECT_EQ(numeric["audio"]["codec"], "mp3");

    const auto& plain = by_file(tracks, "plain.ogg");
    EXPECT_EQ(names(plain), (std::vector<std::string>{"Unknown"}));
    EXPECT_EQ(plain["genres"]["source"], "fallback");
    EXPECT_EQ(plain["audio"]["codec"], "vorbis");

    const auto& sidecar = by_file(tracks, "sidecar.wav");
    EXPECT_EQ(names(sidecar), (std::vector<std::string>{"Ambient", "Drone"}));
    EXPECT_EQ(sidecar["genres"]["source"], "info");

    // Exactly one error line, naming the corrupt file.
    const auto errors = tunecap::testing::error_lines(outcome.err);
    ASSERT_EQ(errors.size(), 1u) << outcome.err;
    EXPECT_THAT(errors[0], HasSubstr("corrupt.flac"));

    const auto results = json::parse(read_text(m_out / "results.json"));
    EXPECT_EQ(results["counts"]["succeeded"], 4);
    EXPECT_EQ(results["counts"]["failed"], 1);
    EXPECT_THAT(results["failures"][0]["file"].get<std::string>(), HasSubstr("corrupt.flac"));
}

TEST_F(RunEndToEnd, MissingModelsAreRecordedAsNotConfiguredAndTheRunSucceeds) {
    make_tone(m_music / "one.flac");
    const auto outcome = run_tunecap({"run", (m_music / "one.flac").string(), "--out", m_out.string()}, m_temp.path(),
                                     {"TUNECAP_MODELS=" + (m_temp / "no-models").string()});
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 1u);
    const auto& phases = tracks[0]["phases"];
    EXPECT_EQ(phases.size(), 10u);
    // The facts phase needs no model: its caption comes from what tunecap measured.
    EXPECT_EQ(phases["facts"]["status"], "done");
    EXPECT_THAT(phases["facts"]["models"]["template"]["prompts"]["facts"]["caption"].get<std::string>(),
                ::testing::StartsWith("A "));
    EXPECT_FALSE(tracks[0]["facts"].is_null());
    // Every step with a caption lists the tempo and key claims it makes (a tone's facts make none).
    EXPECT_TRUE(phases["facts"]["models"]["template"]["prompts"]["facts"]["claims"].is_array());
    EXPECT_EQ(phases["flamingo"]["status"], "not_configured");
    EXPECT_THAT(phases["flamingo"]["reason"].get<std::string>(), HasSubstr("no-models/music-flamingo"));
    EXPECT_EQ(phases["flamingo"]["models"]["music_flamingo"]["prompts"].size(), 5u);
    EXPECT_EQ(phases["ensemble"]["status"], "skipped");
    EXPECT_EQ(phases["ensemble"]["models"].size(), 3u);
    EXPECT_THAT(outcome.out, HasSubstr("results.json"));
}

TEST_F(RunEndToEnd, GenreFlagBeatsInfoWhichBeatsTags) {
    const auto track = m_music / "song.flac";
    make_tone(track);
    run_tool("metaflac --set-tag=GENRE=Rock " + shell_quote(track.string()));
    {
        std::ofstream info(m_music / "song.INFO");
        info << R"({"genres": ["Jazz"]})";
    }
    auto run = [&](std::vector<std::string> extra) {
        fs::remove_all(m_out);
        std::vector<std::string> args = {"run", track.string(), "--out", m_out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto outcome = run_tunecap(args, m_temp.path());
        EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
        const auto tracks = track_files(m_out);
        if (tracks.size() != 1) throw std::runtime_error("expected one track: " + outcome.err);
        return tracks[0]["genres"];
    };
    auto genres = run({"--genre", "Goa Trance, Psytrance"});
    EXPECT_EQ(genres["names"], json({"Goa Trance", "Psytrance"}));
    EXPECT_EQ(genres["source"], "cli");

    genres = run({});
    EXPECT_EQ(genres["names"], json({"Jazz"}));
    EXPECT_EQ(genres["source"], "info");

    const auto other_info = m_temp / "other.INFO";
    {
        std::ofstream info(other_info);
        info << R"({"musicbrainz_genres": "Funk; Soul"})";
    }
    genres = run({"--info", other_info.string()});
    EXPECT_EQ(genres["names"], json({"Funk", "Soul"}));
    EXPECT_EQ(genres["source"], "info");
    EXPECT_EQ(genres["origin"], other_info.string());

    fs::remove(m_music / "song.INFO");
    genres = run({});
    EXPECT_EQ(genres["names"], json({"Rock"}));
    EXPECT_EQ(genres["source"], "tags");
}

TEST_F(RunEndToEnd, InvalidInfoWarnsNamingTheFileAndFallsThroughToTags) {
    const auto track = m_music / "song.flac";
    make_tone(track);
    run_tool("metaflac --set-tag=GENRE=Techno " + shell_quote(track.string()));
    {
        std::ofstream info(m_music / "song.INFO");
        info << "{not json";
    }
    const auto outcome = run_tunecap({"run", track.string(), "--out", m_out.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("warning:"));
    EXPECT_THAT(outcome.err, HasSubstr("song.INFO"));
    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 1u);
    EXPECT_EQ(tracks[0]["genres"]["source"], "tags");
    EXPECT_EQ(tracks[0]["genres"]["names"], json({"Techno"}));
}

TEST_F(RunEndToEnd, SkipAliasesAndUnknownPhasesOnTheCommandLine) {
    make_tone(m_music / "one.flac");
    auto outcome = run_tunecap({"run", m_music.string(), "--out", m_out.string(), "--skip-phase3", "--skip-phase4"},
                               m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    const auto tracks = track_files(m_out);
    ASSERT_EQ(tracks.size(), 1u);
    EXPECT_EQ(tracks[0]["phases"]["revision"]["reason"], "skipped by --skip revision");
    EXPECT_EQ(tracks[0]["phases"]["omni_genre"]["reason"], "skipped by --skip omni_genre");

    outcome = run_tunecap({"run", m_music.string(), "--out", m_out.string(), "--skip", "nope"}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("--skip nope: no such phase"));
}

TEST_F(RunEndToEnd, UsageAndConfigErrorsExitTwoBeforeAnyAudioIsRead) {
    make_tone(m_music / "one.flac");
    auto outcome = run_tunecap({"run", m_music.string(), "--bogus"}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("unknown option --bogus"));

    const auto config = m_temp / "bad.yaml";
    {
        std::ofstream out(config);
        out << "models:\n  qwen3_14b:\n    ctx: lots\n";
    }
    outcome = run_tunecap({"run", m_music.string(), "--config", config.string(), "--out", m_out.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr(config.string() + ":3: models.qwen3_14b.ctx: expected an integer, got 'lots'"));
    EXPECT_FALSE(fs::exists(m_out));

    outcome = run_tunecap({"run"}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
}

TEST_F(RunEndToEnd, DryRunPrintsThePlanAndWritesNothing) {
    make_tone(m_music / "one.flac");
    const auto outcome = run_tunecap({"run", m_music.string(), "--out", m_out.string(), "--dry-run", "--genre", "Dub"},
                                     m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("genres Dub (cli)"));
    EXPECT_THAT(outcome.out, HasSubstr("phase revision (revise)"));
    EXPECT_FALSE(fs::exists(m_out));
}

// The prototype's layout: music/Artist - Track/full_mix.flac with its stems, and music/Artist -
// Track.INFO beside the folder. Planning reads no audio, so the files may be empty.
TEST_F(RunEndToEnd, PlanTakesFullMixOnlyWithItsFolderNamedInfo) {
    const auto folder = m_music / "Artist - Track";
    fs::create_directories(folder);
    for (const char* name : {"full_mix.flac", "drums.mp3", "bass.mp3", "other.mp3", "vocals.mp3"}) {
        std::ofstream(folder / name) << "";
    }
    std::ofstream(m_music / "Artist - Track.INFO") << R"({"genres": ["Dub"], "musicbrainz_genres": ["reggae"], "bpm": 70})";
    auto outcome = run_tunecap({"plan", m_music.string(), "--include", "full_mix.*"}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("track " + (folder / "full_mix.flac").string() + ": genres Dub, reggae (info)"));
    EXPECT_THAT(outcome.out, HasSubstr("1 track(s)"));

    outcome = run_tunecap({"plan", m_music.string(), "--exclude", "drums.*", "--exclude=vocals.*"}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, HasSubstr("3 track(s)"));
    EXPECT_THAT(outcome.out, ::testing::Not(HasSubstr("drums.mp3")));
}

TEST_F(RunEndToEnd, PlanAndDryRunSayWhatIsWrongWithASideCarAsARunWould) {
    const auto folder = m_music / "Artist - Track";
    fs::create_directories(folder);
    make_tone(folder / "full_mix.flac");
    std::ofstream(m_music / "Artist - Track.INFO") << R"({"genres": ["Dub", )";
    for (const auto& command : {std::vector<std::string>{"plan", m_music.string()},
                                std::vector<std::string>{"run", "--dry-run", m_music.string()}}) {
        const auto outcome = run_tunecap(command, m_temp.path());
        EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
        EXPECT_THAT(outcome.err, ::testing::ContainsRegex("warning: \\[tags\\] .*Artist - Track\\.INFO: ")) << command[0];
        EXPECT_THAT(outcome.out, HasSubstr("genres Unknown")) << command[0];
    }
}

TEST_F(RunEndToEnd, MissingPathIsAnErrorAndOtherTracksGoOn) {
    make_tone(m_music / "one.flac");
    const auto outcome = run_tunecap(
        {"run", (m_music / "one.flac").string(), (m_music / "gone.flac").string(), "--out", m_out.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_THAT(outcome.err, HasSubstr("gone.flac: no such file or folder"));
    EXPECT_EQ(track_files(m_out).size(), 1u);
}

TEST(Commands, VersionHelpAndConfigShow) {
    TempDir temp;
    auto outcome = run_tunecap({"--version"}, temp.path());
    EXPECT_EQ(outcome.exit_code, 0);
    EXPECT_THAT(outcome.out, ::testing::StartsWith("tunecap "));

    outcome = run_tunecap({"run", "--help"}, temp.path());
    EXPECT_EQ(outcome.exit_code, 0);
    EXPECT_THAT(outcome.out, HasSubstr("--out DIR"));
    EXPECT_THAT(outcome.out, HasSubstr("(default: ./tunecap-out)"));
    EXPECT_THAT(outcome.out, HasSubstr("--skip-phase3"));

    const auto config = temp / "mine.yaml";
    {
        std::ofstream out(config);
        out << "runtime:\n  vram_budget_gb: 24\n";
    }
    outcome = run_tunecap({"config", "show", "--config", config.string(), "--skip-phase3"}, temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_THAT(outcome.out, ::testing::ContainsRegex("runtime.vram_budget_gb += 24 +# " + config.string() + ":2"));
    EXPECT_THAT(outcome.out, ::testing::ContainsRegex("models.qwen3_14b.ctx += 32768 +# configs/default.yaml"));
    EXPECT_THAT(outcome.out, ::testing::ContainsRegex("run.out += ./tunecap-out +# default"));
    EXPECT_THAT(outcome.out, ::testing::ContainsRegex("run.skip += revision +# command line --skip-phase3"));
}

}  // namespace
}  // namespace tunecap::testing
