// SPDX-License-Identifier: GPL-3.0-or-later
// tunecap renders the Harmony (GPT-OSS) and Granite 4.0 raw prompts itself; here they are checked
// against the models' own chat templates (tests/data/templates/, from llama.cpp's repository),
// rendered at test time with Jinja by tests/llm/render_chat_template.py for the same messages.
// Where tunecap departs from the template on purpose, the test says why and applies the departure
// by name, so either side changing shows up here.

#include "llm/prompt_format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "temp_dir.hpp"

namespace tunecap::llm {
namespace {

using core::Family;
using nlohmann::json;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The template's output for `request` (messages, add_generation_prompt, template variables).
std::string render_template(const std::string& template_name, json request) {
    testing::TempDir temp;
    request["now"] = "2026-01-02";  // what strftime_now() returns
    std::ofstream(temp / "request.json") << request.dump();
    const std::string command = "timeout 60 " + std::string(TUNECAP_PYTHON3) + " " + TUNECAP_SOURCE_DIR +
                                "/tests/llm/render_chat_template.py " + TUNECAP_TEST_DATA + "/templates/" + template_name +
                                " <" + (temp / "request.json").string() + " >" + (temp / "prompt.txt").string() + " 2>" +
                                (temp / "error.txt").string();
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("rendering " + template_name + " failed: " + read_file(temp / "error.txt"));
    }
    return read_file(temp / "prompt.txt");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("not in the rendered template: " + from);
    return text.replace(at, from.size(), to);
}

json message(const std::string& role, const std::string& content) { return {{"role", role}, {"content", content}}; }

// GPT-OSS. tunecap asks for low reasoning, which the template takes as the reasoning_effort
// variable (llama-server: chat_template_kwargs). Its deliberate departures from the template:
// - no "Current date:" line: the date would change the prompt, and every stored step's key, daily;
// - the generation prompt goes on to open the final channel, "<|start|>assistant" +
//   "<|channel|>final<|message|>", so the model writes the caption rather than its analysis.
std::string harmony_template(const json& messages) {
    const auto text =
        render_template("openai-gpt-oss-120b.jinja", {{"messages", messages}, {"add_generation_prompt", true}, {"reasoning_effort", "low"}});
    return replaced(text, "Current date: 2026-01-02\n", "") + "<|channel|>final<|message|>";
}

TEST(PromptTemplate, HarmonyWithInstructionsMatchesGptOssTemplate) {
    const auto template_text = harmony_template(json::array({message("system", "Be brief."), message("user", "Revise: a song.")}));
    EXPECT_EQ(render_raw_prompt(Family::harmony, std::string("Be brief."), "Revise: a song.", "").text, template_text);
}

TEST(PromptTemplate, HarmonyWithoutInstructionsMatchesGptOssTemplate) {
    const auto template_text = harmony_template(json::array({message("user", "Describe the track.")}));
    EXPECT_EQ(render_raw_prompt(Family::harmony, std::nullopt, "Describe the track.", "").text, template_text);
}

std::string granite_template(const json& messages) {
    return render_template("ibm-granite-granite-4.0.jinja", {{"messages", messages}, {"add_generation_prompt", true}});
}

TEST(PromptTemplate, GraniteWithItsDefaultSystemPromptMatchesGranite4Template) {
    EXPECT_EQ(render_raw_prompt(Family::granite, std::nullopt, "Hi", "").text, granite_template(json::array({message("user", "Hi")})));
}

TEST(PromptTemplate, GraniteWithASystemPromptMatchesGranite4Template) {
    EXPECT_EQ(render_raw_prompt(Family::granite, std::string("Be brief."), "Hi", "").text,
              granite_template(json::array({message("system", "Be brief."), message("user", "Hi")})));
}

TEST(PromptTemplate, GraniteWithAnEmptySystemPromptDiffersFromGranite4Template) {
    // Deliberate: `system: ""` in a model entry asks for no system block (IBM's Granite 4.0 guide
    // documents none for the language models); the template cannot leave it out and writes its
    // default system prompt instead.
    const auto template_text = granite_template(json::array({message("system", ""), message("user", "Hi")}));
    const std::string default_block =
        "<|start_of_role|>system<|end_of_role|>You are a helpful assistant. Please ensure responses are professional, "
        "accurate, and safe.<|end_of_text|>\n";
    EXPECT_EQ(render_raw_prompt(Family::granite, std::string(), "Hi", "").text, replaced(template_text, default_block, ""));
}

}  // namespace
}  // namespace tunecap::llm
