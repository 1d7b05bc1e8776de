#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fuzz/run.sh [SECONDS]: builds the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build folder and runs each for a share of SECONDS
# (default 60), so CI time stays what it was: half to clean_fuzz (the cleaner, the largest input
# space), a quarter each to config_fuzz and info_fuzz (60 s: 30 + 15 + 15; at least 1 s each).
# Seeds, in fresh corpus folders removed afterwards:
#   clean_fuzz   the raw outputs of tests/data/samples/raw-outputs.jsonl (made by fuzz_seed_corpus)
#   config_fuzz  configs/default.yaml and fuzz/seeds/config/*.yaml
#   info_fuzz    fuzz/seeds/info/*.INFO
# Exits non-zero when a fuzzer finds a crash, a hang or a broken invariant; the failing input is
# kept under the build folder's fuzz-artifacts/.
set -euo pipefail
seconds="${1:-60}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${TUNECAP_FUZZ_BUILD_DIR:-$repo/build/fuzz}"
samples="$repo/tests/data/samples/raw-outputs.jsonl"

clean_seconds=$(( seconds / 2 > 0 ? seconds / 2 : 1 ))
other_seconds=$(( seconds / 4 > 0 ? seconds / 4 : 1 ))

CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTUNECAP_FUZZ=ON -DTUNECAP_SANITIZE=ON -DTUNECAP_TESTS=OFF -DTUNECAP_BENCH=OFF >/dev/null
cmake --build "$build" --target clean_fuzz config_fuzz info_fuzz fuzz_seed_corpus

corpus="$(mktemp -d "${TMPDIR:-/tmp}/tunecap-fuzz-corpus.XXXXXX")"
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$corpus/clean" "$corpus/config" "$corpus/info" "$build/fuzz-artifacts"
"$build/fuzz/fuzz_seed_corpus" "$samples" "$corpus/clean"
cp "$repo/configs/default.yaml" "$repo"/fuzz/seeds/config/*.yaml "$corpus/config/"
cp "$repo"/fuzz/seeds/info/*.INFO "$corpus/info/"

# -timeout: one input taking more than 10 s is a hang (a caption, a config or a .INFO takes
# milliseconds). -rss_limit_mb: libFuzzer's default, written out: memory that grows with the input
# without bound ends the run.
run() {
  local target="$1" time="$2" max_len="$3"
  shift 3
  "$build/fuzz/$target" -max_total_time="$time" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" "$@" "$corpus/${target%_fuzz}"
}
run clean_fuzz "$clean_seconds" 4096 -dict="$repo/fuzz/clean.dict"
run config_fuzz "$other_seconds" 10240  # room for configs/default.yaml, 9 KB
run info_fuzz "$other_seconds" 4096
