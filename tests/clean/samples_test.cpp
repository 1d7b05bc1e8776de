// SPDX-License-Identifier: GPL-3.0-or-later
// Every case of tests/data/samples/raw-outputs.jsonl (real model outputs): each `must_contain`
// present, each `must_not_contain` absent, and the caption contract.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clean/clean.hpp"
#include "invariants.hpp"

namespace tunecap::clean {
namespace {

struct Sample {
    std::string id;
    std::string family;
    std::string raw;
    std::vector<std::string> must_contain;
    std::vector<std::string> must_not_contain;
};

std::vector<Sample> load_samples() {
    const std::string path = std::string(TUNECAP_TEST_DATA) + "/samples/raw-outputs.jsonl";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<Sample> samples;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto json = nlohmann::json::parse(line);
        samples.push_back({json.at("id").get<std::string>(), json.at("family").get<std::string>(),
                           json.at("raw").get<std::string>(),
                           json.at("must_contain").get<std::vector<std::string>>(),
                           json.at("must_not_contain").get<std::vector<std::string>>()});
    }
    return samples;
}

TEST(CleanSamples, FileHasCases) {
    // The file is the acceptance set of issue 3; an empty read would pass every check below.
    EXPECT_GE(load_samples().size(), 20u);
}

TEST(CleanSamples, EveryCasePasses) {
    for (const Sample& sample : load_samples()) {
        SCOPED_TRACE(sample.id);
        const auto family = parse_family(sample.family);
        ASSERT_TRUE(family.has_value()) << sample.family;
        const CleanOptions options{*family, std::nullopt, nullptr};
        const CleanResult result = clean_caption(sample.raw, options);
        for (const std::string& needle : sample.must_contain) {
            EXPECT_NE(result.caption.find(needle), std::string::npos)
                << "missing \"" << needle << "\" in: " << result.caption;
        }
        for (const std::string& needle : sample.must_not_contain) {
            EXPECT_EQ(result.caption.find(needle), std::string::npos)
                << "unwanted \"" << needle << "\" in: " << result.caption;
        }
        testing::expect_contract(result, options, sample.id);
    }
}

TEST(CleanSamples, ContractHoldsForEveryFamilyAndBudget) {
    for (const Sample& sample : load_samples()) {
        for (Family family : kAllFamilies) {
            for (const std::optional<int> budget : {std::optional<int>{}, std::optional<int>{12}}) {
                const CleanOptions options{family, budget, nullptr};
                testing::expect_contract(clean_caption(sample.raw, options), options,
                                         sample.id + " as " + std::string(to_string(family)));
            }
        }
    }
}

TEST(CleanSamples, HarmonyWithoutFinalIsNoAnswer) {
    // The analysis channel is reasoning: before, sample 17 became "It is a reggae song with offbeat
    // guitar skanks and a deep bassline." (the analysis without its "We need to..." sentence).
    std::size_t cases = 0;
    for (const Sample& sample : load_samples()) {
        if (sample.id.find("no-final") == std::string::npos) continue;
        ++cases;
        for (Family family : kAllFamilies) {
            const CleanResult result = clean_caption(sample.raw, {family, std::nullopt, nullptr});
            EXPECT_TRUE(result.has(Flag::no_final_channel)) << sample.id << " as " << to_string(family);
            EXPECT_TRUE(result.has(Flag::no_answer)) << sample.id << " as " << to_string(family);
            EXPECT_EQ(result.caption, "") << sample.id << " as " << to_string(family);
        }
    }
    EXPECT_GE(cases, 1u) << "no sample without a final channel: the check above checked nothing";
}

TEST(CleanSamples, HarmonyOutputsReadTheSameWhateverTheFamily) {
    // Before, a Harmony output cleaned as chatml kept its analysis channel ("Analysis We need to...").
    std::size_t cases = 0;
    for (const Sample& sample : load_samples()) {
        if (sample.family != "harmony") continue;
        ++cases;
        const std::string expected = clean_caption(sample.raw, {Family::harmony, std::nullopt, nullptr}).caption;
        for (Family family : kAllFamilies) {
            EXPECT_EQ(clean_caption(sample.raw, {family, std::nullopt, nullptr}).caption, expected)
                << sample.id << " as " << to_string(family);
        }
    }
    EXPECT_GE(cases, 3u);
}

TEST(CleanSamples, EmptyRawIsNotUsable) {
    std::size_t cases = 0;
    for (const Sample& sample : load_samples()) {
        if (!sample.raw.empty()) continue;
        ++cases;
        const CleanResult result = clean_caption(sample.raw, {Family::granite, std::nullopt, nullptr});
        EXPECT_FALSE(result.usable());
        EXPECT_TRUE(result.has(Flag::empty));
    }
    EXPECT_GE(cases, 1u) << "no empty sample: the check above checked nothing";
}

}  // namespace
}  // namespace tunecap::clean
