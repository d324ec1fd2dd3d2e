#!/usr/bin/env bash
# Times npc status over a fleet of N hosts (default 10,000) held by S3Proxy on loopback, through
# the real AWS SDK. Usage: bench/status-bench.sh [hosts] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/classpath.sh
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "$(bench_classpath)" dev.npc.bench.StatusBenchmark "$@"
