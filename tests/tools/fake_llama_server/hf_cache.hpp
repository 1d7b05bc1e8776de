// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// -hf and -mmu as the fake takes them: the files come from llama-server's cache, never from the
// network. A simpler reading than tunecap's own (src/server/hf_cache.hpp), written apart so the
// two check each other: the hub layout under LLAMA_CACHE (else HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE,
// HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub), refs/main, the
// snapshot's *.gguf whose name holds the quant followed by '.' or '-'; the projector is the
// snapshot's first *.gguf with "mmproj" in its name.

#include <string>

#include "options.hpp"

namespace tunecap::fake_llama_server {

// Fills options.model (and options.mmproj) from options.hf_repo and options.mmproj_url. Returns
// the lines a failed download prints, empty when every file was found.
std::string resolve_from_cache(Options& options);

}  // namespace tunecap::fake_llama_server
