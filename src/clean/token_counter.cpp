// SPDX-License-Identifier: GPL-3.0-or-later
#include "clean/token_counter.hpp"

#include <sentencepiece_processor.h>

#include <system_error>
#include <utility>
#include <vector>

#include "clean/scan.hpp"

namespace tunecap::clean {

int EstimateCounter::count(std::string_view text) const {
    int pieces = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (is_alpha(c)) {
            std::size_t end = i;
            int capitals = 0;
            while (end < text.size() && is_alpha(text[end])) {
                if (is_upper(text[end])) ++capitals;
                ++end;
            }
            const int length = static_cast<int>(end - i);
            pieces += capitals > 1 ? (length + 1) / 2 : (length + 5) / 6;
            i = end;
        } else if (is_digit(c)) {
            std::size_t end = i;
            while (end < text.size() && is_digit(text[end])) ++end;
            pieces += (static_cast<int>(end - i) + 2) / 3;
            i = end;
        } else {
            if (!is_space(c)) ++pieces;
            ++i;
        }
    }
    return pieces == 0 ? 0 : pieces + 1;
}

SentencePieceCounter::SentencePieceCounter(
    std::unique_ptr<sentencepiece::SentencePieceProcessor> processor)
    : m_processor(std::move(processor)) {}
SentencePieceCounter::SentencePieceCounter(SentencePieceCounter&&) noexcept = default;
SentencePieceCounter& SentencePieceCounter::operator=(SentencePieceCounter&&) noexcept = default;
SentencePieceCounter::~SentencePieceCounter() = default;

core::Result<SentencePieceCounter> SentencePieceCounter::load(
    const std::filesystem::path& model_file) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(model_file, error)) {
        return core::Error{model_file.string() + ": SentencePiece model file not found"};
    }
    auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto status = processor->Load(model_file.string());
    if (!status.ok()) {
        return core::Error{model_file.string() + ": not a SentencePiece model (" +
                           std::string(status.message()) + ")"};
    }
    return SentencePieceCounter(std::move(processor));
}

int SentencePieceCounter::count(std::string_view text) const {
    if (text.empty()) return 0;
    std::vector<int> ids;
    // Encode fails only on a processor without a model, which load() never returns; the estimate
    // keeps the budget meaningful even then.
    if (!m_processor->Encode(text, &ids).ok()) return EstimateCounter{}.count(text);
    return static_cast<int>(ids.size()) + 1;
}

}  // namespace tunecap::clean
