#!/usr/bin/env bash
# Poll: what npc-daemon costs while nothing changes. S3Proxy runs in its own JVM on loopback
# (dev.npc.daemon.bench.PollBenchServer, which also counts the requests it answers), with one host
# and its remote published; the real daemon runs as a whole process, started by bin/npc-daemon,
# with stand-in system commands. After the first activation each daemon polls every second:
# warm-up, then CPU per poll (/proc/<pid>/stat utime+stime over the polls the server counted),
# resident memory (/proc/<pid>/status VmRSS), requests and body bytes per poll, and the local
# files it wrote. Measured in the same run: the daemon with the shipped flags (bin/jvm.options and,
# added by the launcher to a daemon that keeps running, bin/jvm-resident.options) and with the NixOS module's flags before issue 11, one `aws s3api get-object-attributes` process
# (what a poll costs a tool that starts a process per poll; `curl --aws-sigv4` HEAD without the
# aws CLI), and `npc-daemon follow --once` of an unchanged host (timer mode) with both flag sets.
# Also the same poll ten times a second (the poll's own work, the CPU kept busy), the daemon
# polling every second measured from 120 s after its start (compiled: the rest of its life), the
# daemon at the default --interval 60s (CPU a minute: one poll and the wait around it; against one
# aws process per poll, npcnix's way), and this machine's price for waking up
# (dev.npc.daemon.bench.IdlePenalty), which a poll once a second pays too.
# Keeps the output in bench/results/poll.txt. Usage:
#   bench/poll-bench.sh [measure-seconds=30] [warm-up-seconds=20] [rounds=3] [once-runs=5]
# NPC_BENCH_PROFILE=DIR keeps a flight recording of each daemon in DIR (those figures include the
# recorder's own cost).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

measure_seconds=${1:-30}
warmup_seconds=${2:-20}
rounds=${3:-3}
once_runs=${4:-5}
# The NixOS module's services.npc.jvmOptions default before issue 11: bin/jvm.options as it was,
# plus a heap bound.
old_flags="-XX:+UseSerialGC -Xshare:auto -Xmx128m"

# One reactor run, so the class path can name npc-core's freshly built jars (no mvn install).
./mvnw -q -B -pl npc-daemon -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
# The archive the Nix package builds at install time, for the jar just built (at the absolute path
# bin/npc-daemon runs it from: an archive is tied to the class path it was written for).
bin/cds-archive java "$PWD/bin/jvm.options" npc-daemon "$PWD/npc-daemon/target/npc-daemon.jar" \
  "$PWD/npc-daemon/target/npc-daemon.jsa" >&2
classpath="npc-daemon/target/classes:npc-daemon/target/test-classes:$(cat npc-daemon/target/bench.classpath)"
ticks=$(getconf CLK_TCK)

# cpu_ticks PID: user+system time of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# rss_kib PID: the process's resident memory now.
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
# median: the middle one of numbers, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# field LINE NAME: NAME's value in a "name=value ..." line.
field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

run() {
  local work
  work=$(mktemp -d)
  mkfifo "$work/to-server" "$work/from-server"
  mkdir "$work/metrics"
  java -Xmx256m -cp "$classpath" dev.npc.daemon.bench.PollBenchServer "$work" \
    < "$work/to-server" > "$work/from-server" 2> "$work/server.err" &
  local server=$!
  exec 7> "$work/to-server" 8< "$work/from-server"
  # shellcheck disable=SC2064 # the paths and the process id as they are now
  trap "status=\$?; exec 7>&- 8<&-; kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf '$work'; exit \$status" EXIT
  local line
  read -r line <&8 || { cat "$work/server.err" >&2; echo "poll-bench: the S3 server did not start" >&2; exit 1; }
  counts() { echo counts >&7; read -r line <&8; echo "$line"; }
  set -a
  # shellcheck disable=SC1091 # written by the server: its endpoint and test credentials
  source "$work/env"
  set +a
  local flags
  mapfile -t flags < "$work/daemon.args"

  echo "first activation (bin/npc-daemon follow --once=activate):"
  bin/npc-daemon follow --once=activate "${flags[@]}" 2>&1 | sed 's/^/  /'

  # daemon NAME OPTS [INTERVAL WARM-UP MEASURE]: one resident daemon, started by bin/npc-daemon with
  # OPTS as NPC_JAVA_OPTS (empty: the launcher's bin/jvm.options and bin/jvm-resident.options),
  # polling every INTERVAL (1s); prints "NAME
  # cpu-ms-per-poll rss-mib requests-per-poll body-bytes files polls cpu-ms-per-minute".
  daemon() {
    local name=$1 opts=$2 interval=${3:-1s} warmup=${4:-$warmup_seconds} measure=${5:-$measure_seconds} pid
    if [ -n "${NPC_BENCH_PROFILE:-}" ]; then
      # A flight recording of each daemon, to say where its CPU time goes (jfr print --events
      # jdk.ExecutionSample FILE); the recorder itself costs some CPU, so figures from such a run
      # are not comparable.
      mkdir -p "$NPC_BENCH_PROFILE"
      opts="${opts:-@bin/jvm.options @bin/jvm-resident.options} -XX:StartFlightRecording=filename=$NPC_BENCH_PROFILE/$name.jfr,settings=profile"
    fi
    NPC_JAVA_OPTS=$opts bin/npc-daemon follow --interval "$interval" "${flags[@]}" --metrics-file "$work/metrics/npc.prom" \
      > "$work/$name.log" 2>&1 &
    pid=$!
    sleep "$warmup"
    local c0 t0 mark="$work/mark"
    touch "$mark"
    c0=$(counts)
    t0=$(cpu_ticks "$pid")
    sleep "$measure"
    local c1 t1 rss
    t1=$(cpu_ticks "$pid")
    c1=$(counts)
    rss=$(rss_kib "$pid")
    kill -TERM "$pid"
    wait "$pid" || true
    local polls requests bytes written
    polls=$(( $(field "$c1" polls) - $(field "$c0" polls) ))
    requests=$(( $(field "$c1" get) + $(field "$c1" head) + $(field "$c1" put) + $(field "$c1" other) \
      - $(field "$c0" get) - $(field "$c0" head) - $(field "$c0" put) - $(field "$c0" other) ))
    bytes=$(( $(field "$c1" bodybytes) - $(field "$c0" bodybytes) ))
    written=$(find "${flags[1]}" "$work/metrics" -newer "$mark" -type f | wc -l)
    [ "$polls" -gt 0 ] || { cat "$work/$name.log" >&2; echo "poll-bench: $name did not poll" >&2; exit 1; }
    awk -v n="$name" -v t=$((t1 - t0)) -v hz="$ticks" -v p="$polls" -v r="$requests" -v rss="$rss" -v b="$bytes" \
      -v w="$written" -v m="$measure" \
      'BEGIN { printf "%s %.2f %.0f %.2f %d %d %d %.1f\n", n, t / hz * 1000 / p, rss / 1024, r / p, b, w, p, t / hz * 1000 * 60 / m }'
  }

  local round results="$work/daemons"
  for round in $(seq "$rounds"); do
    daemon shipped "" >> "$results"
    daemon old "$old_flags" >> "$results"
    echo "round $round of $rounds (name, CPU ms per poll, RSS MiB, requests per poll, body bytes, files written, polls, CPU ms a minute):"
    tail -n 2 "$results" | sed 's/^/  /'
  done

  # The same poll ten times a second: what a poll's own work costs while the CPU stays busy.
  daemon fast "" 100ms 20 10 >> "$results"
  echo "polling every 0.1 s (name, CPU ms per poll, RSS MiB, requests per poll, body bytes, files written, polls, CPU ms a minute):"
  tail -n 1 "$results" | sed 's/^/  /'
  # The same daemon two minutes after its start, when the JIT has compiled what a poll runs: what
  # a host pays for the rest of the daemon's life.
  daemon late "" 1s 120 "$measure_seconds" >> "$results"
  echo "the shipped daemon polling every second, measured from 120 s after its start:"
  tail -n 1 "$results" | sed 's/^/  /'
  # At the default interval (60 s, jitter included) what matters is the CPU of a minute: one poll
  # and the wait around it.
  daemon minute "" 60s 20 120 >> "$results"
  echo "the shipped daemon at the default --interval 60s, over 120 s (last field: CPU ms a minute):"
  tail -n 1 "$results" | sed 's/^/  /'
  # This machine's price for waking up: one fixed piece of work after each 1 s sleep and after each
  # 10 ms sleep (dev.npc.daemon.bench.IdlePenalty), the yardstick for the CPU per poll above.
  java @bin/jvm.options -cp "$classpath" dev.npc.daemon.bench.IdlePenalty 20 > "$work/idle"
  echo "the same fixed work after 1 s of sleep, after 10 ms, and the ratio: $(sed 's/^figure idle\.[a-z]*=//' "$work/idle" | tr '\n' ' ')"

  # once NAME OPTS: CPU seconds (user+sys) of `follow --once` of the unchanged host, one a line.
  once() {
    local TIMEFORMAT='%U %S'
    for _ in $(seq "$once_runs"); do
      { time NPC_JAVA_OPTS=$2 bin/npc-daemon follow --once "${flags[@]}" > /dev/null 2>&1; } 2>&1 \
        | awk '{ print $1 + $2 }'
    done
  }
  once shipped "" > "$work/once-shipped"
  once old "$old_flags" > "$work/once-old"

  # What a tool that starts a process per poll pays: one aws CLI call (npcnix's), or one curl.
  local floor_name floor_times="$work/floor" TIMEFORMAT='%U %S'
  if command -v aws > /dev/null; then
    floor_name="aws s3api get-object-attributes"
    for _ in $(seq "$once_runs"); do
      { time aws s3api get-object-attributes --endpoint-url "$AWS_ENDPOINT_URL" --bucket "$NPC_BENCH_BUCKET" \
          --key "$NPC_BENCH_DESIRED" --object-attributes ETag > /dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }'
    done > "$floor_times"
  else
    floor_name="curl --aws-sigv4 HEAD"
    for _ in $(seq "$once_runs"); do
      { time curl -sfI --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
          "$AWS_ENDPOINT_URL/$NPC_BENCH_BUCKET/$NPC_BENCH_DESIRED" > /dev/null; } 2>&1 | awk '{ print $1 + $2 }'
    done > "$floor_times"
  fi

  pick() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$results" | median; }
  local shipped_flags
  shipped_flags=$(cat bin/jvm.options bin/jvm-resident.options | grep -v '^[[:space:]]*\(#\|$\)' \
    | sed 's/[[:space:]]*#.*//' | tr '\n' ' ' | sed 's/ $//')
  echo "shipped flags of the daemon (bin/jvm.options, bin/jvm-resident.options; follow --once without the second): $shipped_flags"
  echo "old flags (the NixOS module's before issue 11): $old_flags"
  echo "follow --once CPU seconds, shipped: $(tr '\n' ' ' < "$work/once-shipped")"
  echo "follow --once CPU seconds, old:     $(tr '\n' ' ' < "$work/once-old")"
  echo "$floor_name CPU seconds: $(tr '\n' ' ' < "$floor_times")"
  Figures() { echo "figure $1=$2"; }
  Figures rounds "$rounds"
  Figures measure "${measure_seconds} s after ${warmup_seconds} s of warm-up"
  Figures shipped.cpu "$(pick shipped 2) ms"
  Figures shipped.rss "$(pick shipped 3) MiB"
  Figures shipped.requests "$(pick shipped 4)"
  Figures shipped.bytes "$(pick shipped 5)"
  Figures shipped.files "$(pick shipped 6)"
  Figures old.cpu "$(pick old 2) ms"
  Figures old.rss "$(pick old 3) MiB"
  Figures old.requests "$(pick old 4)"
  Figures old.bytes "$(pick old 5)"
  Figures old.files "$(pick old 6)"
  Figures fast.cpu "$(pick fast 2) ms"
  Figures fast.rss "$(pick fast 3) MiB"
  Figures fast.requests "$(pick fast 4)"
  Figures late.cpu "$(pick late 2) ms"
  Figures late.rss "$(pick late 3) MiB"
  Figures minute.cpu "$(pick minute 8) ms"
  Figures minute.rss "$(pick minute 3) MiB"
  Figures minute.requests "$(pick minute 4)"
  cat "$work/idle"
  Figures once.runs "$once_runs"
  Figures once.shipped "$(median < "$work/once-shipped") s"
  Figures once.old "$(median < "$work/once-old") s"
  Figures floor.name "$floor_name"
  Figures floor.cpu "$(median < "$floor_times" | awk '{ printf "%.0f", $1 * 1000 }') ms"
  # The server's own exit status says nothing about the figures above.
  echo quit >&7
  wait "$server" || true
}

BENCH_TOOLS="S3Proxy in its own JVM; $(if command -v aws > /dev/null; then aws --version 2>&1 | cut -d' ' -f1; else curl --version | head -n 1 | cut -d' ' -f1,2; fi)"
export BENCH_TOOLS
bench_record bench/results/poll.txt "bench/poll-bench.sh${*:+ $*}" run
