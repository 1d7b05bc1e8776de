// SPDX-License-Identifier: GPL-3.0-or-later
// stop_process(): exactly one SIGTERM, the grace on the clock, then SIGKILL; on a fake process and
// a fake clock, so the grace is exact and nothing sleeps.

#include <signal.h>

#include <gtest/gtest.h>

#include "fake_clock.hpp"
#include "fake_process.hpp"
#include "server/process.hpp"
#include "temp_dir.hpp"

namespace tunecap::server {
namespace {

using namespace std::chrono_literals;
using tunecap::testing::ChildScript;
using tunecap::testing::FakeClock;
using tunecap::testing::FakeLauncher;
using tunecap::testing::Signal;

class StopProtocol : public ::testing::Test {
protected:
    std::unique_ptr<Process> spawn(ChildScript script) {
        m_launcher.script({std::move(script)});
        return std::move(m_launcher.spawn({"/bin/llama-server", {}, m_temp / "child.log", std::nullopt})).take();
    }
    std::vector<Signal> signals() const { return m_launcher.children().back()->signals(); }

    testing::TempDir m_temp;
    FakeClock m_clock;
    FakeLauncher m_launcher{m_clock};
};

TEST_F(StopProtocol, AChildThatExitsWithinTheGraceIsNotKilled) {
    ChildScript script;
    script.sigterm_exit_after = 150ms;
    auto child = spawn(script);
    EXPECT_EQ(stop_process(*child, 10s, m_clock), 0);
    EXPECT_EQ(signals(), (std::vector<Signal>{{SIGTERM, 0ms}}));
    EXPECT_EQ(m_clock.elapsed(), 150ms);  // returns as soon as the child is seen to end
}

TEST_F(StopProtocol, AChildIgnoringSigtermIsKilledAtExactlyTheGrace) {
    ChildScript script;
    script.sigterm_exit_after = std::nullopt;
    auto child = spawn(script);
    EXPECT_EQ(stop_process(*child, 10s, m_clock), 128 + SIGKILL);
    EXPECT_EQ(signals(), (std::vector<Signal>{{SIGTERM, 0ms}, {SIGKILL, 10000ms}}));
}

TEST_F(StopProtocol, AGraceThatIsNotAMultipleOfThePollIntervalIsStillExact) {
    ChildScript script;
    script.sigterm_exit_after = std::nullopt;
    auto child = spawn(script);
    stop_process(*child, 1234ms, m_clock);
    EXPECT_EQ(signals().back(), (Signal{SIGKILL, 1234ms}));
}

TEST_F(StopProtocol, AnAlreadyDeadChildGetsNoSignal) {
    ChildScript script;
    script.exits_after = 0ms;
    script.exit_status = 3;
    auto child = spawn(script);
    EXPECT_EQ(stop_process(*child, 10s, m_clock), 3);
    EXPECT_TRUE(signals().empty());
    EXPECT_EQ(m_clock.elapsed(), 0ms);
}

TEST_F(StopProtocol, AZeroGraceKillsAtOnceAfterTheOneSigterm) {
    ChildScript script;
    script.sigterm_exit_after = 5s;
    auto child = spawn(script);
    EXPECT_EQ(stop_process(*child, 0ms, m_clock), 128 + SIGKILL);
    EXPECT_EQ(signals(), (std::vector<Signal>{{SIGTERM, 0ms}, {SIGKILL, 0ms}}));
}

}  // namespace
}  // namespace tunecap::server
