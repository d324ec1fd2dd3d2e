#!/bin/sh
# Runs `npc pack --json` for Terraform's external data source: npc prints one flat JSON object of
# strings on stdout (sha256, files, bytes, path as given, sourceRev) and its messages on stderr,
# which Terraform shows when the pack fails. This wrapper only builds the argument list and
# creates the output directory.
# Usage: pack.sh NPC_COMMAND SOURCE_DIR OUTPUT_FILE ALLOW_UNLOCKED INCLUDES(comma-separated)
set -eu
npc=$1 src=$2 out=$3 allow_unlocked=$4 includes=$5

mkdir -p "$(dirname "$out")"
set -- pack --json --src "$src" --output "$out"
if [ "$allow_unlocked" = "true" ]; then
  set -- "$@" --allow-unlocked
fi
old_ifs=$IFS
IFS=,
for dir in $includes; do
  set -- "$@" --include "$dir"
done
IFS=$old_ifs

exec "$npc" "$@"
