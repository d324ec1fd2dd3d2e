# Publishes a remote from Terraform, for fleets that do not publish from CI (`npc push`).
# Packing is deterministic, so an unchanged flake gives the same sha256 and nothing is uploaded.

locals {
  key_prefix = var.prefix == "" ? "" : "${var.prefix}/"
  work_dir   = var.work_dir != null ? var.work_dir : "${path.root}/.npc"
  packed     = data.external.pack.result
  # npc pack --json names the version "sha256" (older builds: "version").
  sha256 = lookup(local.packed, "sha256", lookup(local.packed, "version", ""))
}

# Runs at every plan: `npc pack --json --src <source_dir> --output <work_dir>/<name>.npc`.
data "external" "pack" {
  program = [
    "${path.module}/pack.sh",
    var.npc_command,
    abspath(var.source_dir),
    abspath("${local.work_dir}/${var.name}.npc"),
    tostring(var.allow_unlocked),
    join(",", var.includes),
  ]
}

resource "aws_s3_object" "remote" {
  bucket       = var.bucket_name
  key          = "${local.key_prefix}remotes/${var.name}.npc"
  source       = local.packed.path
  content_type = "application/zstd"
  kms_key_id   = var.kms_key_arn

  # The content hash, not the file's timestamp, decides whether the object is uploaded again.
  source_hash = local.sha256

  # The metadata npc reads (DESIGN.md: npc-format, npc-sha256, npc-files, npc-source-rev).
  metadata = merge(
    {
      "npc-format" = "1"
      "npc-sha256" = local.sha256
      "npc-files"  = local.packed.files
    },
    lookup(local.packed, "sourceRev", "") == "" ? {} : { "npc-source-rev" = local.packed.sourceRev },
  )

  tags = var.tags

  lifecycle {
    precondition {
      condition     = can(regex("^[0-9a-f]{64}$", local.sha256))
      error_message = "npc pack --json printed no sha256; check that npc_command runs npc 0.1 or newer."
    }
  }
}
