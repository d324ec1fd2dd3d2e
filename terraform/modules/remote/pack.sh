#!/bin/sh
# Runs `npc pack --json` for Terraform's external data source, which accepts only a flat JSON
# object of strings: numbers, booleans and null from npc become strings ("" for null).
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

# npc prints one flat JSON object on stdout; its messages go to stderr, which Terraform shows.
"$npc" "$@" | sed -E \
  -e 's/:[[:space:]]*(-?[0-9][0-9.eE+-]*)[[:space:]]*([,}])/:"\1"\2/g' \
  -e 's/:[[:space:]]*(true|false)[[:space:]]*([,}])/:"\1"\2/g' \
  -e 's/:[[:space:]]*null[[:space:]]*([,}])/:""\1/g'
