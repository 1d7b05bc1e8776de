#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fuzz/run.sh [SECONDS]: builds the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build folder and runs clean_fuzz for SECONDS (default
# 60), seeded with the raw outputs of tests/data/samples/raw-outputs.jsonl (extracted into a fresh
# corpus folder, removed afterwards). Exits non-zero when the fuzzer finds a crash or a broken
# invariant; the failing input is kept under the build folder's fuzz-artifacts/.
set -euo pipefail
seconds="${1:-60}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${TUNECAP_FUZZ_BUILD_DIR:-$repo/build/fuzz}"
samples="$repo/tests/data/samples/raw-outputs.jsonl"

CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTUNECAP_FUZZ=ON -DTUNECAP_SANITIZE=ON -DTUNECAP_TESTS=OFF -DTUNECAP_BENCH=OFF >/dev/null
cmake --build "$build" --target clean_fuzz fuzz_seed_corpus

corpus="$(mktemp -d "${TMPDIR:-/tmp}/tunecap-fuzz-corpus.XXXXXX")"
trap 'rm -rf "$corpus"' EXIT
"$build/fuzz/fuzz_seed_corpus" "$samples" "$corpus"
mkdir -p "$build/fuzz-artifacts"
# -timeout: one input taking more than 10 s is a hang (a caption takes microseconds).
"$build/fuzz/clean_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -dict="$repo/fuzz/clean.dict" -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
  "$corpus"
