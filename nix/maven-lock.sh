#!/bin/sh
# Regenerates nix/maven-lock.json (every file the Nix package build needs from Maven Central, with
# its sha256) by running that build in an empty local repository. Needs only a JDK and the network.
#   nix/maven-lock.sh            write the lock (commit it with the pom.xml change)
#   nix/maven-lock.sh --check    compare instead of writing; exit 1 with the differences
#   nix/maven-lock.sh --help     all options
set -eu
cd "$(dirname "$0")/.."
exec java nix/MavenLock.java "$@"
