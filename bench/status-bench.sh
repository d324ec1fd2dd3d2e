#!/usr/bin/env bash
# Times whole `bin/npc status` processes (the shipped launcher with bin/jvm.options) over a fleet of
# N hosts (default 10,000) held by S3Proxy in a JVM of its own on loopback, through the real AWS SDK:
#   cold     no local cache: one listing of hosts/, then every desired.json and state.json
#   warm     the next run, nothing changed: the listing only (and a HEAD per remote)
#   changed  the next run after one host reported: the listing and one GET
#   no-cache `npc status --no-cache`: the listing and every document, each run (what npc did
#            before the cache, plus the listing), the comparison measured in the same run
#   start    `bin/npc --version`: the JVM's start, the floor under every figure
# Each is run RUNS times (default 5), interleaved so the shared machine's drift hits all alike; the
# median is printed, and the peak resident memory of the CLI (/usr/bin/time -v's maximum RSS).
# Keeps the output in bench/results/status.txt for the documentation's tables.
# Usage: bench/status-bench.sh [hosts] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

hosts=${1:-10000}
runs=${2:-5}
if ! [[ $hosts =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "status-bench: hosts and runs must be positive whole numbers, e.g. bench/status-bench.sh 10000 5" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "status-bench: needs /usr/bin/time for the CLI's peak memory; install it (Debian: apt-get install time)" >&2
  exit 2
fi

classpath=$(bench_classpath)
# bin/npc runs npc-cli/target/npc-cli.jar: rebuild it when a source is newer, so the launcher
# measured is this checkout's.
jar=npc-cli/target/npc-cli.jar
if [[ ! -f $jar || -n $(find npc-core/src/main npc-cli/src/main -newer "$jar" -print -quit) ]]; then
  ./mvnw -q -B -Dmaven.test.skip=true -pl npc-cli -am package >&2
fi

# median FILE: the middle value of a column of numbers.
median() {
  sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# peak FILE: the largest value of a column of numbers.
peak() {
  sort -g "$1" | tail -n 1
}

measure() {
  local work server_pid line name
  work=$(mktemp -d)
  coproc SERVER { exec java -Xmx1g -cp "$classpath" dev.npc.bench.StatusFleetServer "$hosts"; }
  server_pid=$SERVER_PID
  # shellcheck disable=SC2064 # the values now, not at exit
  trap "kill $server_pid 2>/dev/null || true; rm -rf '$work'" EXIT
  while IFS= read -r line <&"${SERVER[0]}"; do
    case $line in
      "export "*)
        name=${line#export }
        export "${name%%=*}=${name#*=}"
        ;;
      ready) break ;;
    esac
  done
  [[ $line == ready ]] || { echo "status-bench: the S3 server did not start" >&2; return 1; }
  export XDG_CACHE_HOME=$work/cache

  # timed LABEL ARGS...: one bin/npc run; appends its wall seconds and peak RSS (KiB) to LABEL's files.
  timed() {
    local label=$1
    shift
    /usr/bin/time -f '%e %M' -o "$work/time" bin/npc "$@" > "$work/out" 2> "$work/err" || {
      echo "status-bench: bin/npc $* failed:" >&2
      cat "$work/err" >&2
      return 1
    }
    read -r seconds kib < "$work/time"
    echo "$seconds" >> "$work/$label.seconds"
    echo "$kib" >> "$work/$label.kib"
    if [[ $1 == status ]]; then
      tail -n 1 "$work/out" > "$work/$label.summary"
      printf '  %-9s %6.2f s  %4d MiB  %s\n' "$label" "$seconds" $((kib / 1024)) "$(cat "$work/$label.summary")"
    fi
  }

  for ((run = 1; run <= runs; run++)); do
    echo "run $run of $runs"
    rm -rf "$XDG_CACHE_HOME"
    timed cold status
    timed warm status
    echo "touch host-$(printf '%05d' $((run % hosts)))" >&"${SERVER[1]}"
    IFS= read -r line <&"${SERVER[0]}"
    timed changed status
    timed no-cache status --no-cache
    timed start --version
  done
  for label in cold warm changed; do
    if ! cmp -s "$work/$label.summary" "$work/no-cache.summary"; then
      echo "status-bench: $label saw another fleet than --no-cache: $(cat "$work/$label.summary") / $(cat "$work/no-cache.summary")" >&2
      return 1
    fi
  done
  case $(cat "$work/no-cache.summary") in
    "$hosts hosts,"*) ;;
    *) echo "status-bench: npc status did not show $hosts hosts: $(cat "$work/no-cache.summary")" >&2; return 1 ;;
  esac

  echo "figure hosts=$(echo "$hosts" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta')"
  echo "figure runs=$runs"
  for label in cold warm changed no-cache start; do
    echo "figure $label.time=$(printf '%.2f s' "$(median "$work/$label.seconds")")"
    echo "figure $label.rss=$(( $(peak "$work/$label.kib") / 1024 )) MiB"
  done
  echo "figure ratio.cold=$(awk -v a="$(median "$work/cold.seconds")" -v b="$(median "$work/no-cache.seconds")" 'BEGIN { printf "%.2f", a / b }')"
  echo "figure ratio.warm=$(awk -v a="$(median "$work/warm.seconds")" -v b="$(median "$work/no-cache.seconds")" 'BEGIN { printf "%.2f", a / b }')"
  echo quit >&"${SERVER[1]}"
  wait "$server_pid" || true
}

BENCH_TOOLS="S3Proxy in its own JVM on loopback; whole bin/npc processes, median of $runs"
export BENCH_TOOLS
[[ ${STATUS_BENCH_DEBUG:-} ]] && { measure; exit; }
bench_record bench/results/status.txt "bench/status-bench.sh${*:+ $*}" measure
