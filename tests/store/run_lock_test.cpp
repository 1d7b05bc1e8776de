// SPDX-License-Identifier: GPL-3.0-or-later
// One run per output folder: a second is refused with a message naming the folder and the holder.
#include "store/run_lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "temp_dir.hpp"

namespace tunecap::store {
namespace {

using ::testing::HasSubstr;

TEST(RunLock, ASecondRunOnTheSameFolderIsRefusedUntilTheFirstEnds) {
    tunecap::testing::TempDir dir;
    const auto out = dir / "out";
    std::optional<RunLock> first;
    {
        auto lock = RunLock::acquire(out);
        ASSERT_TRUE(lock.ok()) << lock.error().message;
        first.emplace(std::move(lock.value()));
    }
    const auto second = RunLock::acquire(out);
    ASSERT_FALSE(second.ok());
    EXPECT_THAT(second.error().message, HasSubstr(out.string() + ": another tunecap run (pid " + std::to_string(::getpid()) +
                                                  ") is using this output folder"));
    EXPECT_TRUE(RunLock::acquire(dir / "elsewhere").ok());
    first.reset();
    EXPECT_TRUE(RunLock::acquire(out).ok());
}

}  // namespace
}  // namespace tunecap::store
