// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A model entry for an external endpoint, as the endpoint tests use it.

#include <string>

#include "config/config.hpp"

namespace tunecap::testing {

inline config::Model endpoint_model(const std::string& url, const std::string& key_env) {
    config::Model m;
    m.name = "remote";
    m.family = core::Family::qwen3;
    m.endpoints = {config::Endpoint{url, key_env}};
    m.slots = 3;
    m.ctx = 12000;
    return m;
}

}  // namespace tunecap::testing
