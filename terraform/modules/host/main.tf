# One host of the fleet: what it should run (desired.json), what it may touch (an IAM role that
# reaches only its own documents and the remotes it may follow), and how it starts (user-data).
# The values are computed in locals.tf; this file holds what needs the AWS provider.

data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
}

resource "aws_s3_object" "desired" {
  bucket       = var.bucket_name
  key          = local.desired_key
  content      = jsonencode(local.desired)
  content_type = "application/json"
  tags         = var.tags
}

data "aws_iam_policy_document" "host" {
  dynamic "statement" {
    for_each = local.host_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
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
  description          = "npc host ${var.host} of ${local.store_url}: reads the remotes it may follow and its own desired.json, writes its own state"
  assume_role_policy   = data.aws_iam_policy_document.ec2_trust.json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = length(local.iam_name) <= 64 && can(regex("^[A-Za-z0-9+=,.@_-]+$", local.iam_name))
      error_message = "The IAM role name must be at most 64 characters from [A-Za-z0-9+=,.@_-]; shorten name_prefix."
    }
  }
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

# --- optional instance
# Carries launch_after, so the instance alone waits for what it names (a publish).
resource "terraform_data" "launch_after" {
  count = var.create_instance ? 1 : 0
  input = var.launch_after
}

data "aws_ami" "nixos" {
  count       = var.create_instance && var.ami_id == null ? 1 : 0
  most_recent = true
  # The NixOS project's account for its official AMIs: the owner nixos.org/download gives in its
  # `aws ec2 describe-images --owners ...` command and Terraform snippet (source of that page:
  # github.com/NixOS/nixos-homepage, core/src/lib/downloadAwsCode.js).
  owners = ["427812963091"]

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

    precondition {
      condition     = local.user_data_bytes <= local.user_data_limit
      error_message = "The rendered user-data is over EC2's limit of 16384 bytes, even compressed; shorten the key and remote lists."
    }
  }

  # desired.json exists before the instance boots, so the first bootstrap finds it.
  depends_on = [aws_s3_object.desired, aws_iam_role_policy.host, terraform_data.launch_after]
}
