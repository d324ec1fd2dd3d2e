variable "name" {
  description = "Name of the remote to publish (remotes/<name>.npc), e.g. prod-canary."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", var.name))
    error_message = "name must be 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit."
  }
}

variable "source_dir" {
  description = "The flake directory to pack, relative to the directory Terraform runs in (e.g. \"$${path.root}/../fleet\"); it must hold flake.nix and, unless allow_unlocked, flake.lock. An absolute path is refused: it would differ between checkouts and remote runners and end up in the state."
  type        = string

  validation {
    condition     = !startswith(var.source_dir, "/") && !can(regex("^[A-Za-z]:", var.source_dir))
    error_message = "source_dir must be relative (e.g. \"$${path.root}/../fleet\"), not absolute: an absolute path differs between checkouts and remote runners."
  }

  validation {
    condition     = fileexists("${var.source_dir}/flake.nix")
    error_message = "source_dir must be a flake directory: it has no flake.nix."
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

variable "sign_key_file" {
  description = "Private key file (from npc keys generate) that signs the remote (npc push --sign-key), relative or absolute; it is read only on the machine that runs Terraform and never stored. Null publishes unsigned: hosts with remote-signing keys refuse it."
  type        = string
  default     = null
}

variable "includes" {
  description = "Top-level directories of source_dir to pack (flake.nix and flake.lock are always packed); empty packs every file npc would."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for d in var.includes : can(regex("^[A-Za-z0-9._-]+$", d)) && d != "." && d != ".."])
    error_message = "Every includes entry must be one top-level directory name from [A-Za-z0-9._-]."
  }
}

variable "allow_unlocked" {
  description = "Pack a flake without flake.lock. Hosts could then build different systems from the same version; keep false."
  type        = bool
  default     = false
}

variable "npc_command" {
  description = "The npc program Terraform runs to pack (at plan) and to publish (at apply): a path, or a name on PATH."
  type        = string
  default     = "npc"
}

variable "work_dir" {
  description = "Directory, relative to where Terraform runs, for the archive packed at plan time; null uses .npc/ there (keep it out of version control)."
  type        = string
  default     = null

  validation {
    condition     = var.work_dir == null || !startswith(coalesce(var.work_dir, "x"), "/")
    error_message = "work_dir must be relative to where Terraform runs, or null."
  }
}

variable "endpoint_url" {
  description = "S3-compatible endpoint of the store (npc --endpoint-url); null uses AWS S3."
  type        = string
  default     = null
}

variable "environment" {
  description = "Environment for the npc push that publishes (e.g. { AWS_PROFILE = \"release\", AWS_REGION = \"eu-west-1\" }): npc uses the AWS SDK's default credential chain, not the Terraform provider's configuration."
  type        = map(string)
  default     = {}
}
