#!/usr/bin/env bash
# Times `npc pack` as a whole process (bin/npc, with the flags of bin/jvm.options, JVM start
# included) against `tar --sort=name ... | zstd -3 -T1` on the same generated tree (20,000 files,
# ~100 MB, fixed seed), alternating the two, and prints best and median of N runs of each, their
# CPU time and the archive sizes, keeping the output in bench/results/pack.txt for the
# documentation's tables. Needs GNU tar and zstd.
# Usage: bench/pack-bench.sh [files] [megabytes] [runs]   (defaults: 20000 100 7)
# NPC_JAVA_OPTS, when set, replaces bin/jvm.options for npc (as in bin/npc): measure a flag with it.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

files=${1:-20000}
megabytes=${2:-100}
runs=${3:-7}

classpath=$(bench_classpath)
bench_npc_jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {
  java -cp "$classpath" dev.npc.bench.PackTree "$work/flake" "$files" "$megabytes" || return
  echo "figure runs=$runs"
  echo "figure flags=$(bench_npc_flags)"
  # one untimed run of each, so both read the tree from the page cache
  bin/npc pack --src "$work/flake" -o "$work/npc.npc" > /dev/null || return
  (cd "$work/flake" && tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner -cf - . | zstd -3 -T1 -q -f -o "$work/gnu.tar.zst") || return
  local i
  for ((i = 1; i <= runs; i++)); do
    bench_time "$work/npc.times" bin/npc pack --src "$work/flake" -o "$work/npc.npc" || return
    bench_time "$work/tar.times" sh -c "cd '$work/flake' && tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner -cf - . | zstd -3 -T1 -q -f -o '$work/gnu.tar.zst'" || return
    echo "run $i: npc $(tail -n 1 "$work/npc.times" | cut -d' ' -f1) s, tar | zstd $(tail -n 1 "$work/tar.times" | cut -d' ' -f1) s (wall)"
  done
  local npc_bytes tar_bytes
  npc_bytes=$(stat -c %s "$work/npc.npc")
  tar_bytes=$(stat -c %s "$work/gnu.tar.zst")
  bench_figures npc "$work/npc.times"
  bench_figures tar "$work/tar.times"
  echo "figure npc.bytes=$(bench_thousands "$npc_bytes")"
  echo "figure tar.bytes=$(bench_thousands "$tar_bytes")"
  echo "figure ratio.time=$(bench_ratio "$(bench_best "$work/npc.times")" "$(bench_best "$work/tar.times")")x"
  echo "figure ratio.median=$(bench_ratio "$(bench_median "$work/npc.times")" "$(bench_median "$work/tar.times")")x"
  echo "figure ratio.size=$(awk -v a="$npc_bytes" -v b="$tar_bytes" 'BEGIN { printf "%.3f", a / b }')x"
}

BENCH_TOOLS="$(tar --version | head -n 1), $(zstd --version | sed -E 's/^[* ]+//; s/, by .*//')"
export BENCH_TOOLS
bench_record bench/results/pack.txt "bench/pack-bench.sh${*:+ $*}" run
