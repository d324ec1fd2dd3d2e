variable "host" {
  description = "The host's name in the store: its documents live under hosts/<host>/. Must match services.npc.host on the machine (by default its networking.hostName)."
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
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
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
  description = "The remote this host follows (remotes/<remote>.npc). Changing it and applying is how a host is moved to another version, e.g. from prod-canary to prod."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.remote))
    error_message = "remote must be 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit."
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

variable "kms_key_arn" {
  description = "KMS key the store is encrypted with, if any (the store module's kms_key_arn output): the host may then decrypt and encrypt with it."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix for the IAM role, policy and instance profile names; the host name is appended."
  type        = string
  default     = "npc-host-"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{0,32}$", var.name_prefix))
    error_message = "name_prefix must be at most 32 characters valid in IAM names ([A-Za-z0-9+=,.@_-])."
  }
}

variable "permissions_boundary" {
  description = "ARN of a permissions boundary for the host's role, where the account requires one."
  type        = string
  default     = null
}

# --- bootstrap (user-data) -------------------------------------------------------------------

variable "npc_flake" {
  description = "Flake reference whose default package provides bin/npc-daemon; the bootstrap builds it once, before the host's own configuration takes over."
  type        = string
  default     = "github:npc-dev/npc"

  validation {
    condition     = can(regex("^[A-Za-z0-9+:/._?=&#~-]+$", var.npc_flake))
    error_message = "npc_flake must be a flake reference without spaces or quotes, e.g. github:npc-dev/npc/v0.1.0."
  }
}

variable "substituters" {
  description = "Binary caches the bootstrap may fetch from (space-separated in nix.conf)."
  type        = list(string)
  default     = ["https://cache.nixos.org"]

  validation {
    condition     = alltrue([for s in var.substituters : can(regex("^[A-Za-z0-9+:/._?=&%-]+$", s))])
    error_message = "Every substituter must be a URL without spaces or quotes."
  }
}

variable "trusted_public_keys" {
  description = "Signing keys of the substituters."
  type        = list(string)
  default     = ["cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="]

  validation {
    condition     = alltrue([for k in var.trusted_public_keys : can(regex("^[A-Za-z0-9._-]+:[A-Za-z0-9+/=]+$", k))])
    error_message = "Every trusted public key must look like name:base64."
  }
}

variable "swap_mib" {
  description = "Size of a temporary swap file used while bootstrapping hosts with less than 2 GiB of memory (evaluating NixOS takes 1-2 GB); removed afterwards. 0 disables it."
  type        = number
  default     = 2048

  validation {
    condition     = var.swap_mib >= 0 && floor(var.swap_mib) == var.swap_mib
    error_message = "swap_mib must be a whole number of MiB, 0 or more."
  }
}

# --- optional instance -----------------------------------------------------------------------

variable "create_instance" {
  description = "Create the EC2 instance too. When false, use the role, instance profile and user_data outputs with your own instance or launch template."
  type        = bool
  default     = false
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
