variable "name" {
  description = "Name of the remote to publish (remotes/<name>.npc), e.g. prod-canary."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.name))
    error_message = "name must be 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit."
  }
}

variable "source_dir" {
  description = "The flake directory to pack (it must hold flake.nix and, unless allow_unlocked, flake.lock)."
  type        = string

  validation {
    condition     = fileexists("${var.source_dir}/flake.nix")
    error_message = "source_dir must be a flake directory: it has no flake.nix."
  }
}

variable "bucket_name" {
  description = "Bucket of the store (the store module's bucket_name output)."
  type        = string
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

variable "includes" {
  description = "Top-level directories of source_dir to pack (flake.nix and flake.lock are always packed); empty packs every file npc would."
  type        = list(string)
  default     = []
}

variable "allow_unlocked" {
  description = "Pack a flake without flake.lock. Hosts could then build different systems from the same version; keep false."
  type        = bool
  default     = false
}

variable "npc_command" {
  description = "The npc program Terraform runs to pack (a path, or a name on PATH)."
  type        = string
  default     = "npc"
}

variable "work_dir" {
  description = "Directory for the packed file; null uses .npc/ under the root module."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "KMS key to encrypt the object with (the store module's kms_key_arn output); null uses the bucket's default encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the remote object."
  type        = map(string)
  default     = {}
}
