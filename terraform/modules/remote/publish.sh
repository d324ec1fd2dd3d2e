#!/bin/sh
# Publishes a remote for terraform/modules/remote: runs `npc push` exactly as CI would, so the
# remote gets the same metadata, sequence, signature and remotes-history/ archive. Terraform runs
# it (local-exec) only when the packed content's sha256 changed since the last publish here.
# Settings come from the environment the module sets:
#   NPC_COMMAND            npc program (a path or a name on PATH)
#   NPC_PUBLISH_SRC        flake directory        NPC_PUBLISH_REMOTE   remote name
#   NPC_PUBLISH_STORE      s3://bucket/prefix     NPC_PUBLISH_SHA256   version packed at plan time
#   NPC_PUBLISH_SIGN       private key file, or empty for unsigned
#   NPC_PUBLISH_INCLUDE    comma-separated top-level directories, or empty
#   NPC_PUBLISH_UNLOCK     true to pack without flake.lock
#   NPC_PUBLISH_ENDPOINT   S3-compatible endpoint, or empty
set -eu
npc=${NPC_COMMAND:-npc}
: "${NPC_PUBLISH_SRC:?NPC_PUBLISH_SRC is not set; run this through terraform/modules/remote}"
: "${NPC_PUBLISH_REMOTE:?NPC_PUBLISH_REMOTE is not set; run this through terraform/modules/remote}"
: "${NPC_PUBLISH_STORE:?NPC_PUBLISH_STORE is not set; run this through terraform/modules/remote}"
: "${NPC_PUBLISH_SHA256:?NPC_PUBLISH_SHA256 is not set; run this through terraform/modules/remote}"

set -- push --json --src "$NPC_PUBLISH_SRC" --remote "$NPC_PUBLISH_REMOTE" --store "$NPC_PUBLISH_STORE"
if [ -n "${NPC_PUBLISH_SIGN:-}" ]; then
  set -- "$@" --sign-key "$NPC_PUBLISH_SIGN"
fi
if [ -n "${NPC_PUBLISH_ENDPOINT:-}" ]; then
  set -- "$@" --endpoint-url "$NPC_PUBLISH_ENDPOINT"
fi
if [ "${NPC_PUBLISH_UNLOCK:-false}" = "true" ]; then
  set -- "$@" --allow-unlocked
fi
old_ifs=$IFS
IFS=,
for dir in ${NPC_PUBLISH_INCLUDE:-}; do
  set -- "$@" --include "$dir"
done
IFS=$old_ifs

out=$("$npc" "$@") || exit $?
printf '%s\n' "$out"
# npc push packs again; deterministic packing gives the planned version unless the flake's files
# changed between plan and apply. Then what was published is not what the plan showed: say so and
# fail, so Terraform publishes again (and shows the new version) at the next apply.
compact=$(printf '%s' "$out" | tr -d ' \t\r\n')
case "$compact" in
  *"\"version\":\"$NPC_PUBLISH_SHA256\""*) ;;
  *)
    echo "npc-publish: $NPC_PUBLISH_REMOTE now holds a version other than the planned $NPC_PUBLISH_SHA256: the files in $NPC_PUBLISH_SRC changed between plan and apply; run terraform apply again" >&2
    exit 1
    ;;
esac
