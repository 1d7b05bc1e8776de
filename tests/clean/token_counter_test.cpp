// SPDX-License-Identifier: GPL-3.0-or-later
// Token counts and the budget: the estimate's rules, SentencePiece counts from a tiny unigram model
// trained here (a stand-in for T5's spiece.model, which is not available offline), and cuts at
// sentence and word boundaries.

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "clean/clean.hpp"
#include "clean/stages.hpp"
#include "invariants.hpp"
#include "temp_dir.hpp"

namespace tunecap::clean {
namespace {

TEST(EstimateCounter, CountsPiecesPlusEndOfSequence) {
    const EstimateCounter counter;
    EXPECT_EQ(counter.count(""), 0);
    EXPECT_EQ(counter.count("   "), 0);
    EXPECT_EQ(counter.count("A."), 3);                // "A" "." </s>
    EXPECT_EQ(counter.count("a warm track"), 4);      // three short words
    EXPECT_EQ(counter.count("psychedelic"), 3);       // 11 letters: two chunks
    EXPECT_EQ(counter.count("BPM"), 3);               // capitals split in pairs
    EXPECT_EQ(counter.count("2024"), 3);              // digits in threes
    EXPECT_EQ(counter.count("lo-fi, F#"), 7);         // lo - fi , F # </s>
}

TEST(EstimateCounter, GrowsWithText) {
    const EstimateCounter counter;
    const std::string sentence = "A hypnotic Goa trance track with a rolling bassline. ";
    std::string text;
    int previous = 0;
    for (int i = 0; i < 5; ++i) {
        text += sentence;
        const int now = counter.count(text);
        EXPECT_GT(now, previous);
        previous = now;
    }
}

TEST(SentencePieceCounter, MissingFileIsAnError) {
    const auto counter = SentencePieceCounter::load("/nonexistent/spiece.model");
    ASSERT_FALSE(counter.ok());
    EXPECT_NE(counter.error().message.find("/nonexistent/spiece.model"), std::string::npos);
}

TEST(SentencePieceCounter, InvalidFileIsAnError) {
    const tunecap::testing::TempDir dir;
    const auto path = dir / "garbage.model";
    std::ofstream(path) << "this is not a protobuf model";
    const auto counter = SentencePieceCounter::load(path);
    ASSERT_FALSE(counter.ok());
    EXPECT_NE(counter.error().message.find("not a SentencePiece model"), std::string::npos);
}

// A caption-like corpus, deterministic.
std::string write_corpus(const std::filesystem::path& path) {
    const std::vector<std::string> adjectives{"warm", "dark", "hypnotic", "driving", "mellow",
                                              "bright", "melancholic", "euphoric", "gritty"};
    const std::vector<std::string> genres{"techno", "trance", "ambient", "folk", "jazz",
                                          "drum and bass", "hip hop", "psytrance", "house"};
    const std::vector<std::string> parts{"bassline", "synth pads", "acoustic guitar", "piano",
                                         "vocals", "hi-hats", "strings", "kick drum", "arpeggios"};
    std::mt19937 random(7);
    const auto pick = [&](const std::vector<std::string>& words) {
        return words[random() % words.size()];
    };
    std::ofstream out(path);
    for (int i = 0; i < 400; ++i) {
        out << "A " << pick(adjectives) << ' ' << pick(genres) << " track with " << pick(parts)
            << " and " << pick(parts) << " at " << 80 + random() % 100 << " BPM.\n";
    }
    return path.string();
}

class TrainedModel : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = std::make_unique<tunecap::testing::TempDir>();
        const std::string corpus = write_corpus(*s_dir / "corpus.txt");
        const std::string prefix = (*s_dir / "tiny").string();
        const auto status = sentencepiece::SentencePieceTrainer::Train(
            "--input=" + corpus + " --model_prefix=" + prefix +
            " --vocab_size=80 --hard_vocab_limit=false --model_type=unigram --character_coverage=1.0"
            " --num_threads=1 --minloglevel=2");
        ASSERT_TRUE(status.ok()) << status.ToString();
        s_model = prefix + ".model";
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    static inline std::unique_ptr<tunecap::testing::TempDir> s_dir;
    static inline std::string s_model;
};

TEST_F(TrainedModel, CountsArePiecesPlusEndOfSequence) {
    auto counter = SentencePieceCounter::load(s_model);
    ASSERT_TRUE(counter.ok()) << counter.error().message;
    sentencepiece::SentencePieceProcessor reference;
    ASSERT_TRUE(reference.Load(s_model).ok());
    for (const std::string text : {"A warm techno track with piano.", "zzz qqq", "A."}) {
        std::vector<int> ids;
        ASSERT_TRUE(reference.Encode(text, &ids).ok());
        EXPECT_EQ(counter->count(text), static_cast<int>(ids.size()) + 1) << text;
    }
    EXPECT_EQ(counter->count(""), 0);
}

TEST_F(TrainedModel, BudgetUsesTheModelCounts) {
    auto counter = SentencePieceCounter::load(s_model);
    ASSERT_TRUE(counter.ok());
    const std::string raw =
        "A warm techno track with piano and strings at 120 BPM. A dark trance track with vocals. "
        "A mellow folk track with acoustic guitar.";
    const int full = counter->count(clean_caption(raw, {Family::qwen3, std::nullopt, nullptr}).caption);
    const int budget = full / 2;
    const CleanOptions options{Family::qwen3, budget, &*counter};
    const CleanResult result = clean_caption(raw, options);
    EXPECT_TRUE(result.has(Flag::truncated));
    EXPECT_LE(result.t5_tokens, budget);
    EXPECT_EQ(result.t5_tokens, counter->count(result.caption));
    EXPECT_EQ(result.caption.rfind("A warm techno track", 0), 0u) << result.caption;
    testing::expect_contract(result, options, "trained model budget");
}

// ---- Truncation ----

const std::string kThreeSentences =
    "A hypnotic Goa trance track. It has a rolling bassline and squelchy acid leads. "
    "The breakdown is euphoric.";

TEST(Truncation, UnderBudgetIsUntouched) {
    const CleanResult result = clean_caption(kThreeSentences, {Family::qwen3, 200, nullptr});
    EXPECT_EQ(result.caption, kThreeSentences);
    EXPECT_FALSE(result.has(Flag::truncated));
}

TEST(Truncation, CutsAtTheLastSentenceThatFits) {
    const EstimateCounter counter;
    const std::string two = "A hypnotic Goa trance track. It has a rolling bassline and squelchy acid leads.";
    const CleanResult result = clean_caption(kThreeSentences, {Family::qwen3, counter.count(two), nullptr});
    EXPECT_EQ(result.caption, two);
    EXPECT_TRUE(result.has(Flag::truncated));
    EXPECT_EQ(result.t5_tokens, counter.count(two));
}

TEST(Truncation, CutsAtAWordWhenNoSentenceFits) {
    const CleanResult result = clean_caption(kThreeSentences, {Family::qwen3, 5, nullptr});
    EXPECT_EQ(result.caption, "A hypnotic.");
    EXPECT_TRUE(result.has(Flag::truncated));
    EXPECT_LE(result.t5_tokens, 5);
}

TEST(Truncation, CutsInsideTheFirstWordWhenNoWordFits) {
    // The budget is a promise: before, the first word was kept whole whatever its length.
    const CleanResult result = clean_caption("Psychedelic trance.", {Family::qwen3, 3, nullptr});
    EXPECT_EQ(result.caption, "Psyche.");  // one piece, the period, end of sequence
    EXPECT_TRUE(result.has(Flag::truncated));
    EXPECT_EQ(result.t5_tokens, 3);
}

TEST(Truncation, NothingIsKeptWhenNotOneCharacterFits) {
    const CleanResult result = clean_caption("Psychedelic trance.", {Family::qwen3, 1, nullptr});
    EXPECT_EQ(result.caption, "");
    EXPECT_TRUE(result.has(Flag::truncated));
    EXPECT_TRUE(result.has(Flag::empty));
    EXPECT_EQ(result.t5_tokens, 0);
}

TEST(Truncation, DropsAnOpenParenthesisAndDanglingWords) {
    const EstimateCounter counter;
    const std::string_view caption = "A slow dub track (with tape echo and spring reverb on the snare).";
    const std::string cut = truncate_to_budget(caption, counter.count("A slow dub track (with tape"), counter);
    EXPECT_EQ(cut, "A slow dub track.");
    const std::string dangling = truncate_to_budget("Warm pads, soft keys, and a slow beat.",
                                                    counter.count("Warm pads, soft keys,"), counter);
    EXPECT_EQ(dangling, "Warm pads, soft keys.");
}

TEST(Truncation, IsIdempotentForEveryBudget) {
    for (int budget = 1; budget <= 40; ++budget) {
        const CleanOptions options{Family::chatml, budget, nullptr};
        const CleanResult result = clean_caption(kThreeSentences, options);
        testing::expect_contract(result, options, "budget " + std::to_string(budget));
        EXPECT_LE(result.t5_tokens, budget);
    }
}

}  // namespace
}  // namespace tunecap::clean
