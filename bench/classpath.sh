# Sourced by the benchmark scripts: builds npc-core (with its test classes) once and prints the
# classpath that runs the benchmark mains.
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
