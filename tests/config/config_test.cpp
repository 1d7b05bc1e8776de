// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace tunecap::config {
namespace {

using ::testing::HasSubstr;

Environment fake_env(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

const Environment kHomeOnly = fake_env({{"HOME", "/home/u"}});

Layer default_layer() { return {"default.yaml", std::string(default_config_text()), "/defaults"}; }

core::Result<Config> load_user(const std::string& yaml, const Environment& env = kHomeOnly) {
    return load_layers({default_layer(), {"/cfg/user.yaml", yaml, "/cfg"}}, env);
}

// A minimal complete config, used where the default graph would get in the way.
const char* kSmall = R"(
models:
  text: {gguf: m.gguf, family: qwen3}
  ears: {gguf: a.gguf, mmproj: p.gguf, family: qwen2.5-omni}
prompts: {one: "Describe it.", two: "Name the instruments."}
templates: {genre_hint: "Genres: {genres}.", revise: "Fix: {caption}", ensemble: "Merge: {captions}", audio_revise: "Check: {caption}"}
)";

TEST(Config, DefaultReproducesTheOriginalBenchmark) {
    auto config = load_layers({default_layer()}, kHomeOnly);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->models.size(), 5u);
    std::vector<std::string> prompt_ids;
    for (const auto& p : config->prompts) prompt_ids.push_back(p.id);
    EXPECT_EQ(prompt_ids,
              (std::vector<std::string>{"descriptive", "technical", "brief", "mood", "instrumentation", "facts"}));
    std::vector<std::string> phase_ids;
    std::size_t steps = 0;
    for (const auto& p : config->phases) {
        phase_ids.push_back(p.id);
        if (p.genre_hint != GenreHint::wrong) steps += p.models.size() * p.prompts.size();
    }
    EXPECT_EQ(phase_ids, (std::vector<std::string>{"flamingo", "flamingo_genre", "flamingo_wrong_hint", "revision", "omni",
                                                    "omni_genre", "omni_wrong_hint", "omni_revision", "ensemble", "facts"}));
    EXPECT_EQ(steps, 55u);  // model steps of the benchmark; the facts phase runs none
    // The wrong-hint probe: one prompt of each audio model, with contrasts to draw from.
    EXPECT_EQ(config->find_phase("omni_wrong_hint")->genre_hint, GenreHint::wrong);
    EXPECT_EQ(config->find_phase("omni_wrong_hint")->prompts, std::vector<std::string>{"brief"});
    ASSERT_FALSE(config->genre_contrasts.empty());
    EXPECT_EQ(config->genre_contrasts[0].a, "Techno");
    EXPECT_EQ(config->genre_contrasts[0].b, "Folk");
    EXPECT_EQ(config->find_phase("facts")->kind, PhaseKind::template_);
    EXPECT_EQ(config->find_phase("flamingo")->prompts.size(), 5u);  // not the facts prompt
    EXPECT_EQ(config->find_phase("ensemble")->inputs, (std::vector<std::string>{"flamingo", "omni"}));
    EXPECT_EQ(config->find_phase("flamingo_genre")->genre_hint, GenreHint::genres);
    const auto* granite = config->find_model("granite_tiny");
    ASSERT_NE(granite, nullptr);
    EXPECT_EQ(granite->max_input_chars, 300);
    EXPECT_EQ(granite->ctx, 4096);
    const auto* qwen3 = config->find_model("qwen3_14b");
    EXPECT_EQ(qwen3->sampling.top_p, 0.8);
    EXPECT_EQ(qwen3->sampling.top_k, 20);
    EXPECT_EQ(qwen3->sampling.min_p, 0.0);
    EXPECT_EQ(qwen3->cache_type_k, "q4_0");
    // ${TUNECAP_MODELS:-~/models} falls back to ~/models, and ~ expands to HOME.
    EXPECT_EQ(qwen3->gguf, "/home/u/models/qwen3-14b/Qwen3-14B-Q4_K_M.gguf");
    EXPECT_EQ(config->runtime.vram_budget_gb, 16);
    EXPECT_EQ(config->runtime.audio_format, core::AudioFormat::mp3);
    EXPECT_EQ(config->runtime.request_deadline.prefill_tps, 20);
    EXPECT_EQ(config->runtime.request_deadline.decode_tps, 2);
    EXPECT_EQ(config->runtime.request_deadline.allowance_s, 120);
}

TEST(Config, TheRequestDeadlineSpeedsAreReadAndChecked) {
    const auto config = load_user("runtime:\n  request_deadline: {prefill_tps: 1000, allowance_s: 0.5}\n", kHomeOnly);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->runtime.request_deadline.prefill_tps, 1000);
    EXPECT_EQ(config->runtime.request_deadline.decode_tps, 2);  // the default's, merged key by key
    EXPECT_EQ(config->runtime.request_deadline.allowance_s, 0.5);
    EXPECT_THAT(load_user("runtime:\n  request_deadline: {decode_tps: 0}\n", kHomeOnly).error().message,
                HasSubstr("runtime.request_deadline.decode_tps: must be between"));
    EXPECT_THAT(load_user("runtime:\n  request_deadline: {speed: 3}\n", kHomeOnly).error().message,
                HasSubstr("runtime.request_deadline.speed: unknown key"));
}

TEST(Config, TheAudioFormatIsOneTheServerReads) {
    for (const auto format : core::kAllAudioFormats) {
        const auto config = load_user("runtime: {audio_format: " + std::string(core::to_string(format)) + "}\n");
        ASSERT_TRUE(config.ok()) << config.error().message;
        EXPECT_EQ(config->runtime.audio_format, format);
    }
    const auto bad = load_user("runtime:\n  audio_format: ogg\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.error().message, HasSubstr("/cfg/user.yaml:2"));
    EXPECT_THAT(bad.error().message, HasSubstr("runtime.audio_format: expected wav, flac or mp3, got 'ogg'"));
}

TEST(Config, GenreContrastsArePairsOfTwoDifferentGenresAndAWrongHintNeedsThem) {
    const std::string phases = "phases:\n  - {id: a, kind: audio_caption, models: [qwen_omni], genre_hint: wrong}\n";
    EXPECT_THAT(load_user("genre_contrasts: [[Techno, Folk, Jazz]]\n", kHomeOnly).error().message,
                HasSubstr("genre_contrasts[0]: expected two genres, got 3"));
    EXPECT_THAT(load_user("genre_contrasts: [[Techno, techno]]\n", kHomeOnly).error().message,
                HasSubstr("genre_contrasts[0]: a genre cannot contrast with itself"));
    EXPECT_THAT(load_user("genre_contrasts: Techno\n", kHomeOnly).error().message,
                HasSubstr("genre_contrasts: expected a list of genre pairs"));
    EXPECT_THAT(load_user("genre_contrasts: []\n" + phases, kHomeOnly).error().message,
                HasSubstr("phase 'a' gives a wrong genre hint: list at least one pair"));
    EXPECT_THAT(load_user("phases:\n  - {id: a, kind: template, prompts: [facts], genre_hint: wrong}\n", kHomeOnly).error().message,
                HasSubstr("a template phase takes no genre hint"));
}

TEST(Config, AnAliasBombIsAnErrorNotAnExplosion) {
    // Nine levels of nine aliases: 387 million values if each were copied.
    std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level < 10; ++level) {
        yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
        for (int i = 0; i < 9; ++i) yaml += std::string(i ? ", " : "") + "*a" + std::to_string(level - 1);
        yaml += "]\n";
    }
    const auto config = load_user(yaml);
    ASSERT_FALSE(config.ok());
    EXPECT_THAT(config.error().message, AllOf(HasSubstr("/cfg/user.yaml:"), HasSubstr("more than 20000 values")));
}

// An alias inside its own anchor makes a cycle in yaml-cpp's node graph: copying it recursed until
// the stack overflowed, before the count of values stopped it (found by config_fuzz).
TEST(Config, AnAliasInsideItsOwnAnchorIsAnErrorNotAStackOverflow) {
    for (const std::string yaml : {"models: &m {x: *m}\n", "a: &a [1, [2, *a]]\n",
                                   "base: &b {family: chatml, gguf<: *b, ctx: 4096}\nphases: []\n"}) {
        const auto config = load_user(yaml);
        ASSERT_FALSE(config.ok()) << yaml;
        EXPECT_THAT(config.error().message, AllOf(HasSubstr("/cfg/user.yaml:"), HasSubstr("levels deep"))) << yaml;
    }
}

// Deep nesting without aliases is bounded the same way.
TEST(Config, NestingDeeperThanAConfigNeedsIsAnError) {
    const auto config = load_user("runtime: " + std::string(200, '[') + std::string(200, ']') + "\n");
    ASSERT_FALSE(config.ok());
    EXPECT_THAT(config.error().message, AllOf(HasSubstr("/cfg/user.yaml:1: "), HasSubstr("more than 32 levels deep")));
}

TEST(Config, TextThatIsNotUtf8IsAnErrorNamingTheLine) {
    const auto prompt = load_user("prompts:\n  brief: \"Describe it \xff\"\n");
    ASSERT_FALSE(prompt.ok());
    EXPECT_THAT(prompt.error().message, HasSubstr("/cfg/user.yaml:2: the text is not valid UTF-8 (byte 13)"));
    const auto key = load_user("models:\n  \xc3\x28: {gguf: x.gguf}\n");
    ASSERT_FALSE(key.ok());
    EXPECT_THAT(key.error().message, HasSubstr("a key is not valid UTF-8"));
    EXPECT_TRUE(load_user("prompts:\n  brief: \"Décris la pièce, F♯ mineur.\"\n").ok());
}

TEST(Config, ModelNamesAndPromptIdsBecomeFileNamesSoTheyArePlain) {
    EXPECT_THAT(load_user("models:\n  ../../x: {gguf: x.gguf, family: chatml}\n").error().message,
                HasSubstr("/cfg/user.yaml:2: models.../../x: use letters, digits, '-' and '_' only, got '../../x'"));
    EXPECT_THAT(load_user("models:\n  /abs/path: {gguf: x.gguf, family: chatml}\n").error().message,
                HasSubstr("got '/abs/path'"));
    EXPECT_THAT(load_user("prompts:\n  a b: \"Describe it.\"\n").error().message, HasSubstr("prompts.a b: use letters"));
}

TEST(Config, ServersGetOnlyTheExtraVariablesTheConfigNames) {
    const auto defaults = load_layers({default_layer()}, kHomeOnly);
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_TRUE(defaults->runtime.server_env.empty());
    const auto config = load_user("runtime:\n  server_env: [LLAMA_ARG_*, MY_VAR]\n");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->runtime.server_env, (std::vector<std::string>{"LLAMA_ARG_*", "MY_VAR"}));
}

TEST(Config, UserLayerOverridesOneValueAndRemembersWhere) {
    auto config = load_user("models:\n  qwen3_14b:\n    ctx: 8192\n", kHomeOnly);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->find_model("qwen3_14b")->ctx, 8192);
    EXPECT_EQ(config->find_model("qwen3_14b")->batch, 2048);  // untouched default survives
    const auto& ctx = config->effective.at("models.qwen3_14b.ctx");
    EXPECT_EQ(ctx.first, "8192");
    EXPECT_EQ(ctx.second, "/cfg/user.yaml:3");
    EXPECT_THAT(config->effective.at("models.qwen3_14b.batch").second, HasSubstr("default.yaml:"));
}

TEST(Config, UserPhasesReplaceTheDefaultGraph) {
    auto config = load_user("phases:\n  - {id: only, kind: audio_caption, models: [qwen_omni], prompts: [brief]}\n");
    ASSERT_TRUE(config.ok()) << config.error().message;
    ASSERT_EQ(config->phases.size(), 1u);
    EXPECT_EQ(config->phases[0].prompts, (std::vector<std::string>{"brief"}));
}

TEST(Config, PathsExpandHomeEnvironmentAndResolveRelativeToTheFile) {
    auto env = fake_env({{"HOME", "/home/u"}, {"MODELS", "/data/m"}});
    auto good = load_layers({{"/cfg/user.yaml", std::string(R"(
models:
  a: {gguf: "${MODELS}/a.gguf", family: chatml}
  b: {gguf: "~/b.gguf", family: chatml}
  c: {gguf: "sub/../c.gguf", family: chatml}
  d: {gguf: "${UNSET:-/fallback}/d.gguf", family: chatml}
prompts: {p: "x"}
)"), "/cfg"}}, env);
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_EQ(good->find_model("a")->gguf, "/data/m/a.gguf");
    EXPECT_EQ(good->find_model("b")->gguf, "/home/u/b.gguf");
    EXPECT_EQ(good->find_model("c")->gguf, "/cfg/c.gguf");
    EXPECT_EQ(good->find_model("d")->gguf, "/fallback/d.gguf");
}

struct BadCase {
    const char* name;
    std::string yaml;
    std::string expected;  // substring of the error, which always starts with "file:line: "
};

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameTheFileTheLineAndTheReason) {
    auto config = load_layers({{"/cfg/user.yaml", GetParam().yaml, "/cfg"}}, kHomeOnly);
    ASSERT_FALSE(config.ok()) << GetParam().name;
    EXPECT_THAT(config.error().message, HasSubstr(GetParam().expected));
    EXPECT_THAT(config.error().message, ::testing::StartsWith("/cfg/user.yaml:"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrors,
    ::testing::Values(
        BadCase{"syntax", "models: [unclosed\n", "invalid YAML"},
        BadCase{"typo", std::string(kSmall) + "phasez: []\n", "user.yaml:7: phasez: unknown key (did you mean 'phases'?)"},
        BadCase{"type", "models:\n  m:\n    gguf: m.gguf\n    family: qwen3\n    ctx: big\nprompts: {p: x}\n",
                "user.yaml:5: models.m.ctx: expected an integer, got 'big'"},
        BadCase{"range", "models:\n  m: {gguf: m.gguf, family: qwen3, sampling: {top_p: 3}}\nprompts: {p: x}\n",
                "models.m.sampling.top_p: must be between 0 and 1"},
        BadCase{"family", "models:\n  m: {gguf: m.gguf, family: qwen4}\nprompts: {p: x}\n",
                "unknown family 'qwen4' (did you mean 'qwen3'?)"},
        BadCase{"cache", "models:\n  m: {gguf: m.gguf, family: qwen3, cache_type_k: q3_0}\nprompts: {p: x}\n",
                "unknown cache type 'q3_0'"},
        BadCase{"no gguf", "models:\n  m: {family: qwen3}\nprompts: {p: x}\n", "needs 'gguf'"},
        BadCase{"hf not a repo", "models:\n  m: {hf: Qwen3-14B-GGUF, family: qwen3}\nprompts: {p: x}\n",
                "user.yaml:2: models.m.hf: expected owner/repo or owner/repo:QUANT"},
        BadCase{"hf two slashes", "models:\n  m: {hf: a/b/c, family: qwen3}\nprompts: {p: x}\n", "got 'a/b/c'"},
        BadCase{"hf bad quant", "models:\n  m: {hf: 'a/b:Q4 K', family: qwen3}\nprompts: {p: x}\n",
                "the quant after ':' must be letters, digits, '_' and '-' (such as Q4_K_M), got 'Q4 K'"},
        BadCase{"hf empty quant", "models:\n  m: {hf: 'a/b:', family: qwen3}\nprompts: {p: x}\n", "got ''"},
        BadCase{"hf and gguf", "models:\n  m: {gguf: m.gguf, hf: a/b, family: qwen3}\nprompts: {p: x}\n",
                "models.m.hf: give 'gguf' or 'hf', not both"},
        BadCase{"hf and endpoint", "models:\n  m: {hf: a/b, family: qwen3, endpoint: {url: 'http://x'}}\nprompts: {p: x}\n",
                "an endpoint serves its own model; 'hf' is for a managed llama-server"},
        BadCase{"mmproj_hf without hf", "models:\n  m: {gguf: m.gguf, mmproj_hf: auto, family: qwen3}\nprompts: {p: x}\n",
                "models.m.mmproj_hf: needs 'hf'"},
        BadCase{"mmproj_hf and mmproj", "models:\n  m: {hf: a/b, mmproj: p.gguf, mmproj_hf: auto, family: qwen3}\nprompts: {p: x}\n",
                "give 'mmproj' or 'mmproj_hf', not both"},
        BadCase{"mmproj_hf a repo only", "models:\n  m: {hf: a/b, mmproj_hf: a/b, family: qwen3}\nprompts: {p: x}\n",
                "models.m.mmproj_hf: expected auto (the projector llama-server picks from the hf repo) or owner/repo/file.gguf, got 'a/b'"},
        BadCase{"mmproj_hf escapes", "models:\n  m: {hf: a/b, mmproj_hf: a/b/../x.gguf, family: qwen3}\nprompts: {p: x}\n",
                "got 'a/b/../x.gguf'"},
        BadCase{"endpoint url", "models:\n  m: {family: qwen3, endpoint: {url: localhost:8080}}\nprompts: {p: x}\n",
                "must start with http:// or https://"},
        BadCase{"endpoints and endpoint",
                "models:\n  m: {family: qwen3, endpoint: {url: 'http://a'}, endpoints: [{url: 'http://b'}]}\nprompts: {p: x}\n",
                "user.yaml:2: models.m.endpoints: give either 'endpoint' or 'endpoints', not both"},
        BadCase{"endpoints url", "models:\n  m: {family: qwen3, endpoints: [{url: 'http://a'}, {url: b}]}\nprompts: {p: x}\n",
                "models.m.endpoints[1].url: must start with http:// or https://"},
        BadCase{"gpus twice", "models:\n  m: {gguf: m.gguf, family: qwen3, gpus: [0, 1, 0]}\nprompts: {p: x}\n",
                "models.m.gpus: GPU 0 is named twice"},
        BadCase{"gpus type", "models:\n  m: {gguf: m.gguf, family: qwen3, gpus: [zero]}\nprompts: {p: x}\n",
                "models.m.gpus[0]: expected an integer, got 'zero'"},
        BadCase{"gpus external", "models:\n  m: {family: qwen3, endpoint: {url: 'http://a'}, gpus: [1]}\nprompts: {p: x}\n",
                "models.m.gpus: an external server's GPUs are its own"},
        BadCase{"env", "models:\n  m: {gguf: '${NOPE}/m.gguf', family: qwen3}\nprompts: {p: x}\n",
                "environment variable NOPE is not set"},
        BadCase{"unknown model", std::string(kSmall) + "phases:\n  - {id: a, kind: revise, models: [txet], inputs: [b]}\n",
                "user.yaml:8: phases[0].models: unknown model 'txet' (did you mean 'text'?)"},
        BadCase{"audio model", std::string(kSmall) + "phases:\n  - {id: a, kind: audio_caption, models: [text]}\n",
                "needs audio input, but model 'text' has no 'mmproj', 'mmproj_hf' or endpoint"},
        BadCase{"unknown prompt", std::string(kSmall) + "phases:\n  - {id: a, kind: audio_caption, models: [ears], prompts: [three]}\n",
                "unknown prompt 'three'"},
        BadCase{"unknown input", std::string(kSmall) + "phases:\n  - {id: a, kind: revise, models: [text], inputs: [zzz]}\n",
                "unknown phase 'zzz'"},
        BadCase{"cycle", std::string(kSmall) +
                             "phases:\n  - {id: a, kind: revise, models: [text], inputs: [b]}\n"
                             "  - {id: b, kind: revise, models: [text], inputs: [a]}\n",
                "phases: the inputs form a cycle among: a, b"},
        BadCase{"duplicate", std::string(kSmall) +
                                 "phases:\n  - {id: a, kind: audio_caption, models: [ears]}\n"
                                 "  - {id: a, kind: audio_caption, models: [ears]}\n",
                "duplicate phase id 'a'"},
        BadCase{"ensemble inputs", std::string(kSmall) +
                                       "phases:\n  - {id: a, kind: audio_caption, models: [ears]}\n"
                                       "  - {id: e, kind: ensemble, models: [text], inputs: [a]}\n",
                "needs at least 2 input phase(s)"},
        BadCase{"prompts its input does not run",
                std::string(kSmall) +
                    "phases:\n  - {id: a, kind: audio_caption, models: [ears], prompts: [one]}\n"
                    "  - {id: r, kind: revise, models: [text], inputs: [a], prompts: [one, two]}\n",
                "user.yaml:9: phases[1].prompts: prompt 'two' is not run by input phase 'a' (it runs: one)"},
        BadCase{"prompts an ensemble input does not run",
                std::string(kSmall) +
                    "phases:\n  - {id: a, kind: audio_caption, models: [ears]}\n"
                    "  - {id: b, kind: audio_caption, models: [ears], prompts: [two]}\n"
                    "  - {id: e, kind: ensemble, models: [text], inputs: [a, b]}\n",
                "phases[2].prompts: prompt 'one' is not run by input phase 'b'"},
        BadCase{"revise reads one phase",
                std::string(kSmall) +
                    "phases:\n  - {id: a, kind: audio_caption, models: [ears]}\n"
                    "  - {id: b, kind: audio_caption, models: [ears]}\n"
                    "  - {id: r, kind: revise, models: [text], inputs: [a, b]}\n",
                "a revise phase reads at most 1 input phase(s)"},
        BadCase{"template with a model", std::string(kSmall) + "phases:\n  - {id: t, kind: template, models: [text]}\n",
                "a template phase uses no model"},
        BadCase{"kind", std::string(kSmall) + "phases:\n  - {id: a, kind: audio_captions, models: [ears]}\n",
                "unknown kind 'audio_captions' (did you mean 'audio_caption'?)"},
        BadCase{"template var", "models: {}\nprompts:\n  p: \"Tempo {bmp}\"\n",
                "user.yaml:3: prompts.p: unknown template variable {bmp} (did you mean 'bpm'?)"},
        BadCase{"missing template", "models:\n  e: {gguf: a, mmproj: b, family: chatml}\nprompts: {p: x}\n"
                                    "phases:\n  - {id: a, kind: audio_caption, models: [e], genre_hint: true}\n",
                "templates.genre_hint: phase 'a' needs this template"},
        BadCase{"server env", "runtime:\n  server_env: [CUDA_*, 'A=B']\n",
                "user.yaml:2: runtime.server_env[1]: 'A=B' is not a variable name"},
        BadCase{"top level", "- a\n- b\n", "the top level must be a mapping"}),
    [](const auto& info) {
        std::string name = info.param.name;
        for (auto& c : name) if (c == ' ') c = '_';
        return name;
    });

TEST(Config, EnvironmentOverridesTheServerBinaryAndSaysSo) {
    auto env = fake_env({{"HOME", "/home/u"}, {"TUNECAP_LLAMA_SERVER", "/opt/llama/bin/llama-server"}});
    auto config = load_layers({default_layer()}, env);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->runtime.llama_server, "/opt/llama/bin/llama-server");
    EXPECT_EQ(config->effective.at("runtime.llama_server").second, "env TUNECAP_LLAMA_SERVER");
}

TEST(Config, HfModelsNameARepoAQuantAndWhereTheirProjectorComesFrom) {
    auto env = fake_env({{"HOME", "/home/u"}, {"HF_ENDPOINT", "https://mirror.example"}});
    auto config = load_layers({default_layer(), {"/cfg/user.yaml", R"(
models:
  qwen3_14b: {gguf: ~, hf: ' Qwen/Qwen3-14B-GGUF:Q4_K_M '}
  qwen_omni: {gguf: ~, mmproj: ~, hf: ggml-org/Qwen2.5-Omni-7B-GGUF, mmproj_hf: auto}
  music_flamingo:
    gguf: ~
    mmproj: ~
    hf: a_b/c.d-GGUF:UD-Q4_K_XL
    mmproj_hf: other/proj-GGUF/f16/mmproj-model-f16.gguf
)", "/cfg"}}, env);
    ASSERT_TRUE(config.ok()) << config.error().message;
    const auto& text = *config->find_model("qwen3_14b");
    ASSERT_TRUE(text.hf);
    EXPECT_EQ(text.hf->repo, "Qwen/Qwen3-14B-GGUF");
    EXPECT_EQ(text.hf->quant, "Q4_K_M");
    EXPECT_TRUE(text.gguf.empty());
    EXPECT_FALSE(text.takes_audio());
    const auto& omni = *config->find_model("qwen_omni");
    EXPECT_EQ(omni.hf->text(), "ggml-org/Qwen2.5-Omni-7B-GGUF");
    ASSERT_TRUE(omni.mmproj_hf);
    EXPECT_EQ(omni.mmproj_hf->text(), "auto");
    EXPECT_TRUE(omni.takes_audio());  // so the default graph's audio phases accept it
    const auto& flamingo = *config->find_model("music_flamingo");
    EXPECT_EQ(flamingo.hf->text(), "a_b/c.d-GGUF:UD-Q4_K_XL");
    EXPECT_EQ(flamingo.mmproj_hf->repo, "other/proj-GGUF");
    EXPECT_EQ(flamingo.mmproj_hf->file, "f16/mmproj-model-f16.gguf");
    EXPECT_EQ(flamingo.mmproj_hf->url, "https://mirror.example/other/proj-GGUF/resolve/main/f16/mmproj-model-f16.gguf");
}

TEST(Config, ReadsEveryModelField) {
    auto config = load_layers({{"/cfg/user.yaml", R"(
models:
  m:
    gguf: m.gguf
    mmproj: p.gguf
    family: harmony
    request: raw
    system: "Answer with the caption only."
    ctx: 4096
    slots: 2
    batch: 512
    ubatch: 128
    cache_type_k: q8_0
    cache_type_v: f16
    gpu_layers: -1
    max_input_chars: 300
    server_args: [--threads, "4"]
    sampling: {temperature: 0.5, top_p: 0.9, top_k: 10, min_p: 0.1, repeat_penalty: 1.1, seed: 7, max_tokens: 64}
  remote:
    family: chatml
    endpoint: {url: "http://10.0.0.2:8080", api_key_env: REMOTE_KEY}
prompts: {p: x}
)", "/cfg"}}, kHomeOnly);
    ASSERT_TRUE(config.ok()) << config.error().message;
    const auto& m = *config->find_model("m");
    EXPECT_EQ(m.mmproj, "/cfg/p.gguf");
    EXPECT_EQ(m.request, RequestPath::raw);
    EXPECT_EQ(m.system, "Answer with the caption only.");
    EXPECT_EQ(m.slots, 2);
    EXPECT_EQ(m.ubatch, 128);
    EXPECT_EQ(m.gpu_layers, -1);
    EXPECT_EQ(m.server_args, (std::vector<std::string>{"--threads", "4"}));
    EXPECT_EQ(m.sampling.seed, 7);
    EXPECT_EQ(m.sampling.max_tokens, 64);
    const auto& remote = *config->find_model("remote");
    ASSERT_EQ(remote.endpoints.size(), 1u);
    EXPECT_EQ(remote.endpoints[0].api_key_env, "REMOTE_KEY");
    EXPECT_TRUE(remote.takes_audio());
    EXPECT_EQ(config->effective.at("models.m.server_args").first, "[--threads, 4]");
}

TEST(Config, SlotsAutoIsLeftToPlacementAndSideBySideCanBeTurnedOff) {
    const auto config = load_user("runtime: {side_by_side: false}\n"
                                  "models:\n  m: {gguf: m.gguf, family: qwen3, slots: auto}\n  n: {gguf: m.gguf, family: qwen3, slots: 3}\n"
                                  "prompts: {p: x}\n");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_FALSE(config->runtime.side_by_side);
    EXPECT_TRUE(config->find_model("m")->slots_auto);
    EXPECT_EQ(config->find_model("m")->slots, std::nullopt);
    EXPECT_FALSE(config->find_model("n")->slots_auto);
    EXPECT_EQ(config->find_model("n")->slots, 3);
    EXPECT_EQ(config->effective.at("models.m.slots").first, "auto");
    // `ctx: ~` takes back the default's ctx, so auto sizes the context too.
    const auto unset = load_user("models:\n  qwen3_14b: {slots: auto, ctx: ~}\n");
    ASSERT_TRUE(unset.ok()) << unset.error().message;
    EXPECT_EQ(unset->find_model("qwen3_14b")->ctx, std::nullopt);
    EXPECT_TRUE(unset->find_model("qwen3_14b")->slots_auto);
    const auto defaults = load_layers({default_layer()}, kHomeOnly);
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_TRUE(defaults->runtime.side_by_side);
    EXPECT_THAT(load_user("runtime: {side_by_side: maybe}\n").error().message,
                ::testing::HasSubstr("runtime.side_by_side: expected true or false, got 'maybe'"));
    EXPECT_THAT(load_user("models:\n  m: {gguf: m.gguf, family: qwen3, slots: many}\nprompts: {p: x}\n").error().message,
                ::testing::HasSubstr("models.m.slots: expected an integer, got 'many'"));
    EXPECT_THAT(load_user("models:\n  m: {family: qwen3, endpoint: {url: 'http://a'}, slots: auto}\nprompts: {p: x}\n").error().message,
                ::testing::HasSubstr("models.m.slots: 'auto' sizes a managed server's slots"));
}

TEST(Config, AModelNamesItsReplicas) {
    auto config = load_layers({{"user.yaml", R"(models:
  local: {gguf: m.gguf, family: qwen3, gpus: [2, 0]}
  remote:
    family: chatml
    endpoints: [{url: "http://10.0.0.2:8080", api_key_env: KEY_A}, {url: "http://10.0.0.3:8080"}]
  single: {gguf: m.gguf, family: qwen3}
prompts: {p: x}
)", "/cfg"}}, kHomeOnly);
    ASSERT_TRUE(config.ok()) << config.error().message;
    const auto& local = *config->find_model("local");
    EXPECT_EQ(local.gpus, (std::vector<int>{2, 0}));
    EXPECT_EQ(local.replica_count(), 2u);
    EXPECT_FALSE(local.external());
    const auto& remote = *config->find_model("remote");
    ASSERT_EQ(remote.replica_count(), 2u);
    EXPECT_EQ(remote.endpoints[0].api_key_env, "KEY_A");
    EXPECT_EQ(remote.endpoints[1].url, "http://10.0.0.3:8080");
    EXPECT_EQ(remote.endpoints[1].api_key_env, "");
    EXPECT_EQ(config->find_model("single")->replica_count(), 1u);
    EXPECT_EQ(config->effective.at("models.local.gpus").first, "[2, 0]");
}

}  // namespace
}  // namespace tunecap::config
