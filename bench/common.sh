# shellcheck shell=bash
# Sourced by the benchmark scripts (run from the top of the checkout).

# Builds npc-core (with its test classes) once and prints the classpath that runs the benchmark mains.
bench_classpath() {
  if [[ ! -d npc-core/target/test-classes/dev/npc/bench ]]; then
    ./mvnw -q -B -pl npc-core -am -DskipTests package >&2
  fi
  local file=npc-core/target/bench.classpath
  if [[ ! -s $file || npc-core/pom.xml -nt $file ]]; then
    ./mvnw -q -B -pl npc-core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
  fi
  echo "npc-core/target/classes:npc-core/target/test-classes:$(cat "$file")"
}

# bench_record RESULTS COMMAND-LINE PROGRAM [ARGS...]: runs a benchmark, showing its output; when
# it succeeds, keeps that output in RESULTS (with when, where and with which Java it ran) and
# rewrites the documentation's tables from bench/results/ (tools/readme-figures.sh bench), so a
# run's figures land in README.md, bench/README.md and docs/reliability.md without typing.
# NPC_BENCH_MACHINE describes the machine (default: its core count and architecture);
# BENCH_TOOLS names the other tools measured against.
bench_record() {
  local results=$1 command=$2
  shift 2
  local output
  output=$(mktemp)
  {
    echo "# $command: the output of the run that the documentation's tables show"
    echo "figure date=$(date -u +%Y-%m-%d)"
    echo "figure machine=${NPC_BENCH_MACHINE:-$(nproc)-core $(uname -m)}"
    echo "figure java=$(java -version 2>&1 | head -n 1)"
    echo "figure tools=${BENCH_TOOLS:-}"
    echo "figure command=$command"
  } > "$output"
  if "$@" | tee -a "$output"; then
    mkdir -p "$(dirname "$results")"
    mv "$output" "$results"
    tools/readme-figures.sh bench
  else
    local status=$?
    rm -f "$output"
    echo "bench: the run failed (exit $status); $results is unchanged" >&2
    return "$status"
  fi
}

# Builds bin/npc's jar (npc-cli and what it needs, without tests) when it is missing or a source is
# newer, so the launcher measured is this checkout's, and its class data sharing archive when that
# is missing or older than the jar: what the Nix package ships, and what bin/npc uses when it is there.
bench_npc_jar() {
  local jar=npc-cli/target/npc-cli.jar
  if [[ ! -f $jar || -n $(find npc-core/src/main npc-cli/src/main -newer "$jar" -print -quit) ]]; then
    ./mvnw -q -B -Dmaven.test.skip=true -pl npc-cli -am package >&2
  fi
  if [[ ! npc-cli/target/npc-cli.jsa -nt npc-cli/target/npc-cli.jar ]]; then
    bin/cds-archive java "$PWD/bin/jvm.options" npc "$PWD/npc-cli/target/npc-cli.jar" "$PWD/npc-cli/target/npc-cli.jsa"
  fi
}

# The JVM flags bin/npc runs with: NPC_JAVA_OPTS when set, else bin/jvm.options.
bench_npc_flags() {
  if [[ -n ${NPC_JAVA_OPTS:-} ]]; then
    echo "NPC_JAVA_OPTS=$NPC_JAVA_OPTS"
  else
    echo "bin/jvm.options: $(grep -v '^#' bin/jvm.options | grep . | tr '\n' ' ' | sed 's/ $//'), and the class data sharing archive of bin/cds-archive"
  fi
}

# bench_time TIMES COMMAND...: runs COMMAND (output discarded) and appends "wall cpu" seconds
# (cpu: user + system of the command and its children) to TIMES; fails when COMMAND fails.
# Callers inside bench_record add `|| return`: it runs them where `set -e` does not apply.
bench_time() {
  local times=$1 line
  shift
  line=$( { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2> "$times.err" || { cat "$times.err" >&2; return 1; }; } 2>&1 )
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<< "$line" >> "$times"
}

# bench_best TIMES / bench_median TIMES: the least / the median wall time of the runs in TIMES.
bench_best() { sort -n "$1" | head -n 1 | cut -d' ' -f1; }
bench_median() {
  sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bench_cpu_median() {
  cut -d' ' -f2 "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_figures NAME TIMES: NAME.time (best), NAME.median and NAME.cpu (median CPU) as figures.
bench_figures() {
  printf 'figure %s.time=%.2f s\n' "$1" "$(bench_best "$2")"
  printf 'figure %s.median=%.2f s\n' "$1" "$(bench_median "$2")"
  printf 'figure %s.cpu=%.2f s\n' "$1" "$(bench_cpu_median "$2")"
}

bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
bench_thousands() { printf '%d' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
