// SPDX-License-Identifier: GPL-3.0-or-later
// Rendered raw prompts against what a real llama-server's /apply-template returned (transcripts
// s1-18, s2-04), and the parts of each family's format that are tunecap's own choice. The Harmony
// and Granite texts are checked against the models' chat templates in prompt_template_process_test.cpp.

#include "llm/prompt_format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transcript.hpp"

namespace tunecap::llm {
namespace {

using core::Family;
using ::testing::HasSubstr;

std::string recorded_prompt(const std::string& transcript) {
    return nlohmann::json::parse(testing::read_recorded_response(transcript).body)["prompt"].get<std::string>();
}

TEST(PromptFormat, ChatMlMatchesTheRealServersTemplate) {
    // s1-18: messages [system "sys", user "Hi"] through the GGUF's Qwen2.5 template.
    EXPECT_EQ(render_raw_prompt(Family::chatml, std::string("sys"), "Hi", "").text, recorded_prompt("s1-18-apply-template"));
}

TEST(PromptFormat, Qwen3ThinkingOffMatchesTheRealServersTemplate) {
    // s2-04: [user "Hi"] with chat_template_kwargs.enable_thinking = false.
    EXPECT_EQ(render_raw_prompt(Family::qwen3, std::nullopt, "Hi", "").text, recorded_prompt("s2-04-apply-template-thinking-false"));
}

TEST(PromptFormat, HarmonyHasLowReasoningNoDateAndFinalChannelPrefill) {
    const auto p = render_raw_prompt(Family::harmony, std::string("Be brief."), "Revise: a song.", "");
    EXPECT_THAT(p.text, HasSubstr("Reasoning: low\n"));
    EXPECT_THAT(p.text, ::testing::Not(HasSubstr("Current date")));  // it would change every step's key daily
    EXPECT_THAT(p.text, ::testing::EndsWith("<|start|>assistant<|channel|>final<|message|>"));
    EXPECT_EQ(p.stops, (std::vector<std::string>{"<|return|>", "<|end|>"}));
    // No developer message without instructions.
    EXPECT_THAT(render_raw_prompt(Family::harmony, std::nullopt, "x", "").text, ::testing::Not(HasSubstr("developer")));
}

TEST(PromptFormat, GraniteStopsAtEndOfTextAndAnEmptySystemPromptRemovesTheBlock) {
    const auto p = render_raw_prompt(Family::granite, std::nullopt, "Hi", "");
    EXPECT_THAT(p.text, HasSubstr("<|start_of_role|>system<|end_of_role|>"));
    EXPECT_EQ(p.stops, (std::vector<std::string>{"<|end_of_text|>"}));
    // tunecap's own choice (the template has no way to leave the system block out).
    EXPECT_THAT(render_raw_prompt(Family::granite, std::string(), "Hi", "").text, ::testing::Not(HasSubstr("system")));
}

TEST(PromptFormat, AudioFamiliesPutTheServersMarkerBeforeTheInstruction) {
    const std::string marker = "<__media_3IzE8OA4__>";
    EXPECT_EQ(render_raw_prompt(Family::qwen2_5_omni, std::nullopt, "Describe.", marker).text,
              "<|im_start|>system\nYou are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of "
              "perceiving auditory and visual inputs, as well as generating text and speech.<|im_end|>\n"
              "<|im_start|>user\n<__media_3IzE8OA4__>Describe.<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(render_raw_prompt(Family::music_flamingo, std::nullopt, "Describe.", marker).text,
              "<|im_start|>user\n<__media_3IzE8OA4__>\nDescribe.<|im_end|>\n<|im_start|>assistant\n");
}

TEST(PromptFormat, PerFamilyDefaultsAreOverriddenByTheConfig) {
    EXPECT_EQ(default_request_path(Family::harmony), core::RequestPath::raw);
    EXPECT_EQ(default_request_path(Family::granite), core::RequestPath::raw);
    EXPECT_EQ(default_request_path(Family::qwen3), core::RequestPath::chat);
    EXPECT_EQ(default_request_path(Family::music_flamingo), core::RequestPath::chat);

    const auto qwen3 = sampling_with_defaults(Family::qwen3, {});
    EXPECT_EQ(qwen3.top_p, 0.8);
    EXPECT_EQ(qwen3.top_k, 20);
    EXPECT_EQ(qwen3.min_p, 0.0);
    core::Sampling mine;
    mine.top_k = 50;
    mine.seed = 9;
    const auto merged = sampling_with_defaults(Family::qwen3, mine);
    EXPECT_EQ(merged.top_k, 50);
    EXPECT_EQ(merged.seed, 9);
    EXPECT_EQ(merged.top_p, 0.8);
}

}  // namespace
}  // namespace tunecap::llm
