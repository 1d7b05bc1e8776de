// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// T5 token counts for the caption budget. Both counters include the end-of-sequence token T5
// appends, so a count is the length the text encoder sees; the empty string counts 0 (no caption).

#include <filesystem>
#include <memory>
#include <string_view>

#include "core/result.hpp"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace tunecap::clean {

class TokenCounter {
public:
    virtual ~TokenCounter() = default;
    // Thread-safe; never throws.
    virtual int count(std::string_view text) const = 0;
};

// No model needed. Mimics T5's SentencePiece unigram vocabulary (32k pieces, cased, trained on
// English web text) on the captions this module emits:
// - a run of lower-case letters (optionally capitalised) of length L: ceil(L / 6) pieces, i.e. a
//   common word is one piece and long or rare words split into chunks of about six letters;
// - a run of letters with more than one capital (BPM, EDM, DnB): ceil(L / 2) pieces, as
//   upper-case fragments are rare in the vocabulary;
// - a run of digits of length L: ceil(L / 3) pieces;
// - every other non-space character (punctuation): one piece;
// - plus one end-of-sequence token.
// The error against the real T5 tokenizer has not been measured (no T5 model file is available
// where this was written); see src/clean/README.md. It is meant to err high, so a caption cut to
// the estimated budget also fits the real one.
class EstimateCounter final : public TokenCounter {
public:
    int count(std::string_view text) const override;
};

// Exact counts from a SentencePiece .model file (for T5: the `spiece.model` shipped with t5-base,
// flan-t5, ...).
class SentencePieceCounter final : public TokenCounter {
public:
    // Error when the file is missing or is not a SentencePiece model.
    static core::Result<SentencePieceCounter> load(const std::filesystem::path& model_file);

    SentencePieceCounter(SentencePieceCounter&&) noexcept;
    SentencePieceCounter& operator=(SentencePieceCounter&&) noexcept;
    ~SentencePieceCounter() override;

    int count(std::string_view text) const override;

private:
    explicit SentencePieceCounter(std::unique_ptr<sentencepiece::SentencePieceProcessor> processor);
    std::unique_ptr<sentencepiece::SentencePieceProcessor> m_processor;
};

}  // namespace tunecap::clean
