#!/usr/bin/env bash
# Writes the figures the documentation shows, so none is typed by hand. Needs only a JDK and the
# checkout (./npc builds itself on first use).
#
#   tools/readme-figures.sh demo [OUTPUT]  README.md's demo excerpt, from a run of ./npc demo
#                                          (or from OUTPUT, a saved one)
#   tools/readme-figures.sh bench          the benchmark tables of README.md, bench/README.md and
#                                          docs/reliability.md, from the runs kept in bench/results/
#                                          (the bench/*.sh scripts run this after each run)
#   tools/readme-figures.sh bench --check  exit 1, naming them, when those tables differ from
#                                          what bench/results/ gives (a test runs this)
#
# Each block lies between "<!-- BEGIN FIGURES <name>: ... -->" and "<!-- END FIGURES <name> -->";
# everything between the two is replaced. A benchmark's figures are its "figure <key>=<value>"
# lines (dev.npc.bench.Figures prints them).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

check=false
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stale=()

# splice FILE NAME CONTENT: puts CONTENT (a file) between NAME's markers in FILE; with --check,
# only records FILE and NAME when what is there differs.
splice() {
  local file=$1 name=$2 content=$3 out="$work/spliced"
  if ! awk -v name="$name" -v content="$content" '
      BEGIN { begin = "<!-- BEGIN FIGURES " name ":"; end = "<!-- END FIGURES " name " -->" }
      index($0, begin) == 1 {
        print
        while ((getline line < content) > 0) print line
        close(content)
        inside = 1; begins++
        next
      }
      $0 == end { inside = 0; ends++ }
      !inside { print }
      END { if (begins != 1 || ends != 1 || inside) exit 3 }
    ' "$file" > "$out"; then
    echo "readme-figures: $file needs exactly one '<!-- BEGIN FIGURES $name: ... -->' line and one" \
      "'<!-- END FIGURES $name -->' line after it" >&2
    exit 1
  fi
  if cmp -s "$out" "$file"; then
    return
  fi
  if [ "$check" = true ]; then
    stale+=("$file ($name)")
  else
    cat "$out" > "$file"
    echo "readme-figures: $file: $name updated"
  fi
}

# --- the demo -------------------------------------------------------------------------------

# demo_block OUTPUT: steps 6 and 7 of the demo's output up to the status table (the broken
# version stopped at the canary, and the fleet as npc status shows it), as a code block. Hashes
# are cut to their first 8 characters, the length npc shows versions with; nothing else changes.
demo_block() {
  local excerpt
  excerpt=$(sed -n '/^\[6\/7\]/,/^  \$ npc remotes$/p' "$1" | sed '$d' \
    | sed -E 's/\b([0-9a-f]{8})[0-9a-f]{56}\b/\1.../g; s#/nix/store/([0-9a-z]{8})[0-9a-z]{24}-#/nix/store/\1...-#g; s/[[:space:]]+$//' \
    | awk 'NF { while (blank > 0) { print ""; blank-- } print; next } { blank++ }')
  case $excerpt in
    *"[7/7]"*"\$ npc status"*) ;;
    *)
      echo "readme-figures: the demo's output has no step 6 and 7 up to '  \$ npc remotes'; update demo_block in $0" >&2
      exit 1
      ;;
  esac
  # shellcheck disable=SC2016 # the backticks are Markdown's code fence
  printf '```\n%s\n```\n' "$excerpt"
}

demo() {
  local output=${1:-}
  if [ -z "$output" ]; then
    output="$work/demo.txt"
    # The demo's output as it runs, and kept for the excerpt; README.md changes only if it went right.
    if ! ./npc demo | tee "$output"; then
      echo "readme-figures: ./npc demo did not go as it should; README.md is unchanged" >&2
      exit 1
    fi
  fi
  demo_block "$output" > "$work/demo-block"
  splice README.md demo "$work/demo-block"
}

# --- the benchmarks -------------------------------------------------------------------------

# fig FILE KEY: the value of a figure in a kept run, "-" when the run did not measure it.
fig() {
  awk -v key="figure $2=" 'index($0, key) == 1 { value = substr($0, length(key) + 1) }
    END { print (value == "" ? "-" : value) }' "$1"
}

# The kept runs of one benchmark, in order (soak by probability and seed).
runs() {
  local pattern=$1
  compgen -G "bench/results/$pattern" | sort -t- -k2,2g -k3,3g || true
}

# measured RUN: when, where and with what a kept run was measured, as the tables' first line says it.
measured() {
  local tools
  tools=$(fig "$1" tools)
  echo "Measured $(fig "$1" date) on a $(fig "$1" machine) ($(fig "$1" java)${tools:+; $tools})"
}

# runs_table PATTERN INTRO ROW HEADER: the kept runs matching PATTERN as one table: INTRO's line
# (for the first run), the HEADER row and its rule, then ROW's row for each run.
runs_table() {
  local pattern=$1 intro=$2 row=$3 header=$4 f first=true
  for f in $(runs "$pattern"); do
    if [ "$first" = true ]; then
      "$intro" "$f"
      echo
      echo "$header"
      echo "$header" | sed -E 's/[^|]+/---/g'
      first=false
    fi
    "$row" "$f"
  done
}

bench_pack() {
  local f=bench/results/pack.txt
  {
    echo "$(measured $f), \`$(fig $f command)\`, $(fig $f tree), npc with $(fig $f flags):"
    echo
    echo "| whole process | best of $(fig $f runs) | median | CPU (median, user + system) | archive |"
    echo "|---|---|---|---|---|"
    echo "| \`bin/npc pack\` | $(fig $f npc.time) | $(fig $f npc.median) | $(fig $f npc.cpu) | $(fig $f npc.bytes) bytes |"
    echo "| tar \\| zstd -3 -T1 | $(fig $f tar.time) | $(fig $f tar.median) | $(fig $f tar.cpu) | $(fig $f tar.bytes) bytes |"
    echo
    echo "npc takes $(fig $f ratio.time) the time of tar | zstd (best; $(fig $f ratio.median) by median) and makes an archive $(fig $f ratio.size) the size."
    echo
    echo "The parts alone, in the same run (the floor under npc on this machine):"
    echo
    echo "| alone | best | median | CPU (median, user + system) |"
    echo "|---|---|---|---|"
    echo "| \`zstd -3 -T2\` of the same tar stream (npc's compression, natively) | $(fig $f zstd.time) | $(fig $f zstd.median) | $(fig $f zstd.cpu) |"
    echo "| \`bin/npc --version\` (JVM start with the archive) | $(fig $f start.time) | $(fig $f start.median) | $(fig $f start.cpu) |"
    echo "| \`sha256sum\` of npc's archive (its version, hashed natively) | $(fig $f sha256sum.time) | $(fig $f sha256sum.median) | $(fig $f sha256sum.cpu) |"
    echo
    echo "SHA-256 in a fresh JVM, compilation included: npc's own (\`dev.npc.digest.Sha256Digest\`) $(fig $f hash.npc) with the shipped flags; the JDK's MessageDigest $(fig $f hash.jdk.c1) with them (C1 only) and $(fig $f hash.jdk.c2) with C2 (its CPU intrinsic)."
  } > "$work/bench-pack"
  splice bench/README.md bench-pack "$work/bench-pack"
}

bench_push() {
  local f=bench/results/push.txt
  [ -f $f ] || return 0
  {
    echo "$(measured $f), \`$(fig $f command)\`, a flake of $(fig $f flake), npc with $(fig $f flags):"
    echo
    echo "| whole process | best of $(fig $f runs) | median | CPU (median, user + system) |"
    echo "|---|---|---|---|"
    echo "| \`bin/npc push\`, first push (new remote) | $(fig $f first.time) | $(fig $f first.median) | $(fig $f first.cpu) |"
    echo "| \`bin/npc push\`, unchanged re-push | $(fig $f again.time) | $(fig $f again.median) | $(fig $f again.cpu) |"
    echo "| \`bin/npc --version\` (JVM start, the floor) | $(fig $f start.time) | $(fig $f start.median) | $(fig $f start.cpu) |"
    echo
    echo "Goal: $(fig $f goal) wall for a push, JVM start included."
  } > "$work/bench-push"
  splice bench/README.md bench-push "$work/bench-push"
}

bench_status() {
  local f=bench/results/status.txt
  {
    echo "$(measured $f), \`$(fig $f command)\`, $(fig $f hosts) hosts, median of $(fig $f runs) runs:"
    echo
    echo "| \`bin/npc status\` | time | CLI peak RSS | CLI CPU | S3 server CPU |"
    echo "|---|---|---|---|---|"
    echo "| cold: no local cache (listings from an index, as S3) | $(fig $f cold.time) | $(fig $f cold.rss) | $(fig $f cold.cpu) | $(fig $f cold.server) |"
    echo "| warm: nothing changed since the last run | $(fig $f warm.time) | $(fig $f warm.rss) | $(fig $f warm.cpu) | $(fig $f warm.server) |"
    echo "| one host reported since the last run | $(fig $f changed.time) | $(fig $f changed.rss) | $(fig $f changed.cpu) | $(fig $f changed.server) |"
    echo "| \`--no-cache\`: no local cache, every state.json fetched | $(fig $f no-cache.time) | $(fig $f no-cache.rss) | $(fig $f no-cache.cpu) | $(fig $f no-cache.server) |"
    echo "| cold, S3Proxy's stock listing | $(fig $f stock-cold.time) | $(fig $f stock-cold.rss) | $(fig $f stock-cold.cpu) | $(fig $f stock-cold.server) |"
    echo "| warm, S3Proxy's stock listing | $(fig $f stock-warm.time) | $(fig $f stock-warm.rss) | $(fig $f stock-warm.cpu) | $(fig $f stock-warm.server) |"
    echo "| \`bin/npc --version\`: the JVM's start | $(fig $f start.time) | $(fig $f start.rss) | $(fig $f start.cpu) | $(fig $f start.server) |"
    echo
    echo "Cold takes $(fig $f ratio.cold) the time of \`--no-cache\`, warm $(fig $f ratio.warm)."
  } > "$work/bench-status"
  splice bench/README.md bench-status "$work/bench-status"
}

bench_poll() {
  local f=bench/results/poll.txt
  [ -f $f ] || return 0
  {
    echo "$(measured $f), \`$(fig $f command)\`, median of $(fig $f rounds) rounds, each $(fig $f measure):"
    echo
    echo "| daemon polling every second, nothing changes | CPU per poll | resident memory | requests per poll | body bytes | files written |"
    echo "|---|---|---|---|---|---|"
    echo "| shipped flags (\`bin/jvm.options\`, then \`bin/jvm-resident.options\`) | $(fig $f shipped.cpu) | $(fig $f shipped.rss) | $(fig $f shipped.requests) | $(fig $f shipped.bytes) | $(fig $f shipped.files) |"
    echo "| the NixOS module's flags before issue 11 | $(fig $f old.cpu) | $(fig $f old.rss) | $(fig $f old.requests) | $(fig $f old.bytes) | $(fig $f old.files) |"
    echo "| shipped flags, polling every 0.1 s (the poll's own work, the CPU kept busy) | $(fig $f fast.cpu) | $(fig $f fast.rss) | $(fig $f fast.requests) | | |"
    echo "| shipped flags, measured from 120 s after the start (what a poll's code costs once compiled: the rest of the daemon's life) | $(fig $f late.cpu) | $(fig $f late.rss) | | | |"
    echo
    echo "At the default \`--interval 60s\` (jitter included), over 120 s: $(fig $f minute.cpu) of CPU a minute, one poll and the wait around it, $(fig $f minute.rss) resident, $(fig $f minute.requests) requests per poll; npcnix's way, one \`$(fig $f floor.name)\` process per poll, costs $(fig $f floor.cpu) a minute."
    echo
    echo "On this machine one fixed piece of work (\`dev.npc.daemon.bench.IdlePenalty\`) costs $(fig $f idle.slow) of CPU after a second's sleep and $(fig $f idle.fast) after 10 ms ($(fig $f idle.ratio) times as much): a poll once a second pays that price too."
    echo
    echo "| one process | CPU (user + sys), median of $(fig $f once.runs) |"
    echo "|---|---|"
    echo "| \`npc-daemon follow --once\` of an unchanged host, shipped flags | $(fig $f once.shipped) |"
    echo "| the same with the NixOS module's flags before issue 11 | $(fig $f once.old) |"
    echo "| \`$(fig $f floor.name)\` (a process per poll) | $(fig $f floor.cpu) |"
  } > "$work/bench-poll"
  splice bench/README.md bench-poll "$work/bench-poll"
}

soak_intro() { echo "$(measured "$1"):"; }
soak_row() {
  echo "| \`$(fig "$1" command)\` | $(fig "$1" polls) | $(fig "$1" time) | $(fig "$1" faulted) | $(fig "$1" exits) | $(fig "$1" crashes) | $(fig "$1" threads) | $(fig "$1" fds) | $(fig "$1" heap) |"
}

bench_soak() {
  runs_table 'soak-*.txt' soak_intro soak_row \
    "| run | polls | time | faulted requests | poll exit codes | crashes | threads start → end | fds start → end | heap start → end |" \
    > "$work/bench-soak"
  splice docs/reliability.md bench-soak "$work/bench-soak"
}

# joined KEY FILES...: the figure KEY of each run, separated by " / "; once when all are the same.
joined() {
  local key=$1 f out="" first="" same=true value
  shift
  for f in "$@"; do
    value=$(fig "$f" "$key")
    [ -z "$out" ] && first=$value
    [ "$value" = "$first" ] || same=false
    out="${out:+$out / }$value"
  done
  if [ "$same" = true ]; then echo "$first"; else echo "$out"; fi
}

bench_summary() {
  local pack=bench/results/pack.txt status=bench/results/status.txt
  # shellcheck disable=SC2207 # file names without spaces, from runs
  local soaks=($(runs 'soak-*.txt'))
  {
    echo "| what | npc | reference |"
    echo "|---|---|---|"
    echo "| \`npc pack\` of $(fig $pack tree) as a whole process (\`bench/pack-bench.sh\`), best and median of $(fig $pack runs) | $(fig $pack npc.time), median $(fig $pack npc.median), $(fig $pack npc.bytes) bytes | \`tar --sort=name ... \\| zstd -3 -T1\`: $(fig $pack tar.time), median $(fig $pack tar.median), $(fig $pack tar.bytes) bytes |"
    if [ -f bench/results/push.txt ]; then
      local push=bench/results/push.txt
      echo "| \`npc push\` of a flake of $(fig $push flake) to S3Proxy in its own process (\`bench/push-bench.sh\`), median of $(fig $push runs) | first push $(fig $push first.median), unchanged $(fig $push again.median) | goal: $(fig $push goal); JVM start alone: $(fig $push start.median) |"
    fi
    if [ -f "$status" ]; then
      echo "| \`bin/npc status\` over $(fig "$status" hosts) hosts on S3Proxy in its own process (\`bench/status-bench.sh\`), whole process, median of $(fig "$status" runs) | cold $(fig "$status" cold.time) (CLI CPU $(fig "$status" cold.cpu)), nothing changed $(fig "$status" warm.time) (CLI CPU $(fig "$status" warm.cpu)); CLI peak RSS $(fig "$status" warm.rss) | \`--no-cache\` (no local cache: every state.json fetched): $(fig "$status" no-cache.time) (CLI CPU $(fig "$status" no-cache.cpu)); goal: 5 s cold, 1 s unchanged, < 256 MiB |"
    fi
    if [ -f bench/results/poll.txt ]; then
      local poll=bench/results/poll.txt
      echo "| idle daemon polling every second (\`bench/poll-bench.sh\`), shipped flags | $(fig $poll shipped.cpu) CPU per poll ($(fig $poll late.cpu) from two minutes after its start), $(fig $poll shipped.rss) resident, $(fig $poll shipped.requests) requests and $(fig $poll shipped.bytes) body bytes per poll; at the default \`--interval 60s\`: $(fig $poll minute.cpu) CPU a minute; \`follow --once\`: $(fig $poll once.shipped) CPU | flags before issue 11: $(fig $poll old.cpu), $(fig $poll old.rss), \`follow --once\` $(fig $poll once.old); \`$(fig $poll floor.name)\`: $(fig $poll floor.cpu) per poll; goals: 5 ms, 64 MiB, 0.5 s |"
    fi
    if [ "${#soaks[@]}" -gt 0 ]; then
      echo "| daemon soak: $(joined polls "${soaks[@]}") polls through a fault proxy, $(joined probability "${soaks[@]}") of requests faulted (\`bench/soak.sh\`) | crashes $(joined crashes "${soaks[@]}"); threads $(joined threads "${soaks[@]}"), fds $(joined fds "${soaks[@]}"), heap $(joined heap "${soaks[@]}") | |"
    fi
  } > "$work/bench-summary"
  splice README.md bench-summary "$work/bench-summary"
}

bench() {
  if [ ! -f bench/results/pack.txt ]; then
    echo "readme-figures: no bench/results/pack.txt; run bench/pack-bench.sh" >&2
    exit 1
  fi
  bench_summary
  bench_pack
  bench_push
  bench_status
  bench_poll
  bench_soak
}

case ${1:-} in
  demo)
    [ $# -le 2 ] || usage
    demo "${2:-}"
    ;;
  bench)
    case ${2:-} in
      "") ;;
      --check) check=true ;;
      *) usage ;;
    esac
    bench
    if [ "${#stale[@]}" -gt 0 ]; then
      echo "readme-figures: typed or stale figures in ${stale[*]}; run tools/readme-figures.sh bench" >&2
      exit 1
    fi
    ;;
  *) usage ;;
esac
