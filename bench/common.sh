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
