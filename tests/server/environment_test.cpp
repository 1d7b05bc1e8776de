// SPDX-License-Identifier: GPL-3.0-or-later
// What of tunecap's environment a managed llama-server gets: what it needs, what the config names,
// and never a key.
#include "server/environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fake_clock.hpp"
#include "fake_process.hpp"
#include "fake_transport.hpp"
#include "server/backend.hpp"
#include "temp_dir.hpp"

namespace tunecap::server {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

const std::vector<std::string> kShell = {
    "PATH=/usr/local/bin:/usr/bin",
    "HOME=/home/u",
    "LC_ALL=C.UTF-8",
    "CUDA_VISIBLE_DEVICES=1",
    "HF_TOKEN=hf_for_downloads",
    "OPENAI_API_KEY=sk-not-for-servers",
    "MY_ENDPOINT_KEY=endpoint-secret",
    "AWS_SECRET_ACCESS_KEY=cloud-secret",
    "LLAMA_ARG_CHAT_TEMPLATE=chatml",
    "TUNECAP_MODELS=/models",
    "PS1=$ ",
    "GGML_CUDA_ENABLE_UNIFIED_MEMORY=1",
    "OPTS=a=b=c",
};

TEST(ServerEnvironment, PassesWhatServersNeedAndNothingElse) {
    EXPECT_THAT(server_environment(kShell, {}, {}),
                ElementsAre("PATH=/usr/local/bin:/usr/bin", "HOME=/home/u", "LC_ALL=C.UTF-8", "CUDA_VISIBLE_DEVICES=1",
                            "HF_TOKEN=hf_for_downloads", "GGML_CUDA_ENABLE_UNIFIED_MEMORY=1"));
}

// Every variable llama-server reads to place and fetch -hf and -mmu downloads (server/hf_cache.hpp).
TEST(ServerEnvironment, WhereDownloadsGoAndComeFromPasses) {
    const std::vector<std::string> shell = {"LLAMA_CACHE=/c", "HF_HUB_CACHE=/h", "HUGGINGFACE_HUB_CACHE=/o", "HF_HOME=/f",
                                            "XDG_CACHE_HOME=/x", "MODEL_ENDPOINT=https://m", "HF_ENDPOINT=https://e"};
    EXPECT_EQ(server_environment(shell, {}, {}), shell);
}

TEST(ServerEnvironment, TheConfigAddsNamesAndGlobsWithValuesKeptWhole) {
    const auto env = server_environment(kShell, {"LLAMA_ARG_*", "OPTS"}, {});
    EXPECT_THAT(env, ::testing::Contains("LLAMA_ARG_CHAT_TEMPLATE=chatml"));
    EXPECT_THAT(env, ::testing::Contains("OPTS=a=b=c"));
    EXPECT_THAT(env, ::testing::Not(::testing::Contains("TUNECAP_MODELS=/models")));
}

TEST(ServerEnvironment, AKeyIsWithheldEvenWhenTheConfigAsksForEverything) {
    const auto env = server_environment(kShell, {"*"}, {"OPENAI_API_KEY", "MY_ENDPOINT_KEY", "HF_TOKEN"});
    EXPECT_EQ(env.size(), kShell.size() - 3);
    for (const auto& entry : env) {
        EXPECT_EQ(entry.find("OPENAI_API_KEY="), std::string::npos);
        EXPECT_EQ(entry.find("MY_ENDPOINT_KEY="), std::string::npos);
        EXPECT_EQ(entry.find("HF_TOKEN="), std::string::npos);
    }
}

TEST(ServerEnvironment, MalformedEntriesAreDropped) {
    EXPECT_THAT(server_environment({"=value", "NOEQUALS", "PATH=/bin"}, {"*"}, {}), ElementsAre("PATH=/bin"));
}

TEST(ServerEnvironment, AManagedServerIsSpawnedWithTheEnvironmentItIsGiven) {
    auto clock = std::make_shared<tunecap::testing::FakeClock>();
    auto launcher = std::make_shared<tunecap::testing::FakeLauncher>(*clock);
    auto transport = std::make_shared<tunecap::testing::FakeTransport>();
    transport->script("/health", {tunecap::testing::answer(200, tunecap::testing::kHealthOk)});
    transport->script("/props", {tunecap::testing::answer(200, tunecap::testing::props_body(2048, 1, false))});
    tunecap::testing::TempDir temp;
    SupervisorSettings settings;
    settings.log_dir = temp / "logs";
    settings.environment = server_environment(kShell, {}, {"HF_TOKEN"});
    config::Model model;
    model.name = "qwen3";
    model.gguf = "/models/qwen3.gguf";
    auto server = ManagedServer::start(model, false, "/bin/llama-server", settings,
                                       Seams{launcher, transport, clock, [] { return 21000; }});
    ASSERT_TRUE(server.ok()) << server.error().message;
    ASSERT_EQ(launcher->children().size(), 1u);
    EXPECT_THAT(*launcher->children()[0]->request().environment,
                UnorderedElementsAre("PATH=/usr/local/bin:/usr/bin", "HOME=/home/u", "LC_ALL=C.UTF-8",
                                     "CUDA_VISIBLE_DEVICES=1", "GGML_CUDA_ENABLE_UNIFIED_MEMORY=1"));
    (*server)->stop();
}

TEST(ServerEnvironment, SetVariableReplacesWhatTheVariableHeld) {
    std::vector<std::string> environment = {"PATH=/bin", "CUDA_VISIBLE_DEVICES=0,1", "CUDA_VISIBLE_DEVICES_X=3"};
    set_variable(environment, "CUDA_VISIBLE_DEVICES", "2");
    EXPECT_THAT(environment, UnorderedElementsAre("PATH=/bin", "CUDA_VISIBLE_DEVICES_X=3", "CUDA_VISIBLE_DEVICES=2"));
}

}  // namespace
}  // namespace tunecap::server
