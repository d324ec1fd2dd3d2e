# One host of the fleet: what it should run (desired.json), what it may touch (an IAM role that
# reaches only its own documents and the remotes), and how it starts (user-data).

data "aws_partition" "current" {}

locals {
  key_prefix   = var.prefix == "" ? "" : "${var.prefix}/"
  store_url    = var.prefix == "" ? "s3://${var.bucket_name}" : "s3://${var.bucket_name}/${var.prefix}"
  object_arn   = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  desired_key  = "${local.key_prefix}hosts/${var.host}/desired.json"
  iam_name     = "${var.name_prefix}${var.host}"

  # Null fields are left out: the daemon then uses its own defaults (configuration = host name,
  # action = services.npc.action).
  desired = { for k, v in {
    remote        = var.remote
    configuration = var.configuration
    action        = var.action
    paused        = var.paused
    prebuilt      = var.prebuilt
  } : k => v if v != null }
}

resource "aws_s3_object" "desired" {
  bucket       = var.bucket_name
  key          = local.desired_key
  content      = jsonencode(local.desired)
  content_type = "application/json"
  tags         = var.tags
}

# --- least privilege: this host reads the remotes and its own desired.json, and writes only its
# own state.json and history. It cannot read another host's documents, write a remote, or list
# the bucket (so S3 answers a missing object with 403 instead of 404; npc's message says so).
data "aws_iam_policy_document" "host" {
  statement {
    sid       = "ReadRemotes"
    actions   = ["s3:GetObject"]
    resources = ["${local.object_arn}/${local.key_prefix}remotes/*"]
  }

  statement {
    sid       = "ReadOwnDesired"
    actions   = ["s3:GetObject"]
    resources = ["${local.object_arn}/${local.key_prefix}hosts/${var.host}/desired.json"]
  }

  statement {
    sid     = "WriteOwnStateAndHistory"
    actions = ["s3:PutObject"]
    resources = [
      "${local.object_arn}/${local.key_prefix}hosts/${var.host}/state.json",
      "${local.object_arn}/${local.key_prefix}hosts/${var.host}/history/*",
    ]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "UseStoreKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "host" {
  name                 = local.iam_name
  description          = "npc host ${var.host}: reads remotes and its own desired.json, writes its own state"
  assume_role_policy   = data.aws_iam_policy_document.ec2_trust.json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy" "host" {
  name   = "npc-store"
  role   = aws_iam_role.host.id
  policy = data.aws_iam_policy_document.host.json
}

resource "aws_iam_instance_profile" "host" {
  name = local.iam_name
  role = aws_iam_role.host.name
  tags = var.tags
}

# --- bootstrap: bootstrap/npc-bootstrap.sh (shipped in this module) with this host's settings in front of it.
locals {
  user_data_plain = templatefile("${path.module}/bootstrap/user-data.sh.tftpl", {
    store            = local.store_url
    host             = var.host
    region           = ""
    endpoint_url     = ""
    remote_keys      = ""
    nixpkgs          = ""
    allowed_remotes  = ""
    substituters     = join(" ", var.substituters)
    substituter_keys = join(" ", var.trusted_public_keys)
    swap_mib         = var.swap_mib
    swap_below_mib   = ""
    script           = file("${path.module}/bootstrap/npc-bootstrap.sh")
  })

  # EC2 refuses user-data over 16384 bytes; the bootstrap is larger, so it travels gzip-compressed
  # inside a small #! script that unpacks it and runs it unchanged.
  user_data = length(local.user_data_plain) <= 16384 ? local.user_data_plain : templatefile(
    "${path.module}/bootstrap/user-data-gzip.sh.tftpl", { payload = base64gzip(local.user_data_plain) }
  )
}

# --- optional instance
data "aws_ami" "nixos" {
  count       = var.create_instance && var.ami_id == null ? 1 : 0
  most_recent = true
  owners      = ["427812963091"] # the NixOS project's account for official AMIs

  filter {
    name   = "name"
    values = ["nixos/${var.nixos_release}*"]
  }

  filter {
    name   = "architecture"
    values = [var.architecture]
  }
}

resource "aws_instance" "host" {
  count                  = var.create_instance ? 1 : 0
  ami                    = var.ami_id != null ? var.ami_id : data.aws_ami.nixos[0].id
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = length(var.security_group_ids) > 0 ? var.security_group_ids : null
  key_name               = var.key_name
  iam_instance_profile   = aws_iam_instance_profile.host.name
  user_data              = local.user_data

  # The bootstrap reads instance data with IMDSv2 only.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_size = var.root_volume_gib
    volume_type = "gp3"
    encrypted   = true
  }

  tags = merge(var.tags, { Name = var.host, "npc:host" = var.host })

  # npc changes the running system from then on; a new AMI or user-data must not replace the host.
  lifecycle {
    ignore_changes = [ami, user_data]
  }

  # desired.json exists before the instance boots, so the first bootstrap finds it.
  depends_on = [aws_s3_object.desired, aws_iam_role_policy.host]
}
