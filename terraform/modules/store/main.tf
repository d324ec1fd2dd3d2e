# The store: one S3 bucket (or a prefix in an existing one) laid out as docs/format.md's format 1:
#   <prefix>/remotes/<name>.npc, <prefix>/remotes-history/, <prefix>/hosts/<host>/{desired.json,state.json}, <prefix>/history/<host>/

locals {
  # Every key the store holds starts with this (empty, or "<prefix>/").
  key_prefix = var.prefix == "" ? "" : "${var.prefix}/"
  bucket     = var.create_bucket ? aws_s3_bucket.store[0].bucket : data.aws_s3_bucket.existing[0].bucket
  bucket_arn = var.create_bucket ? aws_s3_bucket.store[0].arn : data.aws_s3_bucket.existing[0].arn
}

data "aws_s3_bucket" "existing" {
  count  = var.create_bucket ? 0 : 1
  bucket = var.bucket_name
}

resource "aws_s3_bucket" "store" {
  count         = var.create_bucket ? 1 : 0
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

# ACLs off: access is decided by IAM and the bucket policy alone.
resource "aws_s3_bucket_ownership_controls" "store" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.store[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "store" {
  count                   = var.create_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.store[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.store[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

# Versioning keeps the previous remote when a bad one is published: it can be restored with
# `aws s3api copy-object` or by re-publishing, and noncurrent versions expire below.
resource "aws_s3_bucket_versioning" "store" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.store[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "store" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.store[0].id

  # Versioning must be on before noncurrent-version rules mean anything.
  depends_on = [aws_s3_bucket_versioning.store]

  # Replaced versions (an older remote, desired or state) go after the retention; so do the
  # delete markers left once no version is behind them, which S3 otherwise keeps forever.
  rule {
    id     = "npc-noncurrent-versions"
    status = "Enabled"

    filter {
      prefix = local.key_prefix
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  # Archived remote versions (npc rollback's history): one prefix for every remote.
  dynamic "rule" {
    for_each = var.remotes_history_retention_days == null ? [] : [var.remotes_history_retention_days]

    content {
      id     = "npc-remotes-history"
      status = "Enabled"

      filter {
        prefix = "${local.key_prefix}remotes-history/"
      }

      expiration {
        days = rule.value
      }
    }
  }

  # Activation records: every host's under one prefix, so one rule.
  rule {
    id     = "npc-history"
    status = "Enabled"

    filter {
      prefix = "${local.key_prefix}history/"
    }

    expiration {
      days = var.history_retention_days
    }
  }

  # Records npc wrote under hosts/<host>/history/ before they moved to history/: S3 filters by
  # literal prefix, so one rule per host named in history_hosts.
  dynamic "rule" {
    for_each = var.history_hosts

    content {
      id     = "npc-history-${rule.value}"
      status = "Enabled"

      filter {
        prefix = "${local.key_prefix}hosts/${rule.value}/history/"
      }

      expiration {
        days = var.history_retention_days
      }
    }
  }
}

resource "aws_s3_bucket_logging" "store" {
  count         = var.create_bucket && var.access_log_bucket != null ? 1 : 0
  bucket        = aws_s3_bucket.store[0].id
  target_bucket = var.access_log_bucket
  target_prefix = var.access_log_prefix != null ? var.access_log_prefix : "s3-access/${var.bucket_name}/"
}

# The bucket's one policy: the caller's statements (policy_documents) merged with the module's,
# which refuses plain-HTTP access: hosts and admins always use TLS.
data "aws_iam_policy_document" "bucket" {
  count                   = var.create_bucket ? 1 : 0
  source_policy_documents = var.policy_documents

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.store[0].arn, "${aws_s3_bucket.store[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "store" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.store[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.store]
}

# The policy resource was called tls_only before it took more statements.
moved {
  from = aws_s3_bucket_policy.tls_only
  to   = aws_s3_bucket_policy.store
}
