#!/usr/bin/env bash
# Times npc status over a fleet of N hosts (default 10,000) held by S3Proxy on loopback, through
# the real AWS SDK, keeping the output in bench/results/status-<concurrency>.txt for the
# documentation's tables. Usage: bench/status-bench.sh [hosts] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

classpath=$(bench_classpath)
BENCH_TOOLS="S3Proxy in the same JVM"
export BENCH_TOOLS
# 32 requests in flight unless told: FleetReader.DEFAULT_CONCURRENCY, what npc status uses.
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags, split on purpose
bench_record "bench/results/status-${2:-32}.txt" "bench/status-bench.sh${*:+ $*}" \
  java -Xmx1g ${JAVA_OPTS:-} -cp "$classpath" dev.npc.bench.StatusBenchmark "$@"
