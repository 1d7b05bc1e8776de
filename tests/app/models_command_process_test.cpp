// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap models` as a user runs it: on configs pointing at twins of the project's tiny real GGUF
// files (written at test time, tests/support/tiny_gguf.hpp), at missing files, and at a corrupt one.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/text.hpp"
#include "hf_cache_layout.hpp"
#include "run_binary.hpp"
#include "temp_dir.hpp"
#include "tiny_gguf.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;


std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The table's rows by model name, each as column name -> cell, cut at the header's column starts.
class Table {
public:
    explicit Table(const std::string& output) {
        const auto lines = lines_of(output);
        auto header = std::find_if(lines.begin(), lines.end(), [](const auto& l) { return l.starts_with("MODEL "); });
        if (header == lines.end()) throw std::runtime_error("no table header in:\n" + output);
        std::vector<std::pair<std::string, std::size_t>> columns;
        for (std::size_t i = 0; i < header->size();) {
            const auto end = header->find("  ", i);
            columns.emplace_back(header->substr(i, end == std::string::npos ? std::string::npos : end - i), i);
            if (end == std::string::npos) break;
            i = header->find_first_not_of(' ', end);
        }
        for (auto it = header + 1; it != lines.end() && !it->empty(); ++it) {
            std::map<std::string, std::string> row;
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto start = columns[c].second;
                const auto stop = c + 1 < columns.size() ? columns[c + 1].second : std::string::npos;
                row[columns[c].first] = start < it->size() ? std::string(core::trim(it->substr(start, stop - start))) : "";
            }
            m_lines[row["MODEL"]] = *it;
            m_rows[row["MODEL"]] = std::move(row);
        }
    }
    const std::string& cell(const std::string& model, const std::string& column) const {
        return m_rows.at(model).at(column);
    }
    const std::string& line(const std::string& model) const { return m_lines.at(model); }
    std::size_t size() const { return m_rows.size(); }

private:
    std::map<std::string, std::map<std::string, std::string>> m_rows;
    std::map<std::string, std::string> m_lines;
};

class ModelsCommand : public ::testing::Test {
protected:
    fs::path write_config(const std::string& text) {
        const auto path = m_temp / "tunecap.yaml";
        std::ofstream(path) << text;
        return path;
    }
    // Every default model pointed at the fixtures, the audio ones with the projector too; the
    // settings the tests assert on are set here so changes to configs/default.yaml do not matter.
    // tiny_default leaves every launch setting to tunecap's defaults.
    std::string fixture_models(const std::string& extra = "") const {
        const std::string model = shared_tiny_models().model.string();
        const std::string projector = shared_tiny_models().projector.string();
        return "models:\n"
               "  music_flamingo: {gguf: " + model + ", mmproj: " + projector +
               ", ctx: 16384, slots: 4, cache_type_k: q8_0, cache_type_v: q8_0}\n"
               "  qwen_omni: {gguf: " + model + ", mmproj: " + projector + "}\n"
               "  qwen3_14b: {gguf: " + model + ", ctx: 32768, slots: 2, cache_type_k: q4_0, cache_type_v: q4_0}\n"
               "  gpt_oss_20b: {gguf: " + model + "}\n"
               "  granite_tiny: {gguf: " + model + "}\n"
               "  tiny_default: {gguf: " + model + ", family: chatml}\n" + extra;
    }
    TempDir m_temp;
};

TEST_F(ModelsCommand, FixtureConfigPrintsTheTable) {
    const auto config = write_config(fixture_models());
    const auto outcome = run_tunecap({"models", "--config", config.string()}, m_temp.path());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    const Table table(outcome.out);
    ASSERT_EQ(table.size(), 6u) << outcome.out;
    for (const std::string model : {"music_flamingo", "qwen_omni", "qwen3_14b", "gpt_oss_20b", "granite_tiny", "tiny_default"}) {
        SCOPED_TRACE(model);
        EXPECT_EQ(table.cell(model, "FILE"), "tiny-qwen3.gguf");
        EXPECT_EQ(table.cell(model, "ARCH"), "qwen3");
        EXPECT_EQ(table.cell(model, "PARAMS"), "6.5 M");
        EXPECT_EQ(table.cell(model, "QUANT"), "F32");
        EXPECT_EQ(table.cell(model, "TRAIN CTX"), "4096");
        EXPECT_EQ(table.cell(model, "LAYERS"), "2");
        EXPECT_EQ(table.cell(model, "KV HEADS"), "2");
        EXPECT_EQ(table.cell(model, "HEAD"), "16");
        EXPECT_EQ(table.cell(model, "TEMPLATE"), "yes");
        EXPECT_EQ(table.cell(model, "VERDICT"), "fits");
    }
    EXPECT_EQ(table.cell("music_flamingo", "AUDIO PROJ"), "yes");
    EXPECT_EQ(table.cell("qwen_omni", "AUDIO PROJ"), "yes");
    EXPECT_EQ(table.cell("qwen3_14b", "AUDIO PROJ"), "-");
    EXPECT_EQ(table.cell("qwen3_14b", "CTX"), "32768");
    EXPECT_EQ(table.cell("qwen3_14b", "SLOTS"), "2");
    EXPECT_EQ(table.cell("qwen3_14b", "KV CACHE"), "q4_0/q4_0");
    EXPECT_EQ(table.cell("music_flamingo", "KV CACHE"), "q8_0/q8_0");
    // Left out of the config: marked, and the mark is explained.
    EXPECT_THAT(table.cell("tiny_default", "CTX"), ::testing::EndsWith("*"));
    EXPECT_THAT(table.cell("tiny_default", "SLOTS"), ::testing::EndsWith("*"));
    EXPECT_EQ(table.cell("tiny_default", "KV CACHE"), "f16*/f16*");
    EXPECT_THAT(outcome.out, HasSubstr("* not set in the config"));
    // 24.8 MiB of weights, 0.6 MiB of projector, KV 2 layers x 16384 x (34 + 34) bytes, the allowance.
    EXPECT_EQ(table.cell("music_flamingo", "EST GiB"), "0.78");
    EXPECT_THAT(outcome.out, HasSubstr("music_flamingo: 24.8 MiB weights + 2.1 MiB KV cache + 0.6 MiB projector + "
                                       "0.75 GiB compute = 0.78 GiB"));
    EXPECT_THAT(outcome.out, HasSubstr("GPU budget 16.0 GiB"));
}

TEST_F(ModelsCommand, DefaultConfigWithMissingFilesPrintsOneLinePerModel) {
    const auto outcome = run_tunecap({"models"}, m_temp.path(), {"TUNECAP_MODELS=/nonexistent"});
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    const auto lines = lines_of(outcome.out);
    auto line_of = [&](const std::string& model) {
        for (const auto& line : lines) {
            if (line.starts_with(model + " ")) return line;
        }
        return std::string();
    };
    EXPECT_THAT(line_of("qwen3_14b"), HasSubstr("/nonexistent/qwen3-14b/Qwen3-14B-Q4_K_M.gguf: no such file"));
    EXPECT_THAT(line_of("gpt_oss_20b"), HasSubstr("/nonexistent/gpt-oss-20b/gpt-oss-20b-mxfp4.gguf: no such file"));
    EXPECT_THAT(line_of("granite_tiny"), HasSubstr("granite-4.0-h-tiny-Q4_K_M.gguf: no such file"));
    EXPECT_THAT(line_of("music_flamingo"),
                HasSubstr("mmproj /nonexistent/music-flamingo/mmproj-music-flamingo-f16.gguf: no such file"));
    EXPECT_THAT(line_of("qwen_omni"), HasSubstr("Qwen2.5-Omni-7B-Q4_K_M.gguf: no such file"));
}

TEST_F(ModelsCommand, OneUnreadableFileDoesNotHideTheOthers) {
    const auto corrupt = m_temp / "corrupt.gguf";
    std::ofstream(corrupt) << "this is not a model";
    const auto config = write_config(fixture_models("  spare: {gguf: " + corrupt.string() + ", family: chatml}\n"));
    const auto outcome = run_tunecap({"models", "--config", config.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    const Table table(outcome.out);
    EXPECT_EQ(table.cell("qwen3_14b", "ARCH"), "qwen3");
    EXPECT_THAT(table.line("spare"), HasSubstr(corrupt.string() + ": not a GGUF file"));
}

TEST_F(ModelsCommand, OverBudgetAndEndpointVerdicts) {
    const auto config = write_config("runtime: {vram_budget_gb: 0.5}\n" +
                                     fixture_models("  remote: {endpoint: {url: \"http://127.0.0.1:9/v1\"}, family: chatml}\n"));
    const auto outcome = run_tunecap({"models", "--config", config.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    const Table table(outcome.out);
    // 24.8 MiB + 2.2 MiB KV (2 x 32768 x 36 bytes) + 768 MiB = 0.776 GiB against 0.5.
    EXPECT_EQ(table.cell("qwen3_14b", "VERDICT"), "over budget by 0.28 GiB");
    EXPECT_EQ(table.cell("remote", "VERDICT"), "endpoint: not managed here");
    EXPECT_EQ(table.cell("remote", "ARCH"), "-");
}

// hf models: one cached with its projector in a temp LLAMA_CACHE, laid out as llama-server's -hf
// leaves it, is read like a local file; one not cached says what a run would download.
TEST_F(ModelsCommand, HfModelsSayWhatIsCachedAndWhatARunWouldDownload) {
    const auto hub = m_temp / "llama-cache";
    const std::string repo = "test-org/Tiny-GGUF";
    write_tiny_gguf(hf_blob_path(hub, repo, "tiny-qwen3-F32.gguf"), tiny_qwen3());
    const auto model = link_hf_cached_file(hub, repo, "tiny-qwen3-F32.gguf");
    write_tiny_gguf(hf_blob_path(hub, repo, "mmproj-tiny-F16.gguf"), tiny_qwen2a_mmproj());
    const auto projector = link_hf_cached_file(hub, repo, "mmproj-tiny-F16.gguf");
    const auto config = write_config(fixture_models(
        "  hf_text: {hf: 'test-org/Tiny-GGUF:F32', family: qwen3, ctx: 16384, slots: 4, cache_type_k: q8_0, cache_type_v: q8_0}\n"
        "  hf_audio: {hf: 'test-org/Tiny-GGUF:F32', mmproj_hf: auto, family: qwen2.5-omni, ctx: 16384, slots: 4, "
        "cache_type_k: q8_0, cache_type_v: q8_0}\n"
        "  hf_absent: {hf: 'test-org/Absent-GGUF:Q4_K_M', mmproj_hf: other/proj/mmproj-x-f16.gguf, family: qwen2.5-omni}\n"));
    const auto outcome = run_tunecap({"models", "--config", config.string()}, m_temp.path(), {"LLAMA_CACHE=" + hub.string()});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    const Table table(outcome.out);
    EXPECT_EQ(table.cell("hf_text", "FILE"), "tiny-qwen3-F32.gguf");
    EXPECT_EQ(table.cell("hf_text", "ARCH"), "qwen3");
    EXPECT_EQ(table.cell("hf_text", "AUDIO PROJ"), "-");
    EXPECT_EQ(table.cell("hf_audio", "AUDIO PROJ"), "yes");
    // The same files and settings as music_flamingo's fixture: the same estimate.
    EXPECT_EQ(table.cell("hf_audio", "EST GiB"), table.cell("music_flamingo", "EST GiB"));
    EXPECT_EQ(table.cell("hf_absent", "VERDICT"), "not cached yet: no estimate");
    EXPECT_THAT(outcome.out, HasSubstr("in llama-server's cache " + hub.string() + ":\n"));
    EXPECT_THAT(outcome.out, HasSubstr("hf_text: test-org/Tiny-GGUF:F32 cached: " + model.string() + " ("));
    EXPECT_THAT(outcome.out, HasSubstr("hf_audio: projector auto cached: " + projector.string() + " ("));
    EXPECT_THAT(outcome.out, HasSubstr("hf_absent: a run would download test-org/Absent-GGUF:Q4_K_M\n"));
    EXPECT_THAT(outcome.out, HasSubstr("hf_absent: a run would download https://huggingface.co/other/proj/resolve/main/mmproj-x-f16.gguf\n"));
}

TEST_F(ModelsCommand, ConfigErrorsExitWithTwo) {
    const auto config = write_config("runtime: {vram_budget_gb: lots}\n");
    const auto outcome = run_tunecap({"models", "--config", config.string()}, m_temp.path());
    EXPECT_EQ(outcome.exit_code, 2);
    EXPECT_THAT(outcome.err, HasSubstr("vram_budget_gb"));
    EXPECT_THAT(outcome.out, Not(HasSubstr("MODEL")));
}

TEST_F(ModelsCommand, HelpListsTheCommand) {
    const auto outcome = run_tunecap({"--help"}, m_temp.path());
    EXPECT_THAT(outcome.out, HasSubstr("tunecap models [--config FILE]"));
    const auto own = run_tunecap({"models", "--help"}, m_temp.path());
    EXPECT_EQ(own.exit_code, 0);
    EXPECT_THAT(own.out, HasSubstr("--config FILE"));
}

}  // namespace
}  // namespace tunecap::testing
