# What this host's resources are made of, computed from the variables, this module's files and
# two facts about the AWS partition (local.partition and local.dns_suffix, set in main.tf from a
# data source). Nothing here reads a resource or needs a provider: the repository's tests copy
# this file and variables.tf into an empty directory and evaluate it with `terraform console`,
# so what they check (user-data, the IAM policy, names) is what Terraform renders.

locals {
  key_prefix  = var.prefix == "" ? "" : "${var.prefix}/"
  store_url   = var.prefix == "" ? "s3://${var.bucket_name}" : "s3://${var.bucket_name}/${var.prefix}"
  bucket_arn  = "arn:${local.partition}:s3:::${var.bucket_name}"
  desired_key = "${local.key_prefix}hosts/${var.host}/desired.json"

  # Null fields are left out: the daemon then uses its own defaults (configuration = host name,
  # action = services.npc.action).
  desired = { for k, v in {
    remote        = var.remote
    configuration = var.configuration
    action        = var.action
    paused        = var.paused
    prebuilt      = var.prebuilt
    window        = var.window
    reboot        = var.reboot
  } : k => v if v != null }

  # A maintenance window, as npc-core's dev.npc.time.MaintenanceWindow.GRAMMAR and nixos/module.nix
  # spell it; all three are tested against npc-core/src/test/resources/dev/npc/time/windows.json.
  window_day     = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
  window_days    = "${local.window_day}((\\.\\.|-)${local.window_day})?"
  window_time    = "([01][0-9]|2[0-3]):[0-5][0-9]"
  window_grammar = "^(${local.window_days}(,${local.window_days})* +)?${local.window_time}(-|\\.\\.)(${local.window_time}|24:00)( +[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)?$"

  # IAM role and instance profile names: scoped to this store, so two fleets in one account do
  # not collide, and never over IAM's 64 characters (a long name keeps 55 characters and gets
  # 8 hex of its sha256, so two long names still differ).
  iam_scope     = var.name_prefix != null ? var.name_prefix : "npc-${substr(sha256(local.store_url), 0, 8)}-"
  iam_full_name = "${local.iam_scope}${var.host}"
  iam_name      = length(local.iam_full_name) <= 64 ? local.iam_full_name : "${substr(local.iam_full_name, 0, 55)}-${substr(sha256(local.iam_full_name), 0, 8)}"

  # The remotes this host may follow: the one desired.json names and the allowed ones.
  followed_remotes = sort(distinct(concat([var.remote], var.allowed_remotes)))

  # --- least privilege: this host reads the remotes it may follow and its own desired.json, and
  # writes only its own state.json and history. It cannot read another host's documents or any
  # other remote, write a remote, or list the bucket (so S3 answers a missing object with 403
  # instead of 404; npc's message says so). The store's KMS key only through S3, for this bucket.
  host_statements = concat(
    [
      {
        sid        = "ReadFollowedRemotes"
        actions    = ["s3:GetObject"]
        resources  = [for r in local.followed_remotes : "${local.bucket_arn}/${local.key_prefix}remotes/${r}.npc"]
        conditions = []
      },
      {
        sid        = "ReadOwnDesired"
        actions    = ["s3:GetObject"]
        resources  = ["${local.bucket_arn}/${local.desired_key}"]
        conditions = []
      },
      {
        sid     = "WriteOwnStateAndHistory"
        actions = ["s3:PutObject"]
        resources = [
          "${local.bucket_arn}/${local.key_prefix}hosts/${var.host}/state.json",
          "${local.bucket_arn}/${local.key_prefix}history/${var.host}/*",
        ]
        conditions = []
      },
    ],
    var.kms_key_arn == null ? [] : [
      {
        sid       = "UseStoreKeyThroughS3"
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = [var.kms_key_arn]
        conditions = [
          { test = "StringLike", variable = "kms:ViaService", values = ["s3.*.${local.dns_suffix}"] },
          # With S3 Bucket Keys (the store module turns them on) the context is the bucket's ARN,
          # without them the object's.
          { test = "StringLike", variable = "kms:EncryptionContext:aws:s3:arn", values = [local.bucket_arn, "${local.bucket_arn}/${local.key_prefix}*"] },
        ]
      },
    ],
  )

  # --- first boot: bootstrap/npc-bootstrap.sh with this host's settings in front of it.
  # NPC_NIXPKGS: the nixpkgs the fleet flake pins, as a locked flake reference.
  flake_lock      = var.fleet_flake_lock == null ? null : jsondecode(var.fleet_flake_lock)
  lock_nixpkgs    = try(local.flake_lock.nodes[local.flake_lock.nodes[local.flake_lock.root].inputs.nixpkgs].locked, null)
  lock_nixpkgs_qs = try(join("&", concat(try(["host=${local.lock_nixpkgs.host}"], []), ["narHash=${local.lock_nixpkgs.narHash}"])), null)
  nixpkgs = var.nixpkgs != null ? var.nixpkgs : try(
    "${local.lock_nixpkgs.type}:${local.lock_nixpkgs.owner}/${local.lock_nixpkgs.repo}/${local.lock_nixpkgs.rev}?${local.lock_nixpkgs_qs}", null
  )

  user_data_plain = templatefile("${path.module}/bootstrap/user-data.sh.tftpl", {
    store            = local.store_url
    host             = var.host
    region           = var.region == null ? "" : var.region
    endpoint_url     = var.endpoint_url == null ? "" : var.endpoint_url
    remote_keys      = join(" ", var.remote_signing_keys)
    nixpkgs          = local.nixpkgs == null ? "" : local.nixpkgs
    allowed_remotes  = join(" ", local.followed_remotes)
    substituters     = join(" ", var.substituters)
    substituter_keys = join(" ", var.substituter_keys)
    swap_mib         = var.swap_mib
    swap_below_mib   = var.swap_below_mib
    script           = file("${path.module}/bootstrap/npc-bootstrap.sh")
  })

  # EC2 refuses user-data over 16384 bytes. A script too large for that travels gzip-compressed
  # inside a small #! script that unpacks it and runs it unchanged (base64 and gzip are on
  # amazon-init's PATH).
  user_data_limit       = 16384
  user_data_plain_bytes = length(base64encode(local.user_data_plain)) / 4 * 3 - length(regexall("=", base64encode(local.user_data_plain)))
  user_data_script = local.user_data_plain_bytes <= local.user_data_limit ? local.user_data_plain : templatefile(
    "${path.module}/bootstrap/user-data-gzip.sh.tftpl", { payload = base64gzip(local.user_data_plain) }
  )

  # cloud-init: the same script, written where cloud-init runs a script at every boot (as
  # amazon-init does), compressed so it fits the same limit.
  user_data_cloud_init = "#cloud-config\n${yamlencode({
    write_files = [{
      path        = "/var/lib/cloud/scripts/per-boot/npc-bootstrap.sh"
      owner       = "root:root"
      permissions = "0700"
      encoding    = "gz+b64"
      content     = base64gzip(local.user_data_plain)
    }]
  })}"

  user_data       = var.bootstrap_format == "cloud-init" ? local.user_data_cloud_init : local.user_data_script
  user_data_bytes = length(base64encode(local.user_data)) / 4 * 3 - length(regexall("=", base64encode(local.user_data)))
}
