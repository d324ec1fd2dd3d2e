#!/usr/bin/env bash
# Times `npc push` as a whole process (bin/npc, with the flags of bin/jvm.options, JVM start
# included) of a typical flake, this checkout (git-tracked files, about a thousand), to S3Proxy
# running in a process of its own on loopback: a first push (a new remote) and an unchanged
# re-push, alternating, best and median of N each, next to the goal (1 s) and to the floor every
# npc command pays (`bin/npc --version`, JVM start alone) measured in the same run. Keeps the
# output in bench/results/push.txt for the documentation's tables.
# Usage: bench/push-bench.sh [runs] [flake directory]   (defaults: 7, this checkout)
# NPC_JAVA_OPTS, when set, replaces bin/jvm.options for npc (as in bin/npc): measure a flag with it.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

runs=${1:-7}
src=${2:-.}

classpath=$(bench_classpath)
bench_npc_jar
work=$(mktemp -d)
server=
stop_server() {
  if [[ -n $server ]]; then
    exec 3>&-
    wait "$server" || true
  fi
  rm -rf "$work"
}
trap stop_server EXIT

# S3Proxy in its own JVM: it serves until its input (this script's fd 3) is closed.
mkfifo "$work/server.in"
java -cp "$classpath" dev.npc.bench.S3ProxyServer < "$work/server.in" > "$work/server.env" &
server=$!
exec 3> "$work/server.in"
for _ in $(seq 1 600); do
  grep -qx ready "$work/server.env" 2> /dev/null && break
  kill -0 "$server" 2> /dev/null || { echo "push-bench: S3ProxyServer did not start" >&2; exit 1; }
  sleep 0.1
done
grep -qx ready "$work/server.env" || { echo "push-bench: S3ProxyServer did not start within 60 s" >&2; exit 1; }
while IFS='=' read -r key value; do
  [[ $key == ready ]] || export "$key=$value"
done < "$work/server.env"

run() {
  local files
  files=$(bin/npc pack --src "$src" -o "$work/flake.npc" --json | tr -d '\n ' | sed -E 's/.*"files":"([0-9]+)".*/\1/') || return
  local name="this checkout"
  [[ $src == . ]] || name=$(basename "$src")
  echo "figure flake=$files files ($name)"
  echo "figure runs=$runs"
  echo "figure flags=$(bench_npc_flags)"
  echo "figure server=S3Proxy in its own JVM on 127.0.0.1"
  bin/npc push --src "$src" --remote warm-up > /dev/null || return # page cache, server JIT
  local i
  for ((i = 1; i <= runs; i++)); do
    bench_time "$work/first.times" bin/npc push --src "$src" --remote "bench-$i" || return
    bench_time "$work/again.times" bin/npc push --src "$src" --remote "bench-$i" || return
    bench_time "$work/start.times" bin/npc --version || return
    echo "run $i: first push $(tail -n 1 "$work/first.times" | cut -d' ' -f1) s, unchanged re-push" \
      "$(tail -n 1 "$work/again.times" | cut -d' ' -f1) s, npc --version $(tail -n 1 "$work/start.times" | cut -d' ' -f1) s (wall)"
  done
  bench_figures first "$work/first.times"
  bench_figures again "$work/again.times"
  bench_figures start "$work/start.times"
  echo "figure goal=1 s"
}

BENCH_TOOLS="S3Proxy in its own JVM"
export BENCH_TOOLS
bench_record bench/results/push.txt "bench/push-bench.sh${*:+ $*}" run
