# Publishes a remote from Terraform, for fleets that do not publish from CI, by running the same
# `npc push` CI runs: the remote gets the metadata, npc-sequence, signature (with sign_key_file)
# and remotes-history/ archive every push gives it, so Terraform and CI can publish the same store
# without undoing each other.
#
# Plan: `npc pack --json` (data "external") gives the archive's sha256, a function of the packed
# files' content only (not of the commit, the time or the checkout's path).
# Apply: when that sha256 differs from the last one published here, `npc push` publishes it.
# A push or rollback made since by CI is left alone until the flake's content changes again.

locals {
  key_prefix = var.prefix == "" ? "" : "${var.prefix}/"
  store_url  = var.prefix == "" ? "s3://${var.bucket_name}" : "s3://${var.bucket_name}/${var.prefix}"
  work_dir   = var.work_dir != null ? var.work_dir : "${path.root}/.npc"
  packed     = data.external.pack.result
  sha256     = lookup(local.packed, "sha256", "")
}

# Runs at every plan: `npc pack --json --src <source_dir> --output <work_dir>/<name>.npc`.
data "external" "pack" {
  program = [
    "${path.module}/pack.sh",
    var.npc_command,
    var.source_dir,
    "${local.work_dir}/${var.name}.npc",
    tostring(var.allow_unlocked),
    join(",", var.includes),
  ]
}

resource "terraform_data" "publish" {
  # What a publish depends on: the content, and where it goes. Nothing path- or commit-dependent.
  triggers_replace = {
    sha256 = local.sha256
    store  = local.store_url
    remote = var.name
    signed = var.sign_key_file != null
  }

  # The content published, for the outputs.
  input = {
    sha256 = local.sha256
    files  = local.packed.files
    bytes  = local.packed.bytes
  }

  provisioner "local-exec" {
    command = "${path.module}/publish.sh"
    environment = merge(var.environment, {
      NPC_COMMAND          = var.npc_command
      NPC_PUBLISH_SRC      = var.source_dir
      NPC_PUBLISH_REMOTE   = var.name
      NPC_PUBLISH_STORE    = local.store_url
      NPC_PUBLISH_SHA256   = local.sha256
      NPC_PUBLISH_SIGN     = var.sign_key_file == null ? "" : var.sign_key_file
      NPC_PUBLISH_INCLUDE  = join(",", var.includes)
      NPC_PUBLISH_UNLOCK   = tostring(var.allow_unlocked)
      NPC_PUBLISH_ENDPOINT = var.endpoint_url == null ? "" : var.endpoint_url
    })
  }

  lifecycle {
    precondition {
      condition     = can(regex("^[0-9a-f]{64}$", local.sha256))
      error_message = "npc pack --json printed no sha256; check that npc_command runs npc 0.1 or newer."
    }
  }
}
