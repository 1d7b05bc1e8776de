// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor's pure parts and an external endpoint served in-process: the flags a managed
// server gets, finding the binary, and a vLLM-like server without /props. No child process.

#include "server/backend.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <httplib.h>

#include <thread>

#include "endpoint_model.hpp"
#include "wait_for.hpp"

namespace tunecap::server {
namespace {

using ::testing::HasSubstr;

TEST(ServerArguments, EveryFlagIsExplicit) {
    config::Model m;
    m.name = "qwen3_14b";
    m.gguf = "/m/q.gguf";
    m.mmproj = "/m/p.gguf";
    m.ctx = 32768;
    m.slots = 4;
    m.batch = 2048;
    m.ubatch = 256;
    m.cache_type_k = "q4_0";
    m.cache_type_v = "q8_0";
    m.gpu_layers = 40;
    m.server_args = {"--threads", "8"};
    EXPECT_EQ(server_arguments(m, 23456, "/k/api-key"),
              (std::vector<std::string>{"-m", "/m/q.gguf", "--mmproj", "/m/p.gguf", "-c", "32768", "-np", "4", "-b", "2048",
                                        "-ub", "256", "-ctk", "q4_0", "-ctv", "q8_0", "-ngl", "40", "-fa", "on", "--fit",
                                        "off", "--jinja", "--no-webui", "--host", "127.0.0.1", "--port", "23456",
                                        "--api-key-file", "/k/api-key", "--alias", "qwen3_14b", "--threads", "8"}));
    config::Model bare;
    bare.name = "b";
    bare.gguf = "/m/b.gguf";
    const auto args = server_arguments(bare, 1, "/k");
    auto value_of = [&](const std::string& flag) { return *(std::find(args.begin(), args.end(), flag) + 1); };
    EXPECT_EQ(value_of("-np"), "1");
    EXPECT_EQ(value_of("-c"), "8192");
    EXPECT_EQ(value_of("-ctk"), "f16");
    EXPECT_EQ(std::find(args.begin(), args.end(), "--mmproj"), args.end());
}

// -hf instead of -m; the projector: none (--no-mmproj, so a text model loads no projector the repo
// ships), the repo's own (llama-server's default), a URL (-mmu) or a local file (--mmproj).
TEST(ServerArguments, AnHfModelIsFetchedByLlamaServer) {
    config::Model m;
    m.name = "omni";
    m.hf = config::HfModel{"ggml-org/Qwen2.5-Omni-7B-GGUF", "Q4_K_M"};
    auto head = [&] {
        const auto args = server_arguments(m, 1, "/k");
        return std::vector<std::string>(args.begin(), std::find(args.begin(), args.end(), "-c"));
    };
    EXPECT_EQ(head(), (std::vector<std::string>{"-hf", "ggml-org/Qwen2.5-Omni-7B-GGUF:Q4_K_M", "--no-mmproj"}));
    m.mmproj_hf = config::HfProjector{};
    EXPECT_EQ(head(), (std::vector<std::string>{"-hf", "ggml-org/Qwen2.5-Omni-7B-GGUF:Q4_K_M"}));
    m.mmproj_hf = config::HfProjector{"o/p", "x.gguf", "https://huggingface.co/o/p/resolve/main/x.gguf"};
    EXPECT_EQ(head(), (std::vector<std::string>{"-hf", "ggml-org/Qwen2.5-Omni-7B-GGUF:Q4_K_M", "-mmu",
                                                "https://huggingface.co/o/p/resolve/main/x.gguf"}));
    m.mmproj_hf.reset();
    m.mmproj = "/m/p.gguf";
    EXPECT_EQ(head(), (std::vector<std::string>{"-hf", "ggml-org/Qwen2.5-Omni-7B-GGUF:Q4_K_M", "--mmproj", "/m/p.gguf"}));
}

TEST(FindExecutable, MissingBinaryIsOneClearError) {
    auto missing = find_executable("no-such-llama-server-binary");
    ASSERT_FALSE(missing.ok());
    EXPECT_THAT(missing.error().message, HasSubstr("is not on PATH"));
    EXPECT_THAT(find_executable("/nonexistent/llama-server").error().message, HasSubstr("not found"));
    EXPECT_TRUE(find_executable("sh").ok());
}


using testing::endpoint_model;

TEST(ExternalEndpoint, AServerWithoutPropsGetsTheConfigsValuesAndItsReasoningIsRead) {
    // A vLLM-like server: no /props, reasoning in message.reasoning.
    httplib::Server vllm;
    std::string authorization;
    vllm.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
        authorization = req.get_header_value("Authorization");
        res.set_content(
            R"({"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"A calm piano piece.","reasoning":"Short."}}],"usage":{"prompt_tokens":12,"completion_tokens":5}})",
            "application/json");
    });
    const int port = vllm.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { vllm.listen_after_bind(); });
    if (!testing::wait_for([&] { return vllm.is_running(); }, std::chrono::seconds(30))) {
        vllm.stop();
        thread.join();
        FAIL() << "the in-process server did not start";
    }
    auto env = [](const std::string&) -> std::optional<std::string> { return "token"; };
    auto endpoint = ExternalEndpoint::connect(endpoint_model("http://127.0.0.1:" + std::to_string(port), "VLLM_KEY"), 0, env);
    ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
    EXPECT_EQ((*endpoint)->props().total_slots, 3);
    EXPECT_EQ((*endpoint)->props().n_ctx, 4000);
    llm::Client client((*endpoint)->address());
    llm::GenerationRequest request;
    request.user = "x";
    const auto result = client.generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->content, "A calm piano piece.");
    EXPECT_EQ(result->reasoning, "Short.");
    EXPECT_EQ(authorization, "Bearer token");
    vllm.stop();
    thread.join();
}

}  // namespace
}  // namespace tunecap::server
