// SPDX-License-Identifier: GPL-3.0-or-later
// File names into JSON without loss (report/path_json.hpp), and the JSON writers that use it: a name
// or any other text that is not UTF-8 never stops a track file, results.json or an analyze line.
#include "report/path_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "report/facts_json.hpp"
#include "report/json_output.hpp"

namespace tunecap::report {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// The README's one line, in C++.
std::string exact_name(const json& object, const std::string& key) {
    if (!object.contains(key + "_hex")) return object.at(key).get<std::string>();
    const auto hex = object.at(key + "_hex").get<std::string>();
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return bytes;
}

TEST(PutPath, AUtf8NameIsWrittenAsItIs) {
    ordered_json object = ordered_json::object();
    put_path(object, "file", "/music/caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac.flac");
    EXPECT_EQ(object.dump(), R"({"file":"/music/café 東京.flac"})");
}

TEST(PutPath, ANameThatIsNotUtf8GetsADisplayNameAndItsExactBytesInHex) {
    ordered_json object = ordered_json::object();
    put_path(object, "file", "/m/a\xff\xc3.flac");
    EXPECT_EQ(object["file"], "/m/a\xEF\xBF\xBD\xEF\xBF\xBD.flac");
    EXPECT_EQ(object["file_hex"], "2f6d2f61ffc32e666c6163");
    const auto text = dump_text(object);
    EXPECT_EQ(exact_name(json::parse(text), "file"), "/m/a\xff\xc3.flac");
}

TEST(PutPath, EveryByteValueRoundTrips) {
    std::string name;
    for (int byte = 1; byte < 256; ++byte) name += static_cast<char>(byte);
    ordered_json object = ordered_json::object();
    put_path(object, "file", name);
    EXPECT_EQ(exact_name(json::parse(dump_text(object)), "file"), name);
    EXPECT_EQ(hex_bytes(std::string("\x00\x0f\xf0", 3)), "000ff0");
}

TEST(DumpText, InvalidUtf8InOtherTextBecomesAReplacementCharacterInsteadOfAThrow) {
    ordered_json object = {{"genre", "Rock\xff"}};
    EXPECT_THROW((void)object.dump(), ordered_json::type_error) << "what the writers did before";
    EXPECT_EQ(json::parse(dump_text(object))["genre"], "Rock\xEF\xBF\xBD");
}

pipeline::TrackRecord damaged_track() {
    pipeline::TrackRecord track;
    track.id = "bad-0123456789ab";
    track.file = "/music/bad\xff.flac";
    track.genres.names = {"Ro\xff" "ck"};
    track.truncated = audio::Truncation{61.25, 120.0};
    store::StepRow row;
    row.key = "k";
    row.track_id = track.id;
    row.prompt = "brief";
    row.outcome = store::StepOutcome::done;
    row.caption = "A caption.";
    row.raw_output = "A caption.\xc3";
    row.claims = "[]";
    row.flags = {"truncated_audio"};
    pipeline::ModelRecord model{"ears", pipeline::StepStatus::done, "", {}};
    model.steps.push_back({"brief", pipeline::StepStatus::done, "", row, false});
    track.phases.push_back({"hear", config::PhaseKind::audio_caption, pipeline::StepStatus::done, "", {model}, false});
    return track;
}

TEST(TrackJson, NamesItsFileExactlyAndSaysTheAudioWasTruncated) {
    const auto track = json::parse(track_json(damaged_track()));
    EXPECT_EQ(exact_name(track, "file"), "/music/bad\xff.flac");
    EXPECT_EQ(track["genres"]["names"][0], "Ro\xEF\xBF\xBD" "ck");
    EXPECT_EQ(track["audio"]["truncated"]["decoded_seconds"], 61.25);
    EXPECT_EQ(track["audio"]["truncated"]["declared_seconds"], 120.0);
    EXPECT_EQ(track["phases"]["hear"]["models"]["ears"]["prompts"]["brief"]["flags"][0], "truncated_audio");
}

TEST(ResultsJson, NamesEachTrackItsJsonAndEachFailureExactly) {
    RunSummary summary;
    summary.out_dir = "/out\xfe";
    summary.tracks.push_back(damaged_track());
    summary.failures.push_back({"/music/gone\xfd.flac", "/music/gone\xfd.flac: cannot read"});
    const auto results = json::parse(results_json(summary, config::Config{}));
    EXPECT_EQ(exact_name(results["tracks"][0], "file"), "/music/bad\xff.flac");
    EXPECT_EQ(exact_name(results["tracks"][0], "json"), "/out\xfe/tracks/bad-0123456789ab.json");
    EXPECT_EQ(exact_name(results["failures"][0], "file"), "/music/gone\xfd.flac");
    EXPECT_EQ(results["failures"][0]["error"], "/music/gone\xEF\xBF\xBD.flac: cannot read");
}

TEST(ResultsJson, SaysWhyARunStoppedWhenTheStoreFailed) {
    RunSummary summary;
    EXPECT_FALSE(json::parse(results_json(summary, config::Config{})).contains("store_error"));
    summary.store_error = "/out/tunecap.db: cannot store step 1f: database or disk is full";
    EXPECT_EQ(json::parse(results_json(summary, config::Config{}))["store_error"], summary.store_error);
}

TEST(FactsJsonLine, NamesItsFileExactlyAndCarriesTheTruncation) {
    analysis::Facts facts;
    facts.truncated = audio::Truncation{10.0, 20.0};
    const auto line = json::parse(facts_json_line("/music/x\xff.wav", facts));
    EXPECT_EQ(exact_name(line, "file"), "/music/x\xff.wav");
    EXPECT_EQ(line["truncated"]["declared_seconds"], 20.0);
    const auto read_back = parse_facts_json(facts_json(facts));
    ASSERT_TRUE(read_back && read_back->truncated);
    EXPECT_EQ(read_back->truncated->decoded_seconds, 10.0);
    EXPECT_FALSE(parse_facts_json(facts_json(analysis::Facts{}))->truncated);
}

}  // namespace
}  // namespace tunecap::report
