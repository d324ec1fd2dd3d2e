#!/usr/bin/env bash
# Times `npc pack` as a whole process (bin/npc, with the flags of bin/jvm.options, JVM start
# included) against `tar --sort=name ... | zstd -3 -T1` on the same generated tree (20,000 files,
# ~100 MB, fixed seed), alternating the two, and prints best and median of N runs of each, their
# CPU time and the archive sizes, keeping the output in bench/results/pack.txt for the
# documentation's tables. Then, in the same run, what the parts cost alone, the floor npc cannot go
# below on this machine: zstd -3 -T2 of the same tar stream (npc's compression, done natively),
# bin/npc --version (JVM start with the class data sharing archive), sha256sum of the archive (its
# version, hashed natively), and the SHA-256 rate of a fresh JVM with npc's own SHA-256 and the
# JDK's, under the shipped flags (C1 only) and under C2. Needs GNU tar, zstd and sha256sum.
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
  # The floor: each part alone, as many runs, alternating
  (cd "$work/flake" && tar --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner -cf - .) > "$work/stream.tar" || return
  for ((i = 1; i <= runs; i++)); do
    bench_time "$work/zstd.times" zstd -3 -T2 -q -f "$work/stream.tar" -o "$work/stream.tar.zst" || return
    bench_time "$work/version.times" bin/npc --version || return
    bench_time "$work/sha.times" sha256sum "$work/npc.npc" || return
  done
  rm -f "$work/stream.tar" "$work/stream.tar.zst"
  bench_figures zstd "$work/zstd.times"
  bench_figures start "$work/version.times"
  bench_figures sha256sum "$work/sha.times"
  local archive_mb c2_flags
  archive_mb=$(( $(stat -c %s "$work/npc.npc") >> 20 ))
  # C2: the shipped flags without the two that stop at C1
  c2_flags=$(grep -v '^#' bin/jvm.options | grep . | grep -v -e TieredStopAtLevel -e CICompilerCount | tr '\n' ' ')
  # shellcheck disable=SC2086 # lists of flags, split on purpose
  {
    java @bin/jvm.options -cp "$classpath" dev.npc.bench.HashSpeed npc "$archive_mb" | sed 's/^figure npc=/figure hash.npc=/'
    java @bin/jvm.options -cp "$classpath" dev.npc.bench.HashSpeed jdk "$archive_mb" | sed 's/^figure jdk=/figure hash.jdk.c1=/'
    java $c2_flags -cp "$classpath" dev.npc.bench.HashSpeed jdk "$archive_mb" | sed 's/^figure jdk=/figure hash.jdk.c2=/'
  } || return
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
