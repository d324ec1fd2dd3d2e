#!/usr/bin/env bash
# Packs a generated 20,000-file / ~100 MB tree with npc and with GNU tar | zstd and prints both
# (best of 3), keeping the output in bench/results/pack.txt for the documentation's tables.
# Needs GNU tar and zstd. Usage: bench/pack-bench.sh [files] [megabytes] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

classpath=$(bench_classpath)
BENCH_TOOLS="$(tar --version | head -n 1), $(zstd --version)"
export BENCH_TOOLS
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags, split on purpose
bench_record bench/results/pack.txt "bench/pack-bench.sh${*:+ $*}" \
  java ${JAVA_OPTS:-} -cp "$classpath" dev.npc.bench.PackBenchmark "$@"
