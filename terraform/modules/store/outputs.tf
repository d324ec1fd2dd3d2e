output "store_url" {
  description = "The store as npc names it: s3://<bucket>/<prefix> (pass to npc --store and services.npc.store)."
  value       = var.prefix == "" ? "s3://${local.bucket}" : "s3://${local.bucket}/${var.prefix}"
}

output "bucket_name" {
  description = "Name of the bucket holding the store."
  value       = local.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket holding the store."
  value       = local.bucket_arn
}

output "prefix" {
  description = "Key prefix of the store inside the bucket (no trailing '/'; empty for the bucket root)."
  value       = var.prefix
}

output "key_prefix" {
  description = "The prefix every store key starts with: empty or '<prefix>/'."
  value       = local.key_prefix
}

output "remotes_arn" {
  description = "ARN pattern of every remote in the store (<bucket_arn>/<prefix>/remotes/*). A publisher needs more than this (remotes-history/, listing, the hosts' reports): use the publisher module's policies."
  value       = "${local.bucket_arn}/${local.key_prefix}remotes/*"
}

output "remotes_history_arn" {
  description = "ARN pattern of the archived remote versions (<bucket_arn>/<prefix>/remotes-history/*) that push, promote and rollback copy, list and prune."
  value       = "${local.bucket_arn}/${local.key_prefix}remotes-history/*"
}

output "hosts_arn" {
  description = "ARN pattern of every host document in the store (<bucket_arn>/<prefix>/hosts/*)."
  value       = "${local.bucket_arn}/${local.key_prefix}hosts/*"
}

output "bucket_policy_json" {
  description = "The bucket policy the module set (the TLS-only statement and policy_documents merged), or null when create_bucket is false."
  value       = var.create_bucket ? data.aws_iam_policy_document.bucket[0].json : null
}

output "kms_key_arn" {
  description = "KMS key the store encrypts with, or null for S3-managed keys (hosts then need kms:Decrypt on it)."
  value       = var.kms_key_arn
}
