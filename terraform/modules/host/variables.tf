variable "host" {
  description = "The host's name in the store: its documents live under hosts/<host>/. The bootstrap passes it to `npc-daemon install --host`, which records it for the daemon."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.host)) && !can(regex("\\.\\.", var.host))
    error_message = "host must be 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit, without '..'."
  }
}

variable "bucket_name" {
  description = "Bucket of the store (the store module's bucket_name output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters from a-z, 0-9, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket, without leading or trailing '/' (the store module's prefix output); empty for the bucket root."
  type        = string
  default     = "fleet"

  validation {
    condition     = var.prefix == "" || can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.prefix))
    error_message = "prefix must be empty or segments of [A-Za-z0-9._-] joined by '/', with no leading or trailing '/'."
  }
}

variable "remote" {
  description = "The remote this host follows (remotes/<remote>.npc). Changing it and applying is how a host is moved to another version, e.g. from prod-canary to prod; the host's IAM policy follows."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.remote))
    error_message = "remote must be 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit."
  }
}

variable "allowed_remotes" {
  description = "Remotes this host may follow besides remote, e.g. [\"prod-canary\"] for a host that is sometimes a canary. Its IAM policy can read exactly these and remote, and the first activation refuses a desired.json naming any other (NPC_ALLOWED_REMOTES). Give the host's configuration the same list (services.npc.allowedRemotes) for the daemon."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.allowed_remotes : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", r))])
    error_message = "Every allowed_remotes entry must be a remote name of 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit."
  }
}

variable "configuration" {
  description = "The nixosConfigurations attribute to build; null means the host's own name."
  type        = string
  default     = null

  validation {
    condition     = var.configuration == null || can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.configuration))
    error_message = "configuration must be a nixosConfigurations attribute name from [A-Za-z0-9._-], or null."
  }
}

variable "action" {
  description = "How a new system is activated: switch, boot (at next reboot) or test (not made the boot default). Null leaves the choice to services.npc.action on the host."
  type        = string
  default     = null

  validation {
    condition     = var.action == null || contains(["switch", "boot", "test"], coalesce(var.action, "switch"))
    error_message = "action must be one of switch, boot, test, or null."
  }
}

variable "paused" {
  description = "Pause the host: it keeps running what it has and reports that it is paused, but applies nothing new."
  type        = bool
  default     = false
}

variable "prebuilt" {
  description = "A /nix/store toplevel path built elsewhere (e.g. by CI into a binary cache). The host then realises it from its substituters instead of evaluating Nix, which small instances cannot afford."
  type        = string
  default     = null

  validation {
    condition     = var.prebuilt == null || can(regex("^/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+$", coalesce(var.prebuilt, "x")))
    error_message = "prebuilt must be a /nix/store/<32-character hash>-<name> path, or null."
  }
}

variable "window" {
  description = "The maintenance window: when this host switches to a new version and reboots, e.g. \"Sat 02:00-04:00 UTC\" or \"Mon..Fri 22:00-23:30 Europe/Berlin\" (days, HH:MM-HH:MM, an optional time zone; none: the host's own). Outside it the host downloads, verifies and builds a new version, then waits. Written to desired.json, where it replaces services.npc.window; null leaves the choice to the host."
  type        = string
  default     = null

  validation {
    # The grammar of npc-core's MaintenanceWindow and services.npc.window (one table tests all three).
    condition     = var.window == null || can(regex(local.window_grammar, coalesce(var.window, "x")))
    error_message = "window must be days (Mon, Sat,Sun, Mon..Fri), then HH:MM-HH:MM, then an optional time zone, e.g. \"Sat 02:00-04:00 UTC\"; or null."
  }
}

variable "reboot" {
  description = "Whether the host reboots (inside window) when a switch brought another kernel, initrd or kernel parameters than it booted: \"allowed\" (then it checks the booted system and rolls back if it fails) or \"never\" (it reports \"reboot required\"). Written to desired.json, where it replaces services.npc.reboot; null leaves the choice to the host."
  type        = string
  default     = null

  validation {
    condition     = var.reboot == null || contains(["never", "allowed"], coalesce(var.reboot, "never"))
    error_message = "reboot must be \"never\", \"allowed\" or null."
  }
}

variable "kms_key_arn" {
  description = "KMS key the store is encrypted with, if any (the store module's kms_key_arn output): the host may then use it through S3 for this bucket only. A key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || !can(regex("^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias/", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn is an alias ARN; IAM grants on an alias do not authorise the key. Give the key's ARN (data \"aws_kms_alias\" gives it as target_key_arn)."
  }

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (a UUID, or mrk-... for a multi-Region key)."
  }
}

variable "name_prefix" {
  description = "Prefix of the IAM role and instance profile names, to which the host name is appended. Null uses npc-<8 hex of the store URL's sha256>-, so two fleets in one account never collide. A name over IAM's 64 characters is shortened to 55 characters, '-' and 8 hex of its sha256."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,32}$", coalesce(var.name_prefix, "x")))
    error_message = "name_prefix must be 1-32 characters valid in IAM names ([A-Za-z0-9+=,.@_-]), or null."
  }
}

variable "permissions_boundary" {
  description = "ARN of a permissions boundary for the host's role, where the account requires one."
  type        = string
  default     = null
}

# --- bootstrap (user-data) -------------------------------------------------------------------

variable "bootstrap_format" {
  description = "How the user-data carries the bootstrap: \"script\" (a #! script, which amazon-init on the official NixOS AMIs runs at every boot) or \"cloud-init\" (#cloud-config that installs the same script as a per-boot script, for images that run cloud-init instead of amazon-init)."
  type        = string
  default     = "script"

  validation {
    condition     = contains(["script", "cloud-init"], var.bootstrap_format)
    error_message = "bootstrap_format must be \"script\" or \"cloud-init\"."
  }
}

variable "remote_signing_keys" {
  description = "Public keys (npc-ed25519-public:..., from npc keys generate) whose signatures the first activation requires (NPC_REMOTE_KEYS): an unsigned or wrongly signed remote is refused. Give the host's configuration the same keys (services.npc.trustedKeys) for the daemon. Empty accepts unsigned remotes."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.remote_signing_keys : can(regex("^npc-ed25519-public:[A-Za-z0-9+/]{43}=$", k))])
    error_message = "Every remote_signing_keys entry must be one line npc-ed25519-public:<base64 of 32 bytes>, as in the public file npc keys generate writes."
  }

  validation {
    condition     = length(var.remote_signing_keys) == 0 || var.nixpkgs != null || var.fleet_flake_lock != null
    error_message = "remote_signing_keys needs the fleet's pinned nixpkgs (the bootstrap checks signatures with its openssl): set fleet_flake_lock = file(\"<fleet flake>/flake.lock\") or nixpkgs."
  }
}

variable "fleet_flake_lock" {
  description = "Text of the fleet flake's flake.lock, e.g. file(\"$${path.root}/../fleet/flake.lock\"). Its nixpkgs node gives NPC_NIXPKGS, the pinned nixpkgs the bootstrap builds openssl (and zstd where the image lacks it) from. Ignored when nixpkgs is set."
  type        = string
  default     = null

  validation {
    condition     = var.fleet_flake_lock == null || can(jsondecode(var.fleet_flake_lock).nodes)
    error_message = "fleet_flake_lock must be the text of a flake.lock: file(\"<fleet flake>/flake.lock\")."
  }

  validation {
    condition     = var.fleet_flake_lock == null || can(tostring(jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs))
    error_message = "The fleet flake's flake.lock has no nixpkgs input of its own (none, or one that follows another input): give the fleet flake an inputs.nixpkgs, or set nixpkgs to a locked flake reference."
  }

  validation {
    condition = var.fleet_flake_lock == null || contains(["github", "gitlab", "sourcehut"], try(
      jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs].locked.type, ""
    ))
    error_message = "The fleet flake's nixpkgs input is not locked as a github, gitlab or sourcehut input, so no flake reference can be derived from it: use e.g. inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\", or set nixpkgs to a locked flake reference."
  }

  validation {
    condition = var.fleet_flake_lock == null || (
      can(regex("^[0-9a-f]{40}$", jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs].locked.rev))
      && can(regex("^sha256-[A-Za-z0-9+/]{43}=$", jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs].locked.narHash))
      && can(regex("^[A-Za-z0-9._-]+$", jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs].locked.owner))
      && can(regex("^[A-Za-z0-9._-]+$", jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).nodes[jsondecode(var.fleet_flake_lock).root].inputs.nixpkgs].locked.repo))
    )
    error_message = "The fleet flake's nixpkgs node has no 40-hex rev, sha256 narHash, owner and repo: run nix flake lock in the fleet flake, or set nixpkgs to a locked flake reference."
  }
}

variable "nixpkgs" {
  description = "Locked nixpkgs flake reference for the bootstrap (NPC_NIXPKGS), with a 40-hex revision and a narHash, e.g. github:NixOS/nixpkgs/<rev>?narHash=sha256-...; null derives it from fleet_flake_lock."
  type        = string
  default     = null

  validation {
    condition = var.nixpkgs == null || (
      can(regex("^[A-Za-z0-9+._:/?&=%-]+$", coalesce(var.nixpkgs, "x")))
      && can(regex("(/|[?&]rev=)[0-9a-f]{40}([/?&]|$)", coalesce(var.nixpkgs, "x")))
      && can(regex("[?&]narHash=sha256-[A-Za-z0-9+/]{43}(=|%3D)(&|$)", coalesce(var.nixpkgs, "x")))
    )
    error_message = "nixpkgs must be a locked flake reference with a 40-hex revision and a narHash, e.g. github:NixOS/nixpkgs/<rev>?narHash=sha256-<43 base64 characters>=; or null to derive it from fleet_flake_lock."
  }
}

variable "substituters" {
  description = "Binary caches the bootstrap may fetch from (NPC_SUBSTITUTERS, space-separated in nix.conf)."
  type        = list(string)
  default     = ["https://cache.nixos.org"]

  validation {
    condition     = alltrue([for s in var.substituters : can(regex("^[A-Za-z0-9+:/._?=&%-]+$", s))])
    error_message = "Every substituter must be a URL without spaces or quotes."
  }
}

variable "substituter_keys" {
  description = "Signing keys of the substituters (NPC_SUBSTITUTER_KEYS, Nix's trusted-public-keys): name:base64."
  type        = list(string)
  default     = ["cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="]

  validation {
    condition     = alltrue([for k in var.substituter_keys : can(regex("^[A-Za-z0-9._-]+:[A-Za-z0-9+/=]+$", k))])
    error_message = "Every substituter key must look like name:base64, e.g. cache.nixos.org-1:6NCH...="
  }
}

variable "region" {
  description = "Region of the store's bucket (NPC_REGION); null uses the instance's own region."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", coalesce(var.region, "x")))
    error_message = "region must be an AWS region name such as eu-west-1, or null."
  }
}

variable "endpoint_url" {
  description = "S3-compatible endpoint of the store (NPC_ENDPOINT_URL, path-style requests); null uses AWS S3."
  type        = string
  default     = null

  validation {
    condition     = var.endpoint_url == null || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$", coalesce(var.endpoint_url, "x")))
    error_message = "endpoint_url must be http(s)://host[:port], or null."
  }
}

variable "swap_mib" {
  description = "Size of a temporary swap file used while bootstrapping hosts with less memory than swap_below_mib (evaluating NixOS takes 1-2 GB); removed afterwards. 0 disables it."
  type        = number
  default     = 2048

  validation {
    condition     = var.swap_mib >= 0 && floor(var.swap_mib) == var.swap_mib
    error_message = "swap_mib must be a whole number of MiB, 0 or more."
  }
}

variable "swap_below_mib" {
  description = "Memory (MiB) below which the bootstrap adds the temporary swap file (NPC_SWAP_BELOW_MIB)."
  type        = number
  default     = 2048

  validation {
    condition     = var.swap_below_mib >= 0 && floor(var.swap_below_mib) == var.swap_below_mib
    error_message = "swap_below_mib must be a whole number of MiB, 0 or more."
  }
}

# --- optional instance -----------------------------------------------------------------------

variable "create_instance" {
  description = "Create the EC2 instance too. When false, use the role, instance profile and user_data outputs with your own instance or launch template. Create it only once the remote it follows is published: its first boot installs what the remote holds."
  type        = bool
  default     = false
}

variable "launch_after" {
  description = "Values the instance is launched after, e.g. [module.prod_remote.sha256]: a host's first boot installs what its remote holds, so publish first. Only the instance waits; desired.json and the role do not."
  type        = any
  default     = null
}

variable "ami_id" {
  description = "AMI of the instance; null picks the newest official NixOS AMI of nixos_release for the architecture."
  type        = string
  default     = null
}

variable "nixos_release" {
  description = "NixOS release whose official AMI is used when ami_id is null."
  type        = string
  default     = "25.05"

  validation {
    condition     = can(regex("^[0-9]{2}\\.[0-9]{2}$", var.nixos_release))
    error_message = "nixos_release must look like 25.05."
  }
}

variable "architecture" {
  description = "CPU architecture of the instance (x86_64 or arm64); must match instance_type."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
  default     = "t3.small"
}

variable "subnet_id" {
  description = "Subnet of the instance; null uses the default VPC's default subnet."
  type        = string
  default     = null
}

variable "security_group_ids" {
  description = "Security groups of the instance. The host needs outbound HTTPS to S3 and its substituters; npc needs no inbound port."
  type        = list(string)
  default     = []
}

variable "key_name" {
  description = "EC2 key pair for SSH, or null for none (npc needs no SSH)."
  type        = string
  default     = null
}

variable "root_volume_gib" {
  description = "Size of the root volume in GiB; the Nix store grows with every generation kept."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_gib >= 8
    error_message = "root_volume_gib must be at least 8."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}
