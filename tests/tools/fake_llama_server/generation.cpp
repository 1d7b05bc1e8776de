// SPDX-License-Identifier: GPL-3.0-or-later
#include "generation.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <ctime>
#include <memory>
#include <thread>

#include "files.hpp"
#include "generator.hpp"
#include "http_util.hpp"
#include "tokenizer.hpp"

namespace tunecap::fake_llama_server {
namespace {

constexpr std::string_view kPegError = "The model produced output that does not match the expected peg-native format";

// The generated tokens: their text as shown (a stop string cuts the text, not the token count),
// their cache keys and ids, and why generation ended.
struct Plan {
    std::vector<std::string> pieces;
    std::vector<std::uint64_t> keys;
    std::vector<std::int32_t> ids;
    std::string finish_reason = "stop";
    std::string stop_type = "eos";
    std::string stopping_word;
    bool truncated = false;

    std::string text() const {
        std::string out;
        for (const auto& piece : pieces) out += piece;
        return out;
    }
};

void cut_at(Plan& plan, std::size_t total, std::size_t at) {
    for (auto k = plan.pieces.size(); k-- > 0;) {
        const auto start = total - plan.pieces[k].size();
        if (start >= at) plan.pieces[k].clear();
        else plan.pieces[k].resize(at - start);
        total = start;
        if (start < at) break;
    }
}

// Generation stops at the model's natural end, at n_predict ("length"), at a stop string
// ("word"), or when the slot context is full ("length", truncated), as in llama-server.
Plan plan_output(const Job& job, const ServerContext& context) {
    const auto prompt_hash = job.prompt.hash();
    // The genre hint is looked for in the text alone: the media marker is 32 random characters per
    // start, and one that happens to spell "dub" must not change the caption.
    const auto composition = compose(job.sampling.seed, prompt_hash, job.prompt.text(""));
    auto pieces = split_pieces(raw_output(context.settings.style, composition, job.prompt_text));
    const long room = std::max<long>(0, context.engine.n_ctx_slot() - static_cast<long>(job.tokens.size()) - 1);
    const bool limited_by_request = job.sampling.n_predict >= 0 && job.sampling.n_predict <= room;
    const long budget = limited_by_request ? job.sampling.n_predict : room;
    for (int round = 0; job.sampling.ignore_eos && static_cast<long>(pieces.size()) < budget; ++round) {
        for (auto& piece : split_pieces(filler(job.sampling.seed, prompt_hash, round))) pieces.push_back(std::move(piece));
    }
    Plan plan;
    std::string text;
    for (const auto& piece : pieces) {
        if (static_cast<long>(plan.pieces.size()) >= budget) {
            plan.finish_reason = "length";
            plan.stop_type = "limit";
            plan.truncated = !limited_by_request;
            return plan;
        }
        const auto before = text.size();
        text += piece;
        plan.pieces.push_back(piece);
        plan.keys.push_back(token_key(piece));
        plan.ids.push_back(token_id(piece));
        for (const auto& stop : job.sampling.stop) {
            if (stop.empty()) continue;
            const auto at = text.find(stop, before >= stop.size() ? before - stop.size() + 1 : 0);
            if (at == std::string::npos) continue;
            cut_at(plan, text.size(), at);
            plan.stop_type = "word";
            plan.stopping_word = stop;
            return plan;
        }
    }
    return plan;
}

ordered_json usage_json(const Timings& t) {
    const auto prompt_tokens = t.cache_n + t.prompt_n;
    return ordered_json{{"completion_tokens", t.predicted_n},
                        {"prompt_tokens", prompt_tokens},
                        {"total_tokens", prompt_tokens + static_cast<std::size_t>(t.predicted_n)},
                        {"prompt_tokens_details", {{"cached_tokens", t.cache_n}}}};
}

Timings timings_of(const Engine::Lease& lease) {
    return Timings{lease.cache_n(), lease.prompt_n(), lease.prompt_ms(), lease.predicted_n(), lease.predicted_ms()};
}

long unix_now() { return static_cast<long>(std::time(nullptr)); }

// One line per generation request in FAKE_LLAMA_REQUEST_LOG: what tunecap sent (the sampling
// fields as given), what the fake did with it, and whether an Authorization header was present
// (never its value).
class RequestRecord {
public:
    RequestRecord(const std::string& path, long number, bool authorization) {
        m_line["time"] = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count()) /
                         1000.0;
        m_line["endpoint"] = path;
        m_line["number"] = number;
        m_line["authorization"] = authorization;
    }

    void body(const ordered_json& body) {
        static constexpr const char* kFields[] = {
            "stream", "id_slot", "cache_prompt", "n_predict", "max_tokens", "max_completion_tokens", "seed", "temperature", "top_p",
            "top_k", "min_p", "typical_p", "repeat_penalty", "repeat_last_n", "presence_penalty", "frequency_penalty", "stop",
            "ignore_eos", "chat_template_kwargs", "reasoning_format", "reasoning_effort", "response_format", "json_schema", "grammar",
        };
        ordered_json fields = ordered_json::object();
        for (const char* name : kFields) {
            if (const auto it = body.find(name); it != body.end()) fields[name] = *it;
        }
        m_line["fields"] = std::move(fields);
    }

    void job(const Job& job, const ServerContext& context) {
        m_line["stream"] = job.sampling.stream;
        m_line["id_slot"] = job.id_slot;
        m_line["has_audio"] = job.prompt.has_audio();
        m_line["audio_seconds"] = job.prompt.audio_seconds();
        m_line["audio_formats"] = job.prompt.audio_formats();
        m_line["prompt_tokens"] = job.tokens.size();
        m_line["audio_tokens"] = job.tokens.audio_tokens;
        m_line["prompt_hash"] = fmt::format("{:016x}", job.prompt.hash());
        m_line["prompt"] = job.prompt_text;
        m_line["media_marker"] = context.facts.media_marker;
    }

    void slot(const Engine::Lease& lease) {
        m_line["slot"] = lease.slot();
        m_line["cache_n"] = lease.cache_n();
    }

    void output(const std::string& content, const std::string& finish_reason) {
        m_line["content"] = content;
        m_line["finish_reason"] = finish_reason;
    }

    void outcome(int status, const std::string& error_type = {}) {
        m_line["status"] = status;
        if (!error_type.empty()) m_line["error"] = error_type;
    }

    void write(const ServerContext& context) const { append_line(context.settings.request_log, dump(m_line)); }

private:
    ordered_json m_line;
};

// die_after:N: the request numbered N+1 kills the process halfway through its generation, with
// no reply (a stream has sent part of its chunks).
class DieAfter {
public:
    DieAfter(const ServerContext& context, long number, RequestRecord& record)
        : m_context(context), m_armed(context.settings.faults.die_after && number > *context.settings.faults.die_after), m_record(record) {}

    void at(std::size_t token, std::size_t total) {
        if (!m_armed || token != total / 2) return;
        m_record.outcome(0, "crashed");
        m_record.write(m_context);
        m_context.log.plain(fmt::format("fake-llama-server: FAKE_LLAMA_FAULT die_after:{} - exiting abruptly in the middle of a request",
                                        *m_context.settings.faults.die_after));
        ::_exit(1);
    }

private:
    const ServerContext& m_context;
    bool m_armed;
    RequestRecord& m_record;
};

void check_context(const Job& job, const ServerContext& context, const Engine::Lease& lease) {
    const long n = static_cast<long>(job.tokens.size());
    const auto& faults = context.settings.faults;
    std::optional<ApiError> error;
    if (faults.overflow_over && n > *faults.overflow_over) error = exceed_context(n, *faults.overflow_over);
    else if (faults.context_overflow || n >= context.engine.n_ctx_slot()) error = exceed_context(n, context.engine.n_ctx_slot());
    if (!error) return;
    context.log.error(srv("send_error", fmt::format("task id = {}, error: {}", lease.task(), error->what())));
    throw *error;
}

std::vector<std::uint64_t> cache_after(const Job& job, const Plan& plan) {
    auto cache = job.tokens.keys;
    cache.insert(cache.end(), plan.keys.begin(), plan.keys.end());
    if (!plan.keys.empty()) cache.pop_back();  // the last sampled token is never decoded
    return cache;
}

struct Reply {
    const ServerContext& context;
    const Job& job;
    const Plan& plan;
    std::string id = completion_id();
    long created = unix_now();

    ordered_json chunk_head(ordered_json choices, const char* object) const {
        ordered_json j;
        j["choices"] = std::move(choices);
        j["created"] = created;
        j["id"] = id;
        j["model"] = context.facts.model_alias;
        j["system_fingerprint"] = context.facts.build_info;
        j["object"] = object;
        return j;
    }

    ParsedOutput parsed(bool final) const {
        if (!job.parse_reasoning) return ParsedOutput{{}, plan.text()};
        return parse_reasoning(context.settings.style, plan.text(), final);
    }

    std::string content() const { return job.endpoint == Endpoint::chat ? parsed(true).content : plan.text(); }

    ordered_json chat(const Timings& t) const {
        const auto out = parsed(true);
        ordered_json message = {{"role", "assistant"}, {"content", out.content}};
        if (!out.reasoning.empty()) message["reasoning_content"] = out.reasoning;
        ordered_json j;
        j["choices"] = {{{"finish_reason", plan.finish_reason}, {"index", 0}, {"message", message}}};
        j["created"] = created;
        j["model"] = context.facts.model_alias;
        j["system_fingerprint"] = context.facts.build_info;
        j["object"] = "chat.completion";
        j["usage"] = usage_json(t);
        j["id"] = id;
        j["timings"] = timings_json(t);
        return j;
    }

    ordered_json completion(const Timings& t, int slot, bool streamed) const {
        const auto text = plan.text();
        ordered_json j;
        j["index"] = 0;
        j["content"] = streamed ? std::string() : text;
        j["tokens"] = job.return_tokens && !streamed ? ordered_json(plan.ids) : ordered_json::array();
        j["id_slot"] = slot;
        j["stop"] = true;
        j["model"] = context.facts.model_alias;
        j["tokens_predicted"] = t.predicted_n;
        j["tokens_evaluated"] = job.tokens.size();
        j["generation_settings"] = params_json(job.sampling, true);
        j["prompt"] = job.prompt_text;
        j["has_new_line"] = text.find('\n') != std::string::npos;
        j["truncated"] = plan.truncated;
        j["stop_type"] = plan.stop_type;
        j["stopping_word"] = plan.stopping_word;
        j["tokens_cached"] = job.tokens.size() + static_cast<std::size_t>(t.predicted_n) - (t.predicted_n > 0 ? 1 : 0);
        j["timings"] = timings_json(t);
        return j;
    }

    ordered_json oai_completion(const Timings& t) const {
        ordered_json j = chunk_head({{{"text", plan.text()}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", plan.finish_reason}}},
                                    "text_completion");
        j["usage"] = usage_json(t);
        j["timings"] = timings_json(t);
        return j;
    }
};

// A streamed reply: runs inside httplib's chunked content provider, holding the slot until the
// last event (or until the client goes away, which cancels the task like the real server).
struct StreamJob {
    StreamJob(ServerContext& context_, Job job_, Plan plan_, std::unique_ptr<Engine::Lease> lease_, long number, RequestRecord record_)
        : context(context_), in_flight(context_), job(std::move(job_)), plan(std::move(plan_)), lease(std::move(lease_)),
          record(std::move(record_)), die(context_, number, record) {}

    ServerContext& context;
    InFlight in_flight;
    Job job;
    Plan plan;
    std::unique_ptr<Engine::Lease> lease;
    RequestRecord record;
    DieAfter die;
    bool fail_500 = false;

    ~StreamJob() { record.write(context); }

    bool run(httplib::DataSink& sink) {
        const Reply reply{context, job, plan};
        const int slot = lease->slot();
        const auto send = [&](const ordered_json& event) {
            const auto data = "data: " + dump(event) + "\n\n";
            return sink.write(data.data(), data.size());
        };
        const auto chat_delta = [&](ordered_json delta) {
            return send(reply.chunk_head({{{"finish_reason", nullptr}, {"index", 0}, {"delta", std::move(delta)}}}, "chat.completion.chunk"));
        };
        if (job.endpoint == Endpoint::chat && !chat_delta({{"role", "assistant"}, {"content", nullptr}})) return cancel();
        if (!lease->prefill()) hang_until_exit();
        std::string raw;
        ParsedOutput shown;
        for (std::size_t i = 0; i < plan.pieces.size(); ++i) {
            die.at(i, plan.pieces.size());
            if (!lease->decode_token()) hang_until_exit();
            const auto& piece = plan.pieces[i];
            raw += piece;
            bool sent = true;
            if (job.endpoint == Endpoint::chat) {
                // Deltas of the parsed reasoning and content, as the server's diff-based streaming does.
                const auto now = job.parse_reasoning ? parse_reasoning(context.settings.style, raw, false) : ParsedOutput{{}, raw};
                if (now.reasoning.size() > shown.reasoning.size()) sent = chat_delta({{"reasoning_content", now.reasoning.substr(shown.reasoning.size())}});
                if (sent && now.content.size() > shown.content.size()) sent = chat_delta({{"content", now.content.substr(shown.content.size())}});
                shown = now;
            } else if (job.endpoint == Endpoint::completion) {
                sent = send({{"index", 0}, {"content", piece}, {"tokens", {plan.ids[i]}}, {"stop", false}, {"id_slot", -1},
                             {"tokens_predicted", i + 1}, {"tokens_evaluated", job.tokens.size()}});
            } else {
                sent = send(reply.chunk_head({{{"text", piece}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", nullptr}}}, "text_completion"));
            }
            if (!sent) return cancel();
        }
        die.at(plan.pieces.size(), plan.pieces.size());
        lease->commit(cache_after(job, plan));
        const auto t = timings_of(*lease);
        lease.reset();
        if (fail_500) {
            // An error after the stream started is an SSE event under HTTP 200, without [DONE] (s0-02).
            const auto error = server_error(std::string(kPegError));
            context.log.warn(srv("operator()", "got exception: " + dump(error_body(error))));
            send(error_body(error));
            sink.done();
            return true;
        }
        if (job.endpoint == Endpoint::chat) {
            auto finish = reply.chunk_head({{{"finish_reason", plan.finish_reason}, {"index", 0}, {"delta", ordered_json::object()}}},
                                           "chat.completion.chunk");
            if (!job.include_usage) finish["timings"] = timings_json(t);  // s2-07; with include_usage the usage chunk carries them (s1-05)
            send(finish);
            if (job.include_usage) {
                auto usage = reply.chunk_head(ordered_json::array(), "chat.completion.chunk");
                usage["usage"] = usage_json(t);
                usage["timings"] = timings_json(t);
                send(usage);
            }
            sink.write("data: [DONE]\n\n", 14);
        } else if (job.endpoint == Endpoint::completion) {
            send(reply.completion(t, slot, true));  // /completion streams end without [DONE] (s1-08)
        } else {
            auto finish = reply.chunk_head({{{"text", ""}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", plan.finish_reason}}}, "text_completion");
            finish["usage"] = usage_json(t);
            finish["timings"] = timings_json(t);
            send(finish);
            sink.write("data: [DONE]\n\n", 14);
        }
        sink.done();
        return true;
    }

    bool cancel() {
        record.outcome(499, "client_closed");
        context.log.warn(srv("stop", fmt::format("cancel task, id_task = {}", lease ? lease->task() : -1)));
        lease.reset();
        return false;
    }
};

}  // namespace

void handle_generation(ServerContext& context, Endpoint endpoint, const httplib::Request& request, httplib::Response& response) {
    InFlight in_flight(context);
    const long number = ++context.generation_requests;
    RequestRecord record(request.path, number, request.has_header("Authorization"));
    const auto& faults = context.settings.faults;
    try {
        const auto body = parse_body(request.body);
        record.body(body);
        Job job = endpoint == Endpoint::chat ? parse_chat_request(body, context) : parse_completion_request(body, endpoint, context);
        record.job(job, context);
        if (job.prompt.has_audio() && !context.engine.audio_overhead()) hang_until_exit();
        auto lease = context.engine.acquire(job.tokens, job.id_slot, job.cache_prompt, params_json(job.sampling, false));
        if (!lease) hang_until_exit();
        record.slot(*lease);
        check_context(job, context, *lease);
        if (faults.slow_reply_ms > 0) {
            Pacer wall_clock(1.0, context.engine.stopping_flag());
            if (!wall_clock.advance(static_cast<double>(faults.slow_reply_ms))) hang_until_exit();
        }
        if (faults.hang_after && number > *faults.hang_after) {
            context.log.plain(fmt::format("fake-llama-server: FAKE_LLAMA_FAULT hang_after:{} - request {} hangs in its slot",
                                          *faults.hang_after, number));
            hang_until_exit();
        }
        auto plan = plan_output(job, context);
        const Reply reply{context, job, plan};
        const bool fail_500 = faults.error_500_all || (faults.error_500 && endpoint == Endpoint::chat);
        record.output(reply.content(), plan.finish_reason);
        if (job.sampling.stream) {
            // Written when the stream ends (the StreamJob owns the record from here).
            record.outcome(fail_500 ? 500 : 200, fail_500 ? "server_error" : "");
            auto stream = std::make_shared<StreamJob>(context, std::move(job), std::move(plan), std::move(lease), number, record);
            stream->fail_500 = fail_500;
            response.set_header("X-Accel-Buffering", "no");
            response.set_chunked_content_provider("text/event-stream", [stream](std::size_t, httplib::DataSink& sink) { return stream->run(sink); });
            return;  // the record is written by the StreamJob
        }
        DieAfter die(context, number, record);
        if (!lease->prefill()) hang_until_exit();
        for (std::size_t i = 0; i < plan.pieces.size(); ++i) {
            die.at(i, plan.pieces.size());
            if (!lease->decode_token()) hang_until_exit();
            lease->set_remaining(static_cast<long>(plan.pieces.size() - i - 1));
        }
        die.at(plan.pieces.size(), plan.pieces.size());
        lease->commit(cache_after(job, plan));
        const auto t = timings_of(*lease);
        const int slot = lease->slot();
        lease.reset();
        if (fail_500) throw server_error(std::string(kPegError));
        const auto out = endpoint == Endpoint::chat ? reply.chat(t) : endpoint == Endpoint::completion ? reply.completion(t, slot, false) : reply.oai_completion(t);
        reply_json(response, 200, out);
        record.outcome(200);
    } catch (const ApiError& error) {
        if (error.type != "exceed_context_size_error") context.log.warn(srv("operator()", "got exception: " + dump(error_body(error))));
        reply_error(response, error);
        record.outcome(error.code, error.type);
    }
    record.write(context);
}

}  // namespace tunecap::fake_llama_server
