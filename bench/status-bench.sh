#!/usr/bin/env bash
# Times whole `bin/npc status` processes (the shipped launcher with bin/jvm.options) over a fleet of
# N hosts (default 10,000) held by S3Proxy in a JVM of its own on loopback, through the real AWS SDK
# (two such servers: one answering listings from a sorted index, as S3 does, and S3Proxy's stock
# in-memory store, whose every listing page walks all objects, measured for cold and warm too):
#   cold     no local cache: one listing of hosts/, then every state.json (each names the
#            desired.json it acted on, with a copy, so no desired.json is fetched)
#   warm     the next run, nothing changed: the listing only (and a HEAD per remote)
#   changed  the next run after one host reported: the listing and one GET
#   no-cache `npc status --no-cache`: the listing and every state.json, each run, the
#            comparison measured in the same run
#   start    `bin/npc --version`: the JVM's start, the floor under every figure
# Each is run RUNS times (default 5), interleaved so the shared machine's drift hits all alike; the
# median is printed, with the CLI's CPU time and peak resident memory (/usr/bin/time) and the CPU
# time the S3 server spent answering it (/proc), since both share this machine's cores.
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
bench_npc_jar

# median FILE: the middle value of a column of numbers.
median() {
  sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# peak FILE: the largest value of a column of numbers.
peak() {
  sort -g "$1" | tail -n 1
}

# start_server NAME [indexed]: starts StatusFleetServer in its own JVM, talking through two fifos
# in $work; sets NAME_pid and NAME_env (the exports a client needs), once it is ready.
start_server() {
  local name=$1 mode=${2:-} line env=""
  mkfifo "$work/$name.in" "$work/$name.out"
  java -Xmx1g -cp "$classpath" dev.npc.bench.StatusFleetServer "$hosts" ${mode:+"$mode"} \
    < "$work/$name.in" > "$work/$name.out" &
  printf -v "${name}_pid" '%s' "$!"
  exec {fd}> "$work/$name.in"
  printf -v "${name}_in" '%s' "$fd"
  exec {fd}< "$work/$name.out"
  printf -v "${name}_outfd" '%s' "$fd"
  while IFS= read -r line <&"$fd"; do
    case $line in
      "export "*) env="$env ${line#export }" ;;
      ready) break ;;
    esac
  done
  [[ $line == ready ]] || { echo "status-bench: the $name S3 server did not start" >&2; return 1; }
  printf -v "${name}_env" '%s' "$env"
}

measure() {
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # the values now, not at exit
  trap "kill \$(jobs -p) 2>/dev/null || true; rm -rf '$work'" EXIT
  # Both servers at once, so the runs can be interleaved: "stock" is S3Proxy as it ships, whose
  # in-memory store walks every object under the prefix for each listing page; "indexed" answers
  # listings from a sorted index, as S3 does (dev.npc.bench.IndexedListing).
  start_server stock
  start_server indexed indexed
  local ticks
  ticks=$(getconf CLK_TCK)

  # timed LABEL SERVER ARGS...: one bin/npc run against SERVER with its own cache directory;
  # appends its wall seconds, peak RSS (KiB), CPU seconds and the server's CPU seconds to LABEL's files.
  timed() {
    local label=$1 server=$2 before after seconds kib cpu server_seconds pid env
    shift 2
    pid=${server}_pid
    env=${server}_env
    before=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/${!pid}/stat")
    # shellcheck disable=SC2086 # NAME=VALUE words, split on purpose
    env ${!env} XDG_CACHE_HOME="$work/cache-$server" \
      /usr/bin/time -f '%e %M %U %S' -o "$work/time" bin/npc "$@" > "$work/out" 2> "$work/err" || {
      echo "status-bench: bin/npc $* failed:" >&2
      cat "$work/err" >&2
      return 1
    }
    after=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/${!pid}/stat")
    server_seconds=$(awk -v a="$before" -v b="$after" -v hz="$ticks" 'BEGIN { printf "%.2f", (b - a) / hz }')
    read -r seconds kib cpu < <(awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time")
    echo "$seconds" >> "$work/$label.seconds"
    echo "$kib" >> "$work/$label.kib"
    echo "$cpu" >> "$work/$label.cpu"
    echo "$server_seconds" >> "$work/$label.server"
    if [[ $1 == status ]]; then
      tail -n 1 "$work/out" > "$work/$label.summary"
      printf '  %-14s %6.2f s  %4d MiB  CPU %5.2f s, server CPU %5.2f s  %s\n' "$label" "$seconds" $((kib / 1024)) \
        "$cpu" "$server_seconds" "$(cat "$work/$label.summary")"
    fi
  }

  # touch SERVER HOST: the host reports (a new state.json).
  touch_host() {
    local in=${1}_in out=${1}_outfd line
    echo "touch $2" >&"${!in}"
    IFS= read -r line <&"${!out}"
  }

  local labels="cold warm changed no-cache stock-cold stock-warm start"
  for ((run = 1; run <= runs; run++)); do
    echo "run $run of $runs"
    rm -rf "$work"/cache-*
    timed cold indexed status
    timed warm indexed status
    touch_host indexed "host-$(printf '%05d' $((run % hosts)))"
    timed changed indexed status
    timed no-cache indexed status --no-cache
    timed stock-cold stock status
    timed stock-warm stock status
    timed start indexed --version
  done
  for label in cold warm changed stock-cold stock-warm; do
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
  for label in $labels; do
    echo "figure $label.time=$(printf '%.2f s' "$(median "$work/$label.seconds")")"
    echo "figure $label.rss=$(( $(peak "$work/$label.kib") / 1024 )) MiB"
    echo "figure $label.cpu=$(printf '%.2f s' "$(median "$work/$label.cpu")")"
    echo "figure $label.server=$(printf '%.2f s' "$(median "$work/$label.server")")"
  done
  echo "figure ratio.cold=$(awk -v a="$(median "$work/cold.seconds")" -v b="$(median "$work/no-cache.seconds")" 'BEGIN { printf "%.2f", a / b }')"
  echo "figure ratio.warm=$(awk -v a="$(median "$work/warm.seconds")" -v b="$(median "$work/no-cache.seconds")" 'BEGIN { printf "%.2f", a / b }')"
  local in
  for in in stock_in indexed_in; do
    echo quit >&"${!in}"
  done
  wait || true
}

BENCH_TOOLS="S3Proxy in its own JVM on loopback; whole bin/npc processes, median of $runs"
export BENCH_TOOLS

bench_record bench/results/status.txt "bench/status-bench.sh${*:+ $*}" measure
