// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "step_rows.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using tunecap::testing::TempDir;

constexpr int kThreads = 8;
constexpr int kRowsPerThread = 200;

std::string key_of(int thread, int row) { return "t" + std::to_string(thread) + "-r" + std::to_string(row); }

TEST(StoreConcurrency, PutStepFromEightThreadsKeepsEveryRow) {
    TempDir dir;
    auto opened = Store::open(dir / "tunecap.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Store& store = **opened;

    std::atomic<int> failures = 0;
    {
        std::vector<std::jthread> workers;
        for (int thread = 0; thread < kThreads; ++thread) {
            workers.emplace_back([&store, &failures, thread] {
                for (int row = 0; row < kRowsPerThread; ++row) {
                    const StepRow step = full_row(key_of(thread, row), "track-" + std::to_string(thread));
                    if (!store.put_step(step).ok()) ++failures;
                    // Reads interleave with other threads' writes, as the pipeline's would.
                    if (store.find_step(step.key) != step) ++failures;
                }
            });
        }
    }
    EXPECT_EQ(failures, 0);

    EXPECT_EQ(store.all_steps().size(), static_cast<std::size_t>(kThreads * kRowsPerThread));
    for (int thread = 0; thread < kThreads; ++thread) {
        EXPECT_EQ(store.steps_for_track("track-" + std::to_string(thread)).size(), static_cast<std::size_t>(kRowsPerThread));
        for (int row = 0; row < kRowsPerThread; ++row) {
            ASSERT_EQ(store.find_step(key_of(thread, row)), full_row(key_of(thread, row), "track-" + std::to_string(thread)));
        }
    }
}

}  // namespace
}  // namespace tunecap::store
