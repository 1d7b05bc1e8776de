// SPDX-License-Identifier: GPL-3.0-or-later
#include "requests.hpp"

#include <fmt/format.h>

#include <optional>

#include "audio.hpp"

namespace tunecap::fake_llama_server {
namespace {

constexpr std::string_view kNoMmprojHint = " - hint: if this is unexpected, you may need to provide the mmproj";

// A present, non-null field of the wrong type is a 400 naming the field (s1-21).
template <typename T>
std::optional<T> field(const ordered_json& body, const char* name) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::nullopt;
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception& error) {
        throw invalid_request(fmt::format("Field '{}': {}", name, error.what()));
    }
}

template <typename T>
void read(const ordered_json& body, const char* name, T& target) {
    if (auto value = field<T>(body, name)) target = *value;
}

SamplingParams parse_sampling(const ordered_json& body) {
    SamplingParams p;
    if (auto seed = field<long long>(body, "seed")) p.seed = *seed < 0 ? 4294967295U : static_cast<std::uint32_t>(*seed);
    read(body, "temperature", p.temperature);
    read(body, "top_k", p.top_k);
    read(body, "top_p", p.top_p);
    read(body, "min_p", p.min_p);
    read(body, "typical_p", p.typical_p);
    read(body, "repeat_last_n", p.repeat_last_n);
    read(body, "repeat_penalty", p.repeat_penalty);
    read(body, "presence_penalty", p.presence_penalty);
    read(body, "frequency_penalty", p.frequency_penalty);
    read(body, "ignore_eos", p.ignore_eos);
    read(body, "stream", p.stream);
    // n_predict wins over the OpenAI names (oaicompat_chat_params_parse copies it through).
    if (auto n = field<long>(body, "n_predict")) p.n_predict = *n;
    else if (auto max = field<long>(body, "max_tokens")) p.n_predict = *max;
    else if (auto max_completion = field<long>(body, "max_completion_tokens")) p.n_predict = *max_completion;
    if (const auto it = body.find("stop"); it != body.end() && !it->is_null()) {
        if (it->is_string()) p.stop = {it->get<std::string>()};
        else if (auto list = field<std::vector<std::string>>(body, "stop")) p.stop = *list;
    }
    return p;
}

void parse_common(const ordered_json& body, const ServerContext& context, Job& job) {
    job.sampling = parse_sampling(body);
    if (context.settings.ignore_eos) job.sampling.ignore_eos = true;
    read(body, "id_slot", job.id_slot);
    read(body, "cache_prompt", job.cache_prompt);
    read(body, "return_tokens", job.return_tokens);
    if (job.id_slot >= context.engine.n_slots()) throw invalid_request(fmt::format("Invalid id_slot: {}", job.id_slot));
}

AudioClip decode_audio(const std::string& base64, const ServerContext& context) {
    const auto bytes = base64_decode(base64);
    auto clip = bytes ? inspect_audio(*bytes) : std::nullopt;
    if (!clip) {
        context.log.error("mtmd_helper_bitmap_init_from_buf: failed to decode buffer as either image/audio/video");
        throw invalid_request("Failed to load image or audio file");
    }
    return *clip;
}

Prompt message_content(const ordered_json& message, const ServerContext& context) {
    Prompt content;
    const auto it = message.find("content");
    if (it == message.end() || it->is_null()) return content;
    if (it->is_string()) {
        content.add_text(it->get<std::string>());
        return content;
    }
    if (!it->is_array()) throw invalid_request("Invalid 'content' type");
    for (const auto& part : *it) {
        const auto type = part.is_object() ? part.value("type", std::string()) : std::string();
        if (type == "text") {
            content.add_text(part.value("text", std::string()));
        } else if (type == "input_audio") {
            if (!context.accepts_audio()) throw server_error("audio input is not supported" + std::string(kNoMmprojHint));
            const auto audio = part.find("input_audio");
            if (audio == part.end() || !audio->is_object() || !audio->contains("data") || !(*audio)["data"].is_string()) {
                throw invalid_request("input_audio must contain 'data'");
            }
            // The format field is ignored: the decoder sniffs the bytes (README-new behaviour).
            content.add_audio(decode_audio((*audio)["data"].get<std::string>(), context));
        } else if (type == "image_url") {
            throw server_error("image input is not supported" + std::string(kNoMmprojHint));
        } else {
            throw invalid_request("unsupported content[].type");
        }
    }
    return content;
}

struct ChatTemplateRequest {
    std::vector<ChatMessage> messages;
    TemplateOptions options;
};

ChatTemplateRequest parse_messages(const ordered_json& body, const ServerContext& context) {
    const auto messages = body.find("messages");
    if (messages == body.end()) throw invalid_request("'messages' is required");
    if (!messages->is_array()) throw invalid_request("Expected 'messages' to be an array");
    ChatTemplateRequest out;
    out.options.style = context.settings.style;
    // Request kwargs are merged over the server's --chat-template-kwargs.
    ordered_json kwargs = context.options.chat_template_kwargs;
    if (const auto it = body.find("chat_template_kwargs"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) throw invalid_request("chat_template_kwargs must be an object");
        for (const auto& [key, value] : it->items()) kwargs[key] = value;
    }
    if (const auto it = kwargs.find("enable_thinking"); it != kwargs.end()) {
        if (!it->is_boolean()) throw invalid_request(fmt::format("invalid type for \"enable_thinking\" (expected boolean, got {})", it->type_name()));
        out.options.enable_thinking = it->get<bool>();
    }
    if (const auto it = body.find("reasoning_effort"); it != body.end() && it->is_string()) out.options.reasoning_effort = it->get<std::string>();
    else if (const auto kw = kwargs.find("reasoning_effort"); kw != kwargs.end() && kw->is_string()) out.options.reasoning_effort = kw->get<std::string>();
    for (const auto& message : *messages) {
        if (!message.is_object()) throw invalid_request("Expected 'messages' to be an array of objects");
        out.messages.push_back(ChatMessage{message.value("role", std::string("user")), message_content(message, context)});
    }
    const bool prefill = !out.messages.empty() && out.messages.back().role == "assistant";
    if (prefill && context.settings.style == OutputStyle::think && out.options.enable_thinking) {
        throw invalid_request("Assistant response prefill is incompatible with enable_thinking.");
    }
    return out;
}

std::size_t count_occurrences(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++count;
    return count;
}

Prompt multimodal_prompt(const ordered_json& prompt, const ServerContext& context) {
    const auto text = prompt.find("prompt_string");
    if (text == prompt.end() || !text->is_string()) throw invalid_request("\"prompt_string\" must be a string");
    const auto& prompt_string = text->get_ref<const std::string&>();
    std::vector<AudioClip> clips;
    if (const auto data = prompt.find("multimodal_data"); data != prompt.end() && !data->is_null()) {
        if (!data->is_array()) throw invalid_request("\"multimodal_data\" must be an array of base64 strings");
        if (!data->empty() && !context.accepts_audio()) throw server_error("multimodal input is not supported by this server" + std::string(kNoMmprojHint));
        for (const auto& item : *data) {
            if (!item.is_string()) throw invalid_request("\"multimodal_data\" must be an array of base64 strings");
            clips.push_back(decode_audio(item.get<std::string>(), context));
        }
    }
    // mtmd: each clip replaces one marker; the old fixed "<__media__>" is not a marker any more.
    const auto& marker = context.facts.media_marker;
    const auto markers = count_occurrences(prompt_string, marker);
    if (markers != clips.size()) {
        context.log.error(fmt::format("mtmd_tokenize: number of bitmaps ({}) does not match number of markers ({})", clips.size(), markers));
        throw invalid_request("Failed to tokenize prompt");
    }
    Prompt out;
    std::size_t at = 0;
    for (const auto& clip : clips) {
        const auto next = prompt_string.find(marker, at);
        out.add_text(prompt_string.substr(at, next - at));
        out.add_audio(clip);
        at = next + marker.size();
    }
    out.add_text(prompt_string.substr(at));
    return out;
}

void finish_prompt(Job& job, const ServerContext& context) {
    job.tokens = tokenize(job.prompt);
    job.prompt_text = job.prompt.text(context.facts.media_marker);
}

}  // namespace

ordered_json parse_body(const std::string& body) {
    try {
        return ordered_json::parse(body);
    } catch (const nlohmann::json::exception& error) {
        throw server_error(error.what());
    }
}

Job parse_chat_request(const ordered_json& body, const ServerContext& context) {
    auto request = parse_messages(body, context);
    Job job;
    job.endpoint = Endpoint::chat;
    job.prompt = render_chat(request.messages, request.options);
    parse_common(body, context, job);
    auto reasoning_format = context.options.reasoning_format;
    if (auto format = field<std::string>(body, "reasoning_format")) reasoning_format = *format;
    job.parse_reasoning = context.options.jinja && reasoning_format != "none";
    // What /slots shows for chat tasks in the recordings (s1-16).
    job.sampling.reasoning_format = reasoning_format == "auto" ? "deepseek" : reasoning_format;
    job.sampling.chat_format = "peg-native";
    job.sampling.generation_prompt = context.settings.style == OutputStyle::harmony ? "<|start|>assistant" : "<|im_start|>assistant\n";
    if (const auto options = body.find("stream_options"); options != body.end() && options->is_object()) {
        job.include_usage = options->value("include_usage", false);
    }
    finish_prompt(job, context);
    return job;
}

Job parse_completion_request(const ordered_json& body, Endpoint endpoint, const ServerContext& context) {
    const auto it = body.find("prompt");
    // The server reads it with json::at(), so a missing prompt surfaces as a 500.
    if (it == body.end()) throw server_error("[json.exception.out_of_range.403] key 'prompt' not found");
    const ordered_json* prompt = &*it;
    if (prompt->is_array() && prompt->size() == 1 && (prompt->front().is_string() || prompt->front().is_object())) prompt = &prompt->front();
    Job job;
    job.endpoint = endpoint;
    if (prompt->is_string()) job.prompt.add_text(prompt->get<std::string>());
    else if (prompt->is_object()) job.prompt = multimodal_prompt(*prompt, context);
    else throw invalid_request("the fake llama-server takes one prompt: a string or {\"prompt_string\", \"multimodal_data\"}");
    parse_common(body, context, job);
    job.sampling.reasoning_format = "deepseek";
    finish_prompt(job, context);
    return job;
}

std::string render_template_request(const ordered_json& body, const ServerContext& context) {
    const auto request = parse_messages(body, context);
    return render_chat(request.messages, request.options).text(context.facts.media_marker);
}

}  // namespace tunecap::fake_llama_server
