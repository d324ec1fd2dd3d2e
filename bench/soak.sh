#!/usr/bin/env bash
# Soak: npc-daemon polls S3 (S3Proxy on loopback) through a fault-injecting proxy, and prints
# threads, file descriptors and heap at the start and the end, keeping the output in
# bench/results/soak-<fault-probability>-<seed>.txt for the documentation's tables. Usage:
#   bench/soak.sh [polls=10000] [fault-probability=0.05] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

# One reactor run, so the class path can name npc-core's freshly built jars (no mvn install).
./mvnw -q -B -pl npc-daemon -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/soak.classpath
BENCH_TOOLS="S3Proxy and the fault proxy in the same JVM"
export BENCH_TOOLS
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags, split on purpose
bench_record "bench/results/soak-${2:-0.05}-${3:-1}.txt" "bench/soak.sh${*:+ $*}" \
  java -Xmx256m ${JAVA_OPTS:-} -cp "npc-daemon/target/classes:npc-daemon/target/test-classes:$(cat npc-daemon/target/soak.classpath)" \
  dev.npc.daemon.bench.SoakBenchmark "$@"
