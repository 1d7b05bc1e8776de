// SPDX-License-Identifier: GPL-3.0-or-later
#include "handlers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "generation.hpp"
#include "http_util.hpp"
#include "requests.hpp"
#include "tokenizer.hpp"

namespace tunecap::fake_llama_server {
namespace {

bool is_public(const std::string& path) { return path == "/health" || path == "/v1/health"; }

// llama-server accepts "Authorization: Bearer KEY" and "X-Api-Key: KEY".
bool authorized(const httplib::Request& request, const std::vector<std::string>& keys) {
    const auto bearer = request.get_header_value("Authorization");
    const auto x_api_key = request.get_header_value("X-Api-Key");
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& key) { return bearer == "Bearer " + key || x_api_key == key; });
}

void not_supported(httplib::Response& response, const std::string& message) {
    reply_error(response, ApiError(501, "not_supported_error", message));
}

// Runs a handler that answers with JSON; ApiErrors become their recorded error replies.
template <typename Handler>
httplib::Server::Handler json_route(ServerContext& context, Handler handler) {
    return [&context, handler](const httplib::Request& request, httplib::Response& response) {
        InFlight in_flight(context);
        try {
            handler(request, response);
        } catch (const ApiError& error) {
            context.log.warn(srv("operator()", "got exception: " + dump(error_body(error))));
            reply_error(response, error);
        }
    };
}

void tokenize(const ServerContext&, const httplib::Request& request, httplib::Response& response) {
    const auto body = parse_body(request.body);
    const auto content = body.value("content", std::string());
    const bool with_pieces = body.value("with_pieces", false);
    ordered_json tokens = ordered_json::array();
    for (const auto& piece : split_pieces(content)) {
        if (with_pieces) tokens.push_back({{"id", token_id(piece)}, {"piece", piece}});
        else tokens.push_back(token_id(piece));
    }
    reply_json(response, 200, {{"tokens", tokens}});
}

}  // namespace

void install_routes(httplib::Server& server, ServerContext& context) {
    server.set_default_headers({{"Server", "llama.cpp"}, {"Access-Control-Allow-Origin", ""}});

    server.set_pre_routing_handler([&context](const httplib::Request& request, httplib::Response& response) {
        context.touch();
        if (!context.ready) {
            reply_json(response, 503, loading_body());
            return httplib::Server::HandlerResponse::Handled;
        }
        if (!context.options.api_keys.empty() && !is_public(request.path) && !authorized(request, context.options.api_keys)) {
            reply_error(response, ApiError(401, "authentication_error", "Invalid API Key"));
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Only the unrouted 404 is rewritten; every other error already has its body.
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
        if (response.status == 404 && response.body.empty()) reply_json(response, 404, not_found_body());
    });

    server.set_exception_handler([&context](const httplib::Request&, httplib::Response& response, std::exception_ptr thrown) {
        std::string message = "unknown error";
        try {
            std::rethrow_exception(thrown);
        } catch (const std::exception& error) {
            message = error.what();
        } catch (...) {
        }
        const auto error = server_error(message);
        context.log.warn(srv("operator()", "got exception: " + dump(error_body(error))));
        reply_error(response, error);
    });

    const auto health = [](const httplib::Request&, httplib::Response& response) { reply_json(response, 200, {{"status", "ok"}}); };
    server.Get("/health", health);
    server.Get("/v1/health", health);

    server.Get("/props", json_route(context, [&context](const httplib::Request&, httplib::Response& response) {
                   reply_json(response, 200, props_json(context.facts));
               }));
    server.Post("/props", json_route(context, [&context](const httplib::Request&, httplib::Response& response) {
                    if (!context.options.props) return not_supported(response, "This server does not support changing global properties. Start it with `--props`");
                    reply_json(response, 200, {{"success", true}});
                }));

    const auto models = json_route(context, [&context](const httplib::Request&, httplib::Response& response) {
        reply_json(response, 200, models_json(context.facts, static_cast<long>(std::time(nullptr))));
    });
    server.Get("/models", models);
    server.Get("/v1/models", models);

    server.Get("/slots", json_route(context, [&context](const httplib::Request& request, httplib::Response& response) {
                   if (!context.options.slots) return not_supported(response, "This server does not support slots endpoint. Start it with `--slots`");
                   if (request.get_param_value("fail_on_no_slot") == "1" && context.engine.all_busy()) {
                       return reply_error(response, ApiError(503, "unavailable_error", "no slot available"));
                   }
                   reply_json(response, 200, slots_json(context.engine.slots(), context.engine.n_ctx_slot()));
               }));

    server.Get("/metrics", json_route(context, [&context](const httplib::Request&, httplib::Response& response) {
                   if (!context.options.metrics) return not_supported(response, "This server does not support metrics endpoint. Start it with `--metrics`");
                   response.set_header("Process-Start-Time-Unix", std::to_string(context.facts.process_start_unix));
                   response.set_content(metrics_text(context.engine.metrics()), "text/plain; version=0.0.4");
               }));

    const auto chat = [&context](const httplib::Request& request, httplib::Response& response) {
        handle_generation(context, Endpoint::chat, request, response);
    };
    server.Post("/v1/chat/completions", chat);
    server.Post("/chat/completions", chat);
    const auto completion = [&context](const httplib::Request& request, httplib::Response& response) {
        handle_generation(context, Endpoint::completion, request, response);
    };
    server.Post("/completion", completion);
    server.Post("/completions", completion);
    server.Post("/v1/completions", [&context](const httplib::Request& request, httplib::Response& response) {
        handle_generation(context, Endpoint::oai_completion, request, response);
    });

    server.Post("/tokenize", json_route(context, [&context](const httplib::Request& request, httplib::Response& response) {
                    tokenize(context, request, response);
                }));
    server.Post("/apply-template", json_route(context, [&context](const httplib::Request& request, httplib::Response& response) {
                    reply_json(response, 200, {{"prompt", render_template_request(parse_body(request.body), context)}});
                }));
}

}  // namespace tunecap::fake_llama_server
