// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A step's identity: everything that changes what the step produces, and nothing that does not.
// Built from the request the step sends, serialised canonically with a format version, and hashed
// into the key under which the store keeps the step. Same key, same output; a changed prompt,
// model file, sampling value, KV cache type, audio or input changes the key of the step and of
// every step that reads it.
//
// Not part of it, as they do not change the output: the model's role name in the config, the
// server's port, the slot a request ran on, and the slot count and context size unless they moved
// where the audio was cut (then the cut is part of it).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/model_types.hpp"

namespace tunecap::pipeline {

struct StepIdentity {
    // Raised whenever a field is added, removed or serialised differently: no key of an older
    // format can then match, so a store written by an older tunecap is recomputed, never misread.
    static constexpr int kFormat = 2;

    std::string producer;        // "model", or "template" for a step tunecap computes itself
    std::string model_file;      // file_fingerprint of the GGUF, or "endpoint URL MODEL" for an external server
    std::string projector_file;  // file_fingerprint of the mmproj; empty without audio
    std::string family;
    std::string request_path;    // "chat" | "raw"
    std::string prompt;          // the whole prompt as sent: system prompt, user text, where the audio goes
    core::Sampling sampling;     // with the family's defaults applied
    std::string cache_type_k, cache_type_v;
    std::vector<std::string> server_args;  // extra llama-server flags: tunecap cannot tell which change the output
    std::string audio_sha256;               // of the track's decoded 16 kHz audio; empty without audio
    std::optional<std::size_t> audio_cut_at;  // samples sent when the audio was cut; nullopt: all of it
    // A lossy encoding the audio is sent in ("mp3 64 kbit/s"): the model hears other samples. Empty
    // for WAV and FLAC, which carry the same 16-bit samples, so their keys are the same (and those
    // of stores written before the option existed); the line is written only when set.
    std::string audio_encoding;
    std::vector<std::string> input_keys;      // the keys of the steps whose captions it reads

    // One "name=value" line per field in a fixed order, values escaped (\\, \n), after a line
    // naming the format.
    std::string canonical() const;
    // SHA-256 of canonical(), lower-case hex.
    std::string key() const;
};

}  // namespace tunecap::pipeline
