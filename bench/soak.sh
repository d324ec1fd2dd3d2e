#!/usr/bin/env bash
# Soak: npc-daemon polls S3 (S3Proxy on loopback) through a fault-injecting proxy, and prints
# threads, file descriptors and heap at the start and the end. Usage:
#   bench/soak.sh [polls=10000] [fault-probability=0.05] [seed=1]
set -euo pipefail
cd "$(dirname "$0")/.."

# One reactor run, so the class path can name npc-core's freshly built jars (no mvn install).
./mvnw -q -B -pl npc-daemon -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/soak.classpath
exec java -Xmx256m -cp "npc-daemon/target/classes:npc-daemon/target/test-classes:$(cat npc-daemon/target/soak.classpath)" \
  dev.npc.daemon.bench.SoakBenchmark "$@"
