#!/usr/bin/env bash
# Packs a generated 20,000-file / ~100 MB tree with npc and with GNU tar | zstd and prints both
# (best of 3). Needs GNU tar and zstd. Usage: bench/pack-bench.sh [files] [megabytes] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d npc-core/target/test-classes/dev/npc/bench ]]; then
  ./mvnw -q -B -pl npc-core -am -DskipTests package
fi
classpath_file=npc-core/target/bench.classpath
if [[ ! -s $classpath_file || npc-core/pom.xml -nt $classpath_file ]]; then
  ./mvnw -q -B -pl npc-core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
exec java -cp "npc-core/target/classes:npc-core/target/test-classes:$(cat "$classpath_file")" \
  dev.npc.bench.PackBenchmark "$@"
