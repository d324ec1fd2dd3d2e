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
  description = "ARN pattern of every remote in the store (<bucket_arn>/<prefix>/remotes/*), for publisher policies."
  value       = "${local.bucket_arn}/${local.key_prefix}remotes/*"
}

output "hosts_arn" {
  description = "ARN pattern of every host document in the store (<bucket_arn>/<prefix>/hosts/*), for admin and CI policies."
  value       = "${local.bucket_arn}/${local.key_prefix}hosts/*"
}

output "kms_key_arn" {
  description = "KMS key the store encrypts with, or null for S3-managed keys (hosts then need kms:Decrypt on it)."
  value       = var.kms_key_arn
}
