#!/run/current-system/sw/bin/bash
# npc bootstrap for official NixOS AMIs.
#
# EC2 user-data starting with "#!" is run as root by amazon-init at every boot. This script brings
# npc-daemon onto the host through Nix and runs `npc-daemon install` once: the daemon fetches the
# host's desired.json and remote from the store, builds that configuration and switches to it.
# That configuration imports the npc NixOS module, which keeps the daemon running from then on;
# at every later boot this script sees npc is there and does nothing.
#
# Every setting is an environment variable with a default, so the same script runs as Terraform's
# user-data (terraform/modules/host puts the settings in front of it) and in a test sandbox.
set -euo pipefail

# --- settings --------------------------------------------------------------------------------
# The store and the host's name in it (required; Terraform sets both).
NPC_STORE=${NPC_STORE:-}
NPC_HOST=${NPC_HOST:-}
# Region of the bucket; empty = the instance's own region from the metadata service.
NPC_REGION=${NPC_REGION:-}
# Flake whose default package provides bin/npc-daemon, and where Nix may fetch it from.
NPC_FLAKE=${NPC_FLAKE:-github:npc-dev/npc}
NPC_SUBSTITUTERS=${NPC_SUBSTITUTERS:-https://cache.nixos.org}
NPC_TRUSTED_PUBLIC_KEYS=${NPC_TRUSTED_PUBLIC_KEYS:-cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=}
# Temporary swap while bootstrapping hosts with less memory than NPC_SWAP_BELOW_MIB; 0 = never.
NPC_SWAP_MIB=${NPC_SWAP_MIB:-2048}
NPC_SWAP_BELOW_MIB=${NPC_SWAP_BELOW_MIB:-2048}

# --- where things are (overridable for tests) ------------------------------------------------
NPC_IMDS_ENDPOINT=${NPC_IMDS_ENDPOINT:-http://169.254.169.254}
NPC_IMDS_RETRIES=${NPC_IMDS_RETRIES:-5}
NPC_CURL=${NPC_CURL:-/run/current-system/sw/bin/curl}
NPC_NIX=${NPC_NIX:-/run/current-system/sw/bin/nix}
NPC_SYSTEMCTL=${NPC_SYSTEMCTL:-/run/current-system/sw/bin/systemctl}
NPC_MKSWAP=${NPC_MKSWAP:-/run/current-system/sw/bin/mkswap}
NPC_SWAPON=${NPC_SWAPON:-/run/current-system/sw/bin/swapon}
NPC_SWAPOFF=${NPC_SWAPOFF:-/run/current-system/sw/bin/swapoff}
NPC_MEMINFO=${NPC_MEMINFO:-/proc/meminfo}
NPC_STATE_DIR=${NPC_STATE_DIR:-/var/lib/npc}
NPC_BOOTSTRAP_DIR=${NPC_BOOTSTRAP_DIR:-/var/lib/npc-bootstrap}
NPC_MARKER=${NPC_MARKER:-$NPC_BOOTSTRAP_DIR/done}
NPC_SWAP_FILE=${NPC_SWAP_FILE:-$NPC_BOOTSTRAP_DIR/swapfile}

log() {
  echo "npc-bootstrap: $*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

already_running() {
  if [ -e "$NPC_MARKER" ]; then
    log "bootstrapped before ($(cat "$NPC_MARKER" 2>/dev/null || true)); nothing to do"
    return 0
  fi
  if [ -x "$NPC_SYSTEMCTL" ] && "$NPC_SYSTEMCTL" is-active --quiet npc.service 2>/dev/null; then
    log "npc.service is active: this host's configuration runs npc; nothing to do"
    return 0
  fi
  return 1
}

# IMDSv2: a session token first (PUT), then GETs that carry it. The token is fetched once in
# main, not inside imds(): imds runs in a $(...) subshell, where a cached value would be lost.
imds_token=""
fetch_imds_token() {
  "$NPC_CURL" -fsS --retry "$NPC_IMDS_RETRIES" --retry-delay 2 --retry-connrefused --max-time 10 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$NPC_IMDS_ENDPOINT/latest/api/token"
}

imds() {
  "$NPC_CURL" -fsS --retry "$NPC_IMDS_RETRIES" --retry-delay 2 --retry-connrefused --max-time 10 \
    -H "X-aws-ec2-metadata-token: $imds_token" "$NPC_IMDS_ENDPOINT/latest/$1" \
    || fail "could not read $1 from the instance metadata service"
}

swap_added=""
add_swap_if_small() {
  [ "$NPC_SWAP_MIB" -gt 0 ] || return 0
  local mem_kib
  mem_kib=$(awk '/^MemTotal:/ { print $2 }' "$NPC_MEMINFO")
  if [ -z "$mem_kib" ] || [ "$mem_kib" -ge $((NPC_SWAP_BELOW_MIB * 1024)) ]; then
    return 0
  fi
  log "only $((mem_kib / 1024)) MiB of memory: adding ${NPC_SWAP_MIB} MiB of swap while building"
  rm -f "$NPC_SWAP_FILE"
  # dd, not fallocate: swap on a file with holes is refused by some file systems.
  dd if=/dev/zero of="$NPC_SWAP_FILE" bs=1M count="$NPC_SWAP_MIB" status=none
  chmod 600 "$NPC_SWAP_FILE"
  "$NPC_MKSWAP" "$NPC_SWAP_FILE" >/dev/null
  "$NPC_SWAPON" "$NPC_SWAP_FILE"
  swap_added=yes
}

remove_swap() {
  if [ -n "$swap_added" ]; then
    "$NPC_SWAPOFF" "$NPC_SWAP_FILE" || log "warning: could not swapoff $NPC_SWAP_FILE"
    rm -f "$NPC_SWAP_FILE"
    log "temporary swap removed"
  fi
}

main() {
  if already_running; then
    exit 0
  fi
  [ -n "$NPC_STORE" ] || fail "NPC_STORE is not set; set it to the store URL, e.g. s3://my-bucket/fleet"
  mkdir -p "$NPC_BOOTSTRAP_DIR" "$NPC_STATE_DIR"
  chmod 700 "$NPC_BOOTSTRAP_DIR" "$NPC_STATE_DIR"

  imds_token=$(fetch_imds_token) \
    || fail "no token from the instance metadata service at $NPC_IMDS_ENDPOINT (is IMDS enabled?)"
  local instance_id
  instance_id=$(imds meta-data/instance-id)
  if [ -z "$NPC_REGION" ]; then
    NPC_REGION=$(imds meta-data/placement/region)
  fi
  if [ -z "$NPC_HOST" ]; then
    NPC_HOST=$instance_id
    log "NPC_HOST is not set; using the instance id $NPC_HOST as the host name"
  fi
  log "instance $instance_id in $NPC_REGION: host $NPC_HOST follows $NPC_STORE"

  trap remove_swap EXIT
  add_swap_if_small

  # The out-link is a garbage-collector root: the daemon stays until the host's own system has it.
  log "building npc-daemon from $NPC_FLAKE"
  "$NPC_NIX" --extra-experimental-features "nix-command flakes" build \
    --option substituters "$NPC_SUBSTITUTERS" \
    --option trusted-public-keys "$NPC_TRUSTED_PUBLIC_KEYS" \
    --out-link "$NPC_BOOTSTRAP_DIR/npc" \
    "$NPC_FLAKE" \
    || fail "could not build $NPC_FLAKE; check NPC_FLAKE and that the host reaches $NPC_SUBSTITUTERS"

  local daemon="$NPC_BOOTSTRAP_DIR/npc/bin/npc-daemon"
  [ -x "$daemon" ] || fail "$NPC_FLAKE has no bin/npc-daemon"

  log "installing: first activation of the configuration desired.json names"
  AWS_REGION=$NPC_REGION "$daemon" install \
    --store "$NPC_STORE" --host "$NPC_HOST" --state-dir "$NPC_STATE_DIR" \
    || fail "npc-daemon install failed; see its messages above and hosts/$NPC_HOST/state.json in the store"

  # Written last, atomically: a bootstrap cut short runs again at the next boot.
  printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$instance_id" "$NPC_HOST" > "$NPC_MARKER.tmp"
  mv -f "$NPC_MARKER.tmp" "$NPC_MARKER"
  log "done: npc runs from the host's own configuration from now on"
}

main "$@"
