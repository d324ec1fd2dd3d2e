#!/run/current-system/sw/bin/bash
# npc bootstrap, the first boot of an npc host: README.md beside this file says what each step
# does and why. Phase 1 (no argument, in amazon-init or cloud-init) reads the host's desired.json
# and remote, checks them, builds the npc the fleet pins and hands over to the transient unit
# npc-first-activation.service, which runs phase 2 (`activate ARGS`): `npc-daemon install ARGS`.
# Written for amazon-init's PATH (no awk, jq or openssl) and free of "$"+"{" and "%"+"{", which
# Terraform's templatefile() would take for its own syntax.
set -eo pipefail
set -f # no globbing: lists of keys and remote names are split on whitespace, never expanded
umask 077
LC_ALL=C # byte-wise grep, sed and tr, and ASCII-only ranges in every pattern below
export LC_ALL

# --- settings: user-data exports them (README.md has the table); unset means empty
[ -n "$NPC_STORE" ] || NPC_STORE=""
[ -n "$NPC_HOST" ] || NPC_HOST=""
[ -n "$NPC_REGION" ] || NPC_REGION=""
[ -n "$NPC_ENDPOINT_URL" ] || NPC_ENDPOINT_URL=""
[ -n "$NPC_REMOTE_KEYS" ] || NPC_REMOTE_KEYS=""
[ -n "$NPC_NIXPKGS" ] || NPC_NIXPKGS=""
[ -n "$NPC_ALLOWED_REMOTES" ] || NPC_ALLOWED_REMOTES=""
[ -n "$NPC_SUBSTITUTERS" ] || NPC_SUBSTITUTERS=""
[ -n "$NPC_SUBSTITUTER_KEYS" ] || NPC_SUBSTITUTER_KEYS=""
[ -n "$NPC_SWAP_MIB" ] || NPC_SWAP_MIB=2048
[ -n "$NPC_SWAP_BELOW_MIB" ] || NPC_SWAP_BELOW_MIB=2048
[ -n "$NPC_MAX_REMOTE_MIB" ] || NPC_MAX_REMOTE_MIB=256
[ -n "$NPC_MAX_UNPACKED_MIB" ] || NPC_MAX_UNPACKED_MIB=2048

# --- where things are (tests point them at a sandbox)
[ -n "$NPC_IMDS_ENDPOINT" ] || NPC_IMDS_ENDPOINT=http://169.254.169.254
[ -n "$NPC_IMDS_RETRIES" ] || NPC_IMDS_RETRIES=5
[ -n "$NPC_CURL" ] || NPC_CURL=/run/current-system/sw/bin/curl
[ -n "$NPC_ZSTD" ] || NPC_ZSTD=/run/current-system/sw/bin/zstd
[ -n "$NPC_BASH" ] || NPC_BASH=/run/current-system/sw/bin/bash
[ -n "$NPC_NIX" ] || NPC_NIX=/run/current-system/sw/bin/nix
[ -n "$NPC_SYSTEMCTL" ] || NPC_SYSTEMCTL=/run/current-system/sw/bin/systemctl
[ -n "$NPC_SYSTEMD_RUN" ] || NPC_SYSTEMD_RUN=/run/current-system/sw/bin/systemd-run
[ -n "$NPC_MKSWAP" ] || NPC_MKSWAP=/run/current-system/sw/bin/mkswap
[ -n "$NPC_SWAPON" ] || NPC_SWAPON=/run/current-system/sw/bin/swapon
[ -n "$NPC_SWAPOFF" ] || NPC_SWAPOFF=/run/current-system/sw/bin/swapoff
[ -n "$NPC_MEMINFO" ] || NPC_MEMINFO=/proc/meminfo
[ -n "$NPC_CONSOLE" ] || NPC_CONSOLE=/dev/console
[ -n "$NPC_STATE_DIR" ] || NPC_STATE_DIR=/var/lib/npc
[ -n "$NPC_BOOTSTRAP_DIR" ] || NPC_BOOTSTRAP_DIR=/var/lib/npc-bootstrap
[ -n "$NPC_MARKER" ] || NPC_MARKER=$NPC_BOOTSTRAP_DIR/done
[ -n "$NPC_SWAP_FILE" ] || NPC_SWAP_FILE=$NPC_BOOTSTRAP_DIR/swapfile
[ -n "$HOME" ] || HOME=/root
[ -n "$NPC_INSTANCE_ID" ] || NPC_INSTANCE_ID="" # phase 2 only: the instance phase 1 ran on, for the marker
set -u

# One name, so a second run sees the first activation running.
readonly UNIT=npc-first-activation.service
# sha256 of an empty body: S3 requires x-amz-content-sha256 and curl 7.88 does not send it.
readonly EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
# base64 of the 12-byte DER header of an Ed25519 public key (RFC 8410): a PEM key is this + the key.
readonly ED25519_SPKI_B64=MCowBQYDK2VwAyEA
# The largest npc-sequence (a Java long); 19-digit decimals compare correctly as strings.
readonly MAX_SEQUENCE=9223372036854775807

# The Java code's rules: HostName, RemoteName, Desired's configuration.
readonly HOST_RE='^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'
readonly REMOTE_RE='^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'
readonly CONFIGURATION_RE='^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'

phase=bootstrap
work="" # phase 1's scratch directory (credentials, downloads); removed when it exits
log() {
  echo "npc-bootstrap: $*" >&2
  # amazon-init logs to the journal only; the console is what get-console-output shows.
  if [ "$phase" = bootstrap ] && [ -w "$NPC_CONSOLE" ]; then
    echo "npc-bootstrap: $*" >> "$NPC_CONSOLE" 2>/dev/null || true
  fi
}

fail() {
  log "error: $*"
  exit 1
}

# Whole-string match of an extended regular expression; a value with a newline never matches.
matches() {
  [[ $1 != *$'\n'* && $1 =~ $2 ]]
}

# --- phase 1

# A unit that runs or is about to (activating: e.g. between automatic restarts).
unit_running() {
  case "$("$NPC_SYSTEMCTL" is-active "$1" 2>/dev/null || true)" in
    active | activating | reloading | deactivating) return 0 ;;
    *) return 1 ;;
  esac
}

nothing_to_do() {
  if [ -e "$NPC_MARKER" ]; then
    log "bootstrapped before ($(head -c 200 "$NPC_MARKER" | tr -d '\n' || true)); nothing to do"
    return 0
  fi
  if unit_running npc.service; then
    log "npc.service is active: this host's configuration runs npc; nothing to do"
    return 0
  fi
  if unit_running "$UNIT"; then
    log "the first activation is still running ($UNIT); follow it with journalctl -u $UNIT"
    return 0
  fi
  return 1
}

store_bucket=""
store_prefix=""
check_settings() {
  [ -n "$NPC_STORE" ] || fail "NPC_STORE is not set; set it to the store, e.g. s3://my-bucket/fleet"
  matches "$NPC_STORE" '^s3://' \
    || fail "NPC_STORE '$NPC_STORE' is not an s3:// URL; set it to the store, e.g. s3://my-bucket/fleet"
  store_bucket=$(printf '%s\n' "$NPC_STORE" | sed -n 's|^s3://\([^/]*\).*$|\1|p')
  store_prefix=$(printf '%s\n' "$NPC_STORE" | sed -n 's|^s3://[^/]*/*\(.*\)$|\1|p' | sed 's|/*$||')
  if ! matches "$store_bucket" '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' \
    || matches "$store_bucket" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'; then
    fail "NPC_STORE '$NPC_STORE' has no valid S3 bucket name; use s3://bucket/prefix"
  fi
  if [ -n "$store_prefix" ] && { ! matches "$store_prefix" '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$' \
    || [[ /$store_prefix/ == */./* || /$store_prefix/ == */../* ]]; }; then
    fail "NPC_STORE '$NPC_STORE' has an invalid prefix; a prefix is segments of [A-Za-z0-9._-] separated by single '/', without '.' or '..'"
  fi
  [ -n "$NPC_HOST" ] \
    || fail "NPC_HOST is not set; set it to this host's name in the store (Terraform's host name), e.g. web-1"
  if ! matches "$NPC_HOST" "$HOST_RE" || [[ $NPC_HOST == *..* ]]; then
    fail "NPC_HOST '$NPC_HOST' is not valid; use 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit"
  fi
  if [ -n "$NPC_REGION" ] && ! matches "$NPC_REGION" '^[a-z]{2}(-[a-z]+)+-[0-9]+$'; then
    fail "NPC_REGION '$NPC_REGION' is not an AWS region such as eu-west-1"
  fi
  if [ -n "$NPC_ENDPOINT_URL" ] && ! matches "$NPC_ENDPOINT_URL" '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$'; then
    fail "NPC_ENDPOINT_URL '$NPC_ENDPOINT_URL' is not an http(s)://host[:port] URL"
  fi
  NPC_ENDPOINT_URL=$(printf '%s' "$NPC_ENDPOINT_URL" | sed 's|/$||')
  local key name url
  for key in $NPC_REMOTE_KEYS; do
    matches "$key" '^npc-ed25519-public:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$' \
      || fail "NPC_REMOTE_KEYS has '$key', which is not an npc-ed25519-public:... line of npc keys generate's public file"
  done
  if [ -n "$NPC_REMOTE_KEYS" ]; then
    [ -n "$NPC_NIXPKGS" ] \
      || fail "NPC_REMOTE_KEYS is set but NPC_NIXPKGS is not; set it to the fleet's locked nixpkgs (Terraform derives it from flake.lock), which provides the openssl that checks signatures"
  fi
  if [ -n "$NPC_NIXPKGS" ]; then
    if ! matches "$NPC_NIXPKGS" '^[A-Za-z0-9+._:/?&=%-]+$' \
      || ! matches "$NPC_NIXPKGS" '(/|[?&]rev=)[0-9a-f]{40}([/?&]|$)' \
      || ! matches "$NPC_NIXPKGS" '[?&]narHash=sha256-[A-Za-z0-9+/]{43}(=|%3D)(&|$)'; then
      fail "NPC_NIXPKGS '$NPC_NIXPKGS' is not locked; give a revision and a narHash, e.g. github:NixOS/nixpkgs/<40-hex revision>?narHash=sha256-... (the nixpkgs node of the fleet's flake.lock)"
    fi
  fi
  for name in $NPC_ALLOWED_REMOTES; do
    if ! matches "$name" "$REMOTE_RE" || [[ $name == *..* ]]; then
      fail "NPC_ALLOWED_REMOTES has '$name', which is not a remote name; use names from [A-Za-z0-9._-]"
    fi
  done
  for url in $NPC_SUBSTITUTERS; do
    matches "$url" '^[A-Za-z0-9+:/._?=&%-]+$' \
      || fail "NPC_SUBSTITUTERS has '$url', which is not a URL without spaces or quotes"
  done
  for key in $NPC_SUBSTITUTER_KEYS; do
    matches "$key" '^[A-Za-z0-9._-]+:[A-Za-z0-9+/=]+$' \
      || fail "NPC_SUBSTITUTER_KEYS has '$key', which is not a Nix signing key (name:base64)"
  done
  local number
  for number in "$NPC_SWAP_MIB" "$NPC_SWAP_BELOW_MIB" "$NPC_MAX_REMOTE_MIB" "$NPC_MAX_UNPACKED_MIB" "$NPC_IMDS_RETRIES"; do
    matches "$number" '^[0-9]{1,7}$' || fail "'$number' is not a whole number (NPC_SWAP_*, NPC_MAX_*, NPC_IMDS_RETRIES)"
  done
}

# IMDSv2: a token from a PUT, then GETs carrying it. Answers are bounded, so patterns need no
# length bounds (large ones take bash a second to compile).
imds_token=""
imds_curl() {
  "$NPC_CURL" -fsS --proto =http --retry "$NPC_IMDS_RETRIES" --retry-delay 2 --retry-connrefused \
    --connect-timeout 5 --max-time 10 --max-filesize 65536 "$@"
}

imds() {
  imds_curl -H "X-aws-ec2-metadata-token: $imds_token" -o "$2" "$NPC_IMDS_ENDPOINT/latest/$1" \
    || fail "could not read $1 from the instance metadata service at $NPC_IMDS_ENDPOINT"
}

# One line of printable ASCII matching PATTERN.
imds_line() {
  local value
  if [ "$(grep -c '' "$1")" -gt 1 ] || tr -d '\n' < "$1" | grep -c '[^[:print:]]' > /dev/null; then
    fail "the instance metadata service answered $2 with more than one line of text"
  fi
  value=$(tr -d '\n' < "$1")
  matches "$value" "$3" || fail "the instance metadata service answered $2 with '$value', which is not valid"
  printf '%s' "$value"
}

# The value of "NAME" in a JSON object: at most one such key, a plain string (no escapes).
json_string() {
  local flat keys found
  flat=$(tr '\t\r\n' '   ' < "$1")
  keys=$(printf '%s\n' "$flat" | grep -o "\"$2\"[[:space:]]*:" | grep -c '' || true)
  [ "$keys" -le 1 ] || fail "$3 names \"$2\" $keys times"
  found=$(printf '%s\n' "$flat" | grep -o "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"\\\\]*\"" || true)
  if [ "$keys" -eq 1 ] && [ -z "$found" ]; then
    fail "$3 has a \"$2\" that is not a plain string"
  fi
  printf '%s' "$found" | sed 's/^[^:]*:[[:space:]]*"\(.*\)"$/\1/'
}

# A JSON object of printable ASCII (tabs and line breaks allowed).
check_json_document() {
  if tr -d '\t\r\n' < "$1" | grep -c '[^[:print:]]' > /dev/null; then
    fail "$2 holds control characters or non-ASCII bytes; refusing it"
  fi
  matches "$(tr -d '\t\r\n ' < "$1")" '^\{.*\}$' || fail "$2 is not a JSON object"
}

region=""
instance_id=""
aws_key_id=""
aws_secret=""
aws_token=""
read_instance() {
  imds_token=$(imds_curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$NPC_IMDS_ENDPOINT/latest/api/token") \
    || fail "no token from the instance metadata service at $NPC_IMDS_ENDPOINT (is IMDS enabled, with IMDSv2?)"
  matches "$imds_token" '^[A-Za-z0-9+/=_.-]+$' || fail "the instance metadata service gave a malformed token"

  imds meta-data/instance-id "$work/instance-id"
  instance_id=$(imds_line "$work/instance-id" instance-id '^i-[0-9a-f]{8,32}$')
  region=$NPC_REGION
  if [ -z "$region" ]; then
    imds meta-data/placement/region "$work/region"
    region=$(imds_line "$work/region" placement/region '^[a-z]{2}(-[a-z]+)+-[0-9]+$')
  fi

  imds meta-data/iam/security-credentials/ "$work/role"
  local role
  role=$(imds_line "$work/role" "iam/security-credentials/ (the instance role)" '^[A-Za-z0-9+=,.@_-]{1,64}$')
  imds "meta-data/iam/security-credentials/$role" "$work/credentials"
  check_json_document "$work/credentials" "the instance role's credentials"
  local code
  code=$(json_string "$work/credentials" Code credentials)
  [ "$code" = Success ] \
    || fail "the instance metadata service has no usable credentials for role $role yet (Code is not Success)"
  aws_key_id=$(json_string "$work/credentials" AccessKeyId credentials)
  aws_secret=$(json_string "$work/credentials" SecretAccessKey credentials)
  aws_token=$(json_string "$work/credentials" Token credentials)
  matches "$aws_key_id" '^[A-Za-z0-9_-]{3,128}$' || fail "the credentials of role $role have no valid AccessKeyId"
  matches "$aws_secret" '^[A-Za-z0-9+/=_-]{8,256}$' || fail "the credentials of role $role have no valid SecretAccessKey"
  matches "$aws_token" '^[A-Za-z0-9+/=_-]+$' || fail "the credentials of role $role have no valid Token"
  log "instance $instance_id in $region with role $role: host $NPC_HOST follows $NPC_STORE"
}

# --- the store, through curl's SigV4 with the role's credentials

s3_url() {
  local key=$1 host
  [ -z "$store_prefix" ] || key="$store_prefix/$key"
  if [ -n "$NPC_ENDPOINT_URL" ]; then
    printf '%s/%s/%s' "$NPC_ENDPOINT_URL" "$store_bucket" "$key"
    return
  fi
  host=s3.$region.amazonaws.com
  [[ $region != cn-* ]] || host=$host.cn
  # A bucket name with dots does not match S3's wildcard certificate: address it path-style.
  if [[ $store_bucket == *.* ]]; then
    printf 'https://%s/%s/%s' "$host" "$store_bucket" "$key"
  else
    printf 'https://%s.%s/%s' "$store_bucket" "$host" "$key"
  fi
}

# SigV4 with the role's credentials, given on stdin (-K -), never on a command line.
s3_curl() {
  "$NPC_CURL" -sS --proto =https,http --retry 3 --retry-connrefused --connect-timeout 10 \
    --aws-sigv4 "aws:amz:$region:s3" -K - "$@" <<EOF
user = "$aws_key_id:$aws_secret"
header = "x-amz-security-token: $aws_token"
EOF
}

# GET KEY to BODY (at most MAX bytes), the final response's headers to HEADERS; sets s3_status.
s3_status=""
s3_get() {
  local key=$1 body=$2 headers=$3 max=$4 rc=0
  rm -f "$body" "$headers" "$headers.all"
  s3_curl --max-time 900 --max-filesize "$max" -H "x-amz-content-sha256: $EMPTY_SHA256" \
    -D "$headers.all" -o "$body" "$(s3_url "$key")" || rc=$?
  [ "$rc" -ne 63 ] || fail "$key in $NPC_STORE is larger than $max bytes; refusing it"
  [ "$rc" -eq 0 ] || fail "could not read $key from $NPC_STORE (curl exit $rc); check the network and the instance role"
  [ ! -e "$body" ] || [ "$(wc -c < "$body")" -le "$max" ] || fail "$key in $NPC_STORE is larger than $max bytes; refusing it"
  local last
  last=$(grep -n '^HTTP/' "$headers.all" | tail -n 1 | cut -d : -f 1)
  [ -n "$last" ] || fail "$NPC_STORE answered $key without an HTTP status line"
  tail -n +"$last" "$headers.all" > "$headers"
  s3_status=$(head -n 1 "$headers" | sed -n 's|^HTTP/[0-9.]* \([0-9][0-9][0-9]\).*$|\1|p')
}

s3_refused() {
  case "$s3_status" in
    403) fail "$2 $NPC_STORE refused $1 (403): it is missing (the role cannot list the bucket, so that is 403 too) or the instance role may not read it" ;;
    404) fail "there is no $1 in $NPC_STORE" ;;
    *) fail "$NPC_STORE answered $1 with HTTP status '$s3_status'" ;;
  esac
}

# PUT FILE as KEY, best effort.
s3_put_json() {
  local key=$1 file=$2 sha rc=0
  sha=$(sha256sum "$file" | cut -d ' ' -f 1)
  s3_curl --max-time 60 -f -o /dev/null -T "$file" -H "x-amz-content-sha256: $sha" \
    -H "Content-Type: application/json" "$(s3_url "$key")" || rc=$?
  [ "$rc" -eq 0 ] || log "warning: could not write $key to $NPC_STORE (curl exit $rc)"
}

# A header's value: at most once, matching PATTERN; empty when absent.
header() {
  local lines value
  lines=$(grep -i "^$2:" "$1" | tr -d '\r' || true)
  [[ $lines != *$'\n'* ]] || refuse "remote '$remote' carries $2 more than once; refusing it"
  [ -n "$lines" ] || return 0
  value=$(printf '%s\n' "$lines" | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//')
  matches "$value" "$3" || refuse "remote '$remote' carries a malformed $2 ('$(printf '%s' "$value" | head -c 100 | tr -c '[:alnum:]+/=._-' '?')'); refusing it"
  printf '%s' "$value"
}

# --- what this host should run

remote=""
configuration=""
read_desired() {
  s3_get "hosts/$NPC_HOST/desired.json" "$work/desired.json" "$work/desired.headers" 65536
  [ "$s3_status" = 200 ] || s3_refused "hosts/$NPC_HOST/desired.json" "the store"
  check_json_document "$work/desired.json" "hosts/$NPC_HOST/desired.json"
  remote=$(json_string "$work/desired.json" remote "hosts/$NPC_HOST/desired.json")
  configuration=$(json_string "$work/desired.json" configuration "hosts/$NPC_HOST/desired.json")
  [ -n "$remote" ] || fail "hosts/$NPC_HOST/desired.json names no remote; set one with npc hosts set $NPC_HOST --remote NAME (or Terraform)"
  if ! matches "$remote" "$REMOTE_RE" || [[ $remote == *..* ]]; then
    fail "hosts/$NPC_HOST/desired.json names remote '$remote', which is not a valid remote name"
  fi
  [ -n "$configuration" ] || configuration=$NPC_HOST
  matches "$configuration" "$CONFIGURATION_RE" \
    || fail "hosts/$NPC_HOST/desired.json names configuration '$configuration', which is not a nixosConfigurations attribute name"
  log "desired.json: remote '$remote', configuration '$configuration'"
}

published_sha256=""
started_at=""
# Refuses the remote: the reason to the console and hosts/<host>/state.json (no npc-daemon exists
# yet to report it: it would come from this remote).
refuse() {
  local reason=$1 now json
  log "error: $reason"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  reason=$(printf '%s' "$reason" | tr -d '[:cntrl:]"\134')
  json=$work/state.json
  {
    printf '{"host":"%s","daemonVersion":"npc-bootstrap","updatedAt":"%s","phase":"idle",' "$NPC_HOST" "$now"
    printf '"desired":{"remote":"%s","configuration":"%s"' "$remote" "$configuration"
    [ -z "$published_sha256" ] || printf ',"sha256":"%s"' "$published_sha256"
    printf '},"lastAttempt":{'
    [ -z "$published_sha256" ] || printf '"sha256":"%s",' "$published_sha256"
    printf '"result":"failed","attempt":1,"startedAt":"%s","finishedAt":"%s","error":"first boot refused: %s"},' \
      "$started_at" "$now" "$reason"
    printf '"message":"the first boot (npc-bootstrap) refused the remote; nothing was built or activated"}\n'
  } > "$json"
  s3_put_json "hosts/$NPC_HOST/state.json" "$json"
  exit 1
}

archive=""
remote_format=""
remote_sequence=""
remote_signature=""
remote_key_id=""
fetch_remote() {
  if [ -n "$NPC_ALLOWED_REMOTES" ] && [[ " $(printf '%s' "$NPC_ALLOWED_REMOTES" | tr -s '\t\n ' '   ') " != *" $remote "* ]]; then
    refuse "remote '$remote' is not one this host may follow (NPC_ALLOWED_REMOTES: $NPC_ALLOWED_REMOTES); point desired.json at an allowed remote"
  fi
  archive=$work/remote.npc
  s3_get "remotes/$remote.npc" "$archive" "$work/remote.headers" $((NPC_MAX_REMOTE_MIB * 1024 * 1024))
  [ "$s3_status" = 200 ] || s3_refused "remotes/$remote.npc" "the store"
  published_sha256=$(header "$work/remote.headers" x-amz-meta-npc-sha256 '^[0-9a-f]{64}$')
  remote_format=$(header "$work/remote.headers" x-amz-meta-npc-format '^[1-9][0-9]{0,8}$')
  remote_sequence=$(header "$work/remote.headers" x-amz-meta-npc-sequence '^[1-9][0-9]{0,18}$')
  remote_signature=$(header "$work/remote.headers" x-amz-meta-npc-signature '^[A-Za-z0-9+/]{86}==$')
  remote_key_id=$(header "$work/remote.headers" x-amz-meta-npc-key-id '^[0-9a-f]{16}$')
  [ -n "$published_sha256" ] || refuse "remote '$remote' has no npc-sha256 metadata; re-publish it with npc push"
  [ "$remote_format" = 1 ] || refuse "remote '$remote' has pack format '$remote_format', which this bootstrap cannot unpack (it knows format 1); publish it with this npc"
  local actual
  actual=$(sha256sum "$archive" | cut -d ' ' -f 1)
  [ "$actual" = "$published_sha256" ] \
    || refuse "remote '$remote' is corrupt or was tampered with: its bytes hash to $(printf '%s' "$actual" | head -c 8) but it was published as $(printf '%s' "$published_sha256" | head -c 8); nothing was unpacked; re-publish it with npc push"
}

# openssl (and zstd if the image lacks it) from the locked NPC_NIXPKGS, whose narHash Nix checks.
nix_build() {
  if [ -n "$NPC_SUBSTITUTER_KEYS" ]; then set -- --option extra-trusted-public-keys "$NPC_SUBSTITUTER_KEYS" "$@"; fi
  if [ -n "$NPC_SUBSTITUTERS" ]; then set -- --option extra-substituters "$NPC_SUBSTITUTERS" "$@"; fi
  "$NPC_NIX" --extra-experimental-features "nix-command flakes" build "$@"
}

pinned_tool() {
  local out
  out=$(nix_build --no-link --print-out-paths "$NPC_NIXPKGS#$1") \
    || fail "could not build $1 from NPC_NIXPKGS ($NPC_NIXPKGS); check that the host reaches GitHub and the binary caches"
  if ! matches "$out" '^/[A-Za-z0-9+._/=-]+$' || [ ! -x "$out/bin/$2" ]; then
    fail "nix build $NPC_NIXPKGS#$1 did not give one store path with bin/$2 (got '$(printf '%s' "$out" | head -c 200)')"
  fi
  printf '%s/bin/%s' "$out" "$2"
}

describe_keys() {
  local key ids=""
  for key in $NPC_REMOTE_KEYS; do
    ids="$ids, $(key_id "$key")"
  done
  printf '%s' "$ids" | sed 's/^, //'
}

key_id() {
  printf '%s' "$1" | sed 's/^npc-ed25519-public://' | base64 -d | sha256sum | head -c 16
}

# Ed25519 over format 2 of the signed message (docs/format.md), which names the remote.
verify_signature() {
  local version openssl key b64 tried=""
  version=$(printf '%s' "$published_sha256" | head -c 8)
  [ -n "$remote_signature" ] \
    || refuse "remote '$remote' (version $version) is not signed, and this host trusts only remotes signed by key $(describe_keys); publish it with npc push --sign-key"
  [ -n "$remote_sequence" ] \
    || refuse "remote '$remote' (version $version) has a signature of format 1 (no npc-sequence), which this host refuses; re-publish it with this npc (npc push --sign-key)"
  # shellcheck disable=SC2071 # both have 19 digits, so their string order is their numeric order
  if [[ $remote_sequence =~ ^[0-9]{19}$ && $remote_sequence > "$MAX_SEQUENCE" ]]; then
    refuse "remote '$remote' (version $version) has an npc-sequence above 9223372036854775807; re-publish it with npc push --sign-key"
  fi
  printf 'npc-remote-v2\nname=%s\nformat=%s\nsha256=%s\nsequence=%s\n' \
    "$remote" "$remote_format" "$published_sha256" "$remote_sequence" > "$work/signed-message"
  if ! printf '%s' "$remote_signature" | base64 -d > "$work/signature" 2>/dev/null \
    || [ "$(wc -c < "$work/signature")" -ne 64 ]; then
    refuse "remote '$remote' (version $version) has a malformed npc-signature (not 64 bytes of base64); re-publish it with npc push --sign-key"
  fi

  openssl=$(pinned_tool openssl.bin openssl)
  for key in $NPC_REMOTE_KEYS; do
    if [ -n "$remote_key_id" ] && [ "$(key_id "$key")" != "$remote_key_id" ]; then
      continue
    fi
    b64=$(printf '%s' "$key" | sed 's/^npc-ed25519-public://')
    printf -- '-----BEGIN PUBLIC KEY-----\n%s%s\n-----END PUBLIC KEY-----\n' "$ED25519_SPKI_B64" "$b64" > "$work/key.pem"
    tried="$tried $(key_id "$key")"
    if "$openssl" pkeyutl -verify -pubin -inkey "$work/key.pem" -rawin -in "$work/signed-message" \
      -sigfile "$work/signature" > /dev/null 2>&1; then
      log "remote '$remote' version $version (sequence $remote_sequence) is signed by trusted key $(key_id "$key")"
      return 0
    fi
  done
  [ -n "$tried" ] \
    || refuse "remote '$remote' (version $version) is signed by key $remote_key_id, which this host does not trust (trusted: $(describe_keys)); sign it with a trusted key or add its public key to the host's trusted keys"
  refuse "remote '$remote' (version $version) has a signature that does not match it for key$tried: it was changed after signing, or signed for another remote name; re-publish it with npc push --sign-key"
}

flake=""
unpack() {
  local zstd=$NPC_ZSTD limit listed unpacked
  if [ ! -x "$zstd" ]; then
    [ -n "$NPC_NIXPKGS" ] \
      || fail "there is no zstd at $NPC_ZSTD on this image; set NPC_NIXPKGS (the fleet's locked nixpkgs) and the bootstrap builds zstd from it"
    zstd=$(pinned_tool zstd.bin zstd)
  fi
  limit=$((NPC_MAX_UNPACKED_MIB * 1024 * 1024))
  # The unpacked size, counted without writing (a bomb stops at the limit).
  unpacked=$({ "$zstd" -dcq -- "$archive" 2>/dev/null || true; } | head -c $((limit + 1)) | wc -c)
  [ "$unpacked" -le "$limit" ] || fail "remote '$remote' unpacks to more than $NPC_MAX_UNPACKED_MIB MiB; refusing it"
  # Only files, directories and symbolic links, with relative names.
  "$zstd" -dcq -- "$archive" | tar -tvf - > "$work/listing" 2>/dev/null \
    || fail "remote '$remote' is not a zstd-compressed tar archive"
  listed=$(cut -c 1 "$work/listing" | sort -u | tr -d '\n')
  matches "$listed" '^[-dl]*$' || fail "remote '$remote' holds entries that are not files, directories or symbolic links; refusing it"
  "$zstd" -dcq -- "$archive" | tar -tf - > "$work/names"
  if grep -c -E '^/|(^|/)\.\.(/|$)' "$work/names" > /dev/null; then
    fail "remote '$remote' holds absolute names or '..'; refusing it"
  fi
  flake=$NPC_BOOTSTRAP_DIR/flake
  rm -rf "$flake"
  mkdir -p "$flake"
  "$zstd" -dcq -- "$archive" | tar -x -o -f - -C "$flake" --no-same-permissions \
    || fail "could not unpack remote '$remote'"
  [ -f "$flake/flake.nix" ] || fail "remote '$remote' has no flake.nix at its top; publish the fleet's flake with npc push"
}

# --- temporary swap: evaluating NixOS takes 1-2 GB

swap_added=""
add_swap_if_small() {
  [ "$NPC_SWAP_MIB" -gt 0 ] || return 0
  local mem_kib
  mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9][0-9]*\) kB$/\1/p' "$NPC_MEMINFO" | head -n 1)
  if [ -z "$mem_kib" ] || [ "$mem_kib" -ge $((NPC_SWAP_BELOW_MIB * 1024)) ]; then
    return 0
  fi
  log "only $((mem_kib / 1024)) MiB of memory: adding $NPC_SWAP_MIB MiB of swap while $1"
  rm -f "$NPC_SWAP_FILE"
  # dd, not fallocate: swap on a file with holes is refused by some file systems.
  dd if=/dev/zero of="$NPC_SWAP_FILE" bs=1M count="$NPC_SWAP_MIB" status=none
  chmod 600 "$NPC_SWAP_FILE"
  "$NPC_MKSWAP" "$NPC_SWAP_FILE" > /dev/null
  swap_added=yes
  "$NPC_SWAPON" "$NPC_SWAP_FILE"
}

remove_swap() {
  if [ -n "$swap_added" ]; then
    "$NPC_SWAPOFF" "$NPC_SWAP_FILE" || log "warning: could not swapoff $NPC_SWAP_FILE"
    rm -f "$NPC_SWAP_FILE"
    swap_added=""
    log "temporary swap removed"
  fi
}

# The npc the host's own configuration would run, pinned by the fleet's flake.lock (with
# --no-update-lock-file an incomplete lock fails instead of resolving anew).
build_npc() {
  add_swap_if_small "building npc"
  log "building npc as configuration '$configuration' pins it"
  nix_build --no-update-lock-file --out-link "$NPC_BOOTSTRAP_DIR/npc" \
    "path:$flake#nixosConfigurations.\"$configuration\".config.services.npc.package" \
    || fail "could not build npc from remote '$remote' (nixosConfigurations.\"$configuration\".config.services.npc.package); check that its flake.lock is complete and the host reaches its binary caches"
  remove_swap
  [ -x "$NPC_BOOTSTRAP_DIR/npc/bin/npc-daemon" ] \
    || fail "services.npc.package of configuration '$configuration' has no bin/npc-daemon"
}

# The first activation runs in its own unit: inside amazon-init (after multi-user.target) the boot
# never finishes, so the health check's `systemctl is-system-running --wait` cannot answer.
hand_over() {
  local script=$NPC_BOOTSTRAP_DIR/npc-bootstrap.sh key name url
  [ -f "$0" ] || fail "cannot copy this script from '$0' for the first activation; run it as a file"
  cp -- "$0" "$script.tmp"
  mv -f -- "$script.tmp" "$script"
  set -- --store "$NPC_STORE" --host "$NPC_HOST" --state-dir "$NPC_STATE_DIR" --region "$region"
  if [ -n "$NPC_ENDPOINT_URL" ]; then set -- "$@" --endpoint-url "$NPC_ENDPOINT_URL"; fi
  for key in $NPC_REMOTE_KEYS; do set -- "$@" --trusted-key "$key"; done
  for name in $NPC_ALLOWED_REMOTES; do set -- "$@" --allowed-remote "$name"; done
  for url in $NPC_SUBSTITUTERS; do set -- "$@" --extra-substituter "$url"; done
  "$NPC_SYSTEMD_RUN" --unit="$UNIT" --description="npc first activation (npc-bootstrap)" \
    --service-type=exec --no-block --collect \
    --property=StandardOutput=journal+console --property=StandardError=journal+console \
    --setenv=PATH="$PATH" --setenv=HOME="$HOME" --setenv=NPC_NIX_BIN="$NPC_NIX" --setenv=NPC_SYSTEMCTL_BIN="$NPC_SYSTEMCTL" \
    --setenv=NPC_HOST="$NPC_HOST" --setenv=NPC_INSTANCE_ID="$instance_id" \
    --setenv=NPC_BOOTSTRAP_DIR="$NPC_BOOTSTRAP_DIR" --setenv=NPC_MARKER="$NPC_MARKER" \
    --setenv=NPC_SWAP_MIB="$NPC_SWAP_MIB" --setenv=NPC_SWAP_BELOW_MIB="$NPC_SWAP_BELOW_MIB" \
    --setenv=NPC_SWAP_FILE="$NPC_SWAP_FILE" --setenv=NPC_MEMINFO="$NPC_MEMINFO" \
    --setenv=NPC_MKSWAP="$NPC_MKSWAP" --setenv=NPC_SWAPON="$NPC_SWAPON" --setenv=NPC_SWAPOFF="$NPC_SWAPOFF" \
    -- "$NPC_BASH" "$script" activate "$@" \
    || fail "could not start $UNIT with systemd-run"
  log "handed the first activation to $UNIT; follow it with journalctl -u $UNIT"
}

bootstrap() {
  if nothing_to_do; then
    exit 0
  fi
  check_settings
  started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  mkdir -p "$NPC_BOOTSTRAP_DIR" "$NPC_STATE_DIR"
  chmod 700 "$NPC_BOOTSTRAP_DIR" "$NPC_STATE_DIR"
  work=$NPC_BOOTSTRAP_DIR/work
  rm -rf "$work"
  mkdir -p "$work"
  trap 'remove_swap; rm -rf "$work"' EXIT

  read_instance
  read_desired
  fetch_remote
  if [ -n "$NPC_REMOTE_KEYS" ]; then
    verify_signature
  else
    log "warning: NPC_REMOTE_KEYS is empty: remote '$remote' is checked against its sha256 only, signed or not; set remote signing keys so hosts refuse unsigned remotes"
  fi
  unpack
  build_npc
  hand_over
}

# --- phase 2: in npc-first-activation.service

activate() {
  phase=activate
  if [ -e "$NPC_MARKER" ]; then
    log "bootstrapped before; nothing to do"
    exit 0
  fi
  trap remove_swap EXIT
  add_swap_if_small "activating"
  log "installing: npc-daemon install $*"
  local rc=0
  # The daemon reads file names in the locale's encoding: it gets the unit's locale, not C.
  env -u LC_ALL "$NPC_BOOTSTRAP_DIR/npc/bin/npc-daemon" install "$@" || rc=$?
  remove_swap
  [ "$rc" -eq 0 ] \
    || fail "npc-daemon install exited $rc; see its messages above and hosts/$NPC_HOST/state.json in the store; the next boot tries again (or: systemctl restart amazon-init)"
  # Written last, atomically: a first activation cut short runs again at the next boot.
  printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NPC_INSTANCE_ID" "$NPC_HOST" > "$NPC_MARKER.tmp"
  mv -f -- "$NPC_MARKER.tmp" "$NPC_MARKER"
  log "done: npc runs from the host's own configuration from now on"
}

if [ "$#" -eq 0 ]; then
  bootstrap
elif [ "$1" = activate ]; then
  shift
  activate "$@"
else
  fail "unknown arguments '$*'; run it without arguments (it starts its second phase itself)"
fi
