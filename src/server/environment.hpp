// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The environment a managed llama-server starts with: what it needs to find its libraries and
// GPUs, write its cache and download models, plus the names a config adds (runtime.server_env).
// Nothing else of tunecap's environment reaches it: not the variables holding an endpoint's API
// key, not OPENAI_API_KEY, not whatever else a user's shell holds.

#include <string>
#include <vector>

namespace tunecap::server {

// Names and globs (`*` matches any run of characters) always passed on when set.
const std::vector<std::string>& needed_by_servers();

// Of `current` ("NAME=value" entries), those whose name matches needed_by_servers() or `extra`,
// except the names in `withheld`, which are never passed on.
std::vector<std::string> server_environment(const std::vector<std::string>& current, const std::vector<std::string>& extra,
                                            const std::vector<std::string>& withheld);

// Sets NAME to value in `environment` ("NAME=value" entries), replacing what it held.
void set_variable(std::vector<std::string>& environment, const std::string& name, const std::string& value);

// This process's environment as "NAME=value" entries.
std::vector<std::string> process_environment_entries();

}  // namespace tunecap::server
