// SPDX-License-Identifier: GPL-3.0-or-later
// The text of each export format: CSV that an RFC 4180 reader reads back field for field, JSONL
// whose every line is one object, AudioFolder file names that lead to the audio files.
#include "manifest/formats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "files.hpp"
#include "store_fixture.hpp"

namespace tunecap::manifest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;
using namespace tunecap::testing;

using Records = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader, written from the RFC rather than from the writer: every record ends
// with CRLF, a quote may appear only in a quoted field, doubled. Throws on anything else.
Records read_csv(std::string_view text) {
    Records records;
    std::vector<std::string> record;
    std::size_t i = 0;
    while (i < text.size()) {
        std::string field;
        if (text[i] == '"') {
            for (++i;; ++i) {
                if (i >= text.size()) throw std::runtime_error("unterminated quoted field");
                if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else if (text[i] == '"') {
                    ++i;
                    break;
                } else {
                    field += text[i];
                }
            }
        } else {
            for (; i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n'; ++i) {
                if (text[i] == '"') throw std::runtime_error("a quote inside an unquoted field");
                field += text[i];
            }
        }
        record.push_back(std::move(field));
        if (i < text.size() && text[i] == ',') {
            ++i;
            continue;
        }
        if (text.substr(i, 2) != "\r\n") throw std::runtime_error("a record not ended by CRLF at byte " + std::to_string(i));
        i += 2;
        records.push_back(std::move(record));
        record.clear();
    }
    return records;
}

std::vector<json> jsonl_objects(const std::string& text) {
    std::vector<json> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
}

Entry entry(const std::string& file, const std::string& caption, std::vector<std::string> genres = {"Techno"},
            std::optional<analysis::Facts> facts = sample_facts()) {
    Entry out;
    out.row.track_id = fs::path(file).stem().string() + "-0123456789ab";
    out.row.phase = "flamingo";
    out.row.model = "music_flamingo";
    out.row.prompt = "brief";
    out.row.outcome = store::StepOutcome::done;
    out.row.caption = caption;
    out.row.flags = {"reasoning_removed", "truncated"};
    out.stored_file = file;
    out.file = file;
    out.info = report::TrackInfo{std::move(genres), "tags", std::move(facts)};
    return out;
}

TEST(Csv, FieldsAreQuotedOnlyWhenTheyMustBe) {
    EXPECT_EQ(csv_field("plain text."), "plain text.");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a, b"), "\"a, b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("one\ntwo"), "\"one\ntwo\"");
    EXPECT_EQ(csv_field("one\rtwo"), "\"one\rtwo\"");
    EXPECT_EQ(csv_field("\""), "\"\"\"\"");
}

TEST(Csv, CommasQuotesAndLineBreaksInCaptionsReadBackExactly) {
    const std::vector<Entry> entries = {
        entry("/music/a, b.flac", "Warm, \"dusty\" groove.\nSecond line,\r\nthird.", {"Drum & Bass", "Lo-Fi"}),
        entry("/music/plain.flac", "Plain.", {}, std::nullopt),
    };
    const auto document = csv_document(entries);
    EXPECT_EQ(document.rows, 2u);
    EXPECT_THAT(document.errors, IsEmpty());
    const auto records = read_csv(document.text);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_THAT(records[0], ElementsAre("file", "track_id", "caption", "phase", "model", "prompt", "genres", "bpm", "key",
                                        "loudness_lufs", "flags"));
    EXPECT_THAT(records[1], ElementsAre("/music/a, b.flac", "a, b-0123456789ab", "Warm, \"dusty\" groove.\nSecond line,\r\nthird.",
                                        "flamingo", "music_flamingo", "brief", "Drum & Bass; Lo-Fi", "127.5", "A minor", "-9.5",
                                        "reasoning_removed; truncated"));
    EXPECT_THAT(records[2], ElementsAre("/music/plain.flac", "plain-0123456789ab", "Plain.", "flamingo", "music_flamingo",
                                        "brief", "", "", "", "", "reasoning_removed; truncated"));
}

TEST(Csv, ANameThatIsNotUtf8IsWrittenAsItsBytes) {
    const auto document = csv_document({entry("/music/caf\xe9.flac", "Plain.")});
    EXPECT_EQ(read_csv(document.text).at(1).at(0), "/music/caf\xe9.flac");
}

TEST(Jsonl, EachLineIsOneObjectWithEveryField) {
    const std::vector<Entry> entries = {
        entry("/music/a.flac", "Warm, \"dusty\" groove.\nSecond line.", {"Drum & Bass", "Lo-Fi"}),
        entry("/music/b.flac", "Plain.", {}, std::nullopt),
    };
    const auto document = jsonl_document(entries);
    EXPECT_EQ(document.rows, 2u);
    EXPECT_EQ(std::count(document.text.begin(), document.text.end(), '\n'), 2);
    auto objects = jsonl_objects(document.text);
    ASSERT_EQ(objects.size(), 2u);
    const auto& a = objects[0];
    EXPECT_EQ(a["file"], "/music/a.flac");
    EXPECT_EQ(a["track_id"], "a-0123456789ab");
    EXPECT_EQ(a["caption"], "Warm, \"dusty\" groove.\nSecond line.");
    EXPECT_EQ(a["phase"], "flamingo");
    EXPECT_EQ(a["model"], "music_flamingo");
    EXPECT_EQ(a["prompt"], "brief");
    EXPECT_EQ(a["genres"], json({"Drum & Bass", "Lo-Fi"}));
    EXPECT_EQ(a["facts"]["tempo"]["bpm"], 127.5);
    EXPECT_EQ(a["facts"]["key"]["name"], "A minor");
    EXPECT_EQ(a["flags"], json({"reasoning_removed", "truncated"}));
    EXPECT_TRUE(objects[1]["facts"].is_null());
    EXPECT_EQ(objects[1]["genres"], json::array());
}

TEST(Jsonl, ANameThatIsNotUtf8IsWrittenWithItsExactBytes) {
    const auto document = jsonl_document({entry("/music/caf\xe9.flac", "One."), entry("/music/b.flac", "Two.")});
    EXPECT_EQ(document.rows, 2u);
    EXPECT_THAT(document.errors, IsEmpty());
    const auto objects = jsonl_objects(document.text);
    EXPECT_EQ(objects.at(0)["file"], "/music/caf\xEF\xBF\xBD.flac");
    EXPECT_EQ(objects.at(0)["file_hex"], "2f6d757369632f636166e92e666c6163");
    EXPECT_EQ(objects.at(0)["caption"], "One.");
    EXPECT_EQ(objects.at(1)["file"], "/music/b.flac");
    EXPECT_FALSE(objects.at(1).contains("file_hex"));
}

TEST(AudioFolder, ANameThatIsNotUtf8IsOneErrorAndTheOthersAreWritten) {
    const auto document = audiofolder_document({entry("/music/caf\xe9.flac", "One."), entry("/music/b.flac", "Two.")}, "/music");
    EXPECT_EQ(document.rows, 1u);
    ASSERT_EQ(document.errors.size(), 1u);
    EXPECT_THAT(document.errors[0], HasSubstr("/music/caf\xe9.flac: the file name is not valid UTF-8"));
    EXPECT_EQ(jsonl_objects(document.text).at(0)["file_name"], "b.flac");
}

TEST(AudioFolder, PathUnderIsComponentWise) {
    EXPECT_EQ(path_under("/a/b/c.wav", "/a"), fs::path("b/c.wav"));
    EXPECT_EQ(path_under("/a/c.wav", "/a"), fs::path("c.wav"));
    EXPECT_FALSE(path_under("/a/c.wav", "/a/b"));
    EXPECT_FALSE(path_under("/ab/c.wav", "/a")) << "a shared prefix of characters is not a shared folder";
    EXPECT_FALSE(path_under("/a", "/a"));
}

TEST(AudioFolder, CommonFolderIsComponentWise) {
    EXPECT_EQ(common_folder({entry("/m/a/x.wav", "."), entry("/m/b/y.wav", ".")}), fs::path("/m"));
    EXPECT_EQ(common_folder({entry("/m/a/x.wav", "."), entry("/m/ab/y.wav", ".")}), fs::path("/m"));
    EXPECT_EQ(common_folder({entry("/m/a/x.wav", ".")}), fs::path("/m/a"));
    EXPECT_EQ(common_folder({entry("/m/x.wav", "."), entry("/n/y.wav", ".")}), fs::path("/"));
    EXPECT_EQ(common_folder({}), fs::path());
}

// Tracks stored as a run saw them (one relative to where it started, one absolute), audio on
// disk: each file_name, joined to the metadata file's folder, is the audio file itself.
TEST(AudioFolder, FileNamesLeadFromTheMetadataFolderToTheAudio) {
    StoreFixture fixture;
    const auto base = fixture.dir() / "cwd";
    write_bytes(base / "music/Artist - Album - One/full_mix.flac", "one");
    write_bytes(base / "music/two/2 tw\xc3\xb6.wav", "two");
    fixture.track("one", "music/Artist - Album - One/full_mix.flac");
    fixture.track("two", base / "music/two/2 tw\xc3\xb6.wav");
    fixture.step({.track_id = "one", .caption = "First."});
    fixture.step({.track_id = "two", .caption = "Second."});
    const auto gathered = fixture.gather_rows(fixture.select({.phase = "flamingo"}), base);
    ASSERT_THAT(gathered.errors, IsEmpty());
    const auto folder = common_folder(gathered.entries);
    EXPECT_EQ(folder, base / "music");

    const auto document = audiofolder_document(gathered.entries, folder);
    EXPECT_THAT(document.errors, IsEmpty());
    auto objects = jsonl_objects(document.text);
    ASSERT_EQ(objects.size(), 2u);
    EXPECT_EQ(objects[0]["file_name"], "Artist - Album - One/full_mix.flac");
    EXPECT_EQ(objects[1]["file_name"], "two/2 tw\xc3\xb6.wav");
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const auto resolved = folder / objects[i]["file_name"].get<std::string>();
        EXPECT_TRUE(fs::equivalent(resolved, gathered.entries[i].file)) << resolved;
    }
    EXPECT_EQ(objects[0]["text"], "First.");
    EXPECT_EQ(objects[0]["phase"], "flamingo");
    EXPECT_EQ(objects[0]["model"], "music_flamingo");
    EXPECT_EQ(objects[0]["prompt"], "brief");
    EXPECT_EQ(objects[0]["genres"], json({"Techno"}));
}

TEST(AudioFolder, AFileOutsideTheMetadataFolderIsOneErrorAndTheOthersAreWritten) {
    const std::vector<Entry> entries = {entry("/data/set/a.flac", "A."), entry("/elsewhere/b.flac", "B.")};
    const auto document = audiofolder_document(entries, "/data/set");
    EXPECT_EQ(document.rows, 1u);
    ASSERT_EQ(document.errors.size(), 1u);
    EXPECT_THAT(document.errors[0], HasSubstr("/elsewhere/b.flac: not inside /data/set"));
    EXPECT_EQ(jsonl_objects(document.text).at(0)["file_name"], "a.flac");
}

}  // namespace
}  // namespace tunecap::manifest
