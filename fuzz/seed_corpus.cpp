// SPDX-License-Identifier: GPL-3.0-or-later
// fuzz_seed_corpus SAMPLES_JSONL DIR: writes one libFuzzer seed per sample raw output (in the
// input layout of clean_fuzz.cpp: family byte, budget byte, raw text), with and without a budget.
// The corpus is made at run time so that none is committed.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "clean/clean.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: fuzz_seed_corpus SAMPLES_JSONL DIR\n";
        return 2;
    }
    std::ifstream samples(argv[1]);
    if (!samples) {
        std::cerr << "fuzz_seed_corpus: cannot read " << argv[1] << '\n';
        return 1;
    }
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    // A budget byte of 24 gives 1 + 24 % 64 = 25 tokens: most samples then need a cut.
    constexpr std::uint8_t kBudgetByte = 24;
    int written = 0;
    std::string line;
    while (std::getline(samples, line)) {
        if (line.empty()) continue;
        const auto sample = nlohmann::json::parse(line, nullptr, false);
        if (sample.is_discarded() || !sample.contains("raw") || !sample.contains("family")) {
            std::cerr << "fuzz_seed_corpus: skipping a malformed line\n";
            continue;
        }
        const auto family = tunecap::clean::parse_family(sample["family"].get<std::string>());
        const auto family_byte = static_cast<char>(family ? static_cast<int>(*family) : 0);
        const std::string raw = sample["raw"].get<std::string>();
        for (const std::uint8_t budget : {std::uint8_t{0}, kBudgetByte}) {
            std::ofstream seed(dir / ("sample-" + std::to_string(written++)), std::ios::binary);
            seed << family_byte << static_cast<char>(budget) << raw;
        }
    }
    std::cout << "fuzz_seed_corpus: " << written << " seeds in " << dir.string() << '\n';
    return written > 0 ? 0 : 1;
}
