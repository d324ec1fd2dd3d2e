output "name" {
  description = "Name of the published remote."
  value       = var.name
}

output "key" {
  description = "Object key of the remote in the bucket."
  value       = aws_s3_object.remote.key
}

output "sha256" {
  description = "The remote's version: the sha256 of the packed bytes (npc status compares hosts against it)."
  value       = local.sha256
}

output "short_version" {
  description = "First 8 hex characters of the version, as npc prints it."
  value       = substr(local.sha256, 0, 8)
}

output "files" {
  description = "Number of files packed."
  value       = tonumber(local.packed.files)
}

output "bytes" {
  description = "Size of the packed remote in bytes."
  value       = tonumber(local.packed.bytes)
}

output "version_id" {
  description = "S3 version ID of the uploaded object (versioned buckets), for restoring it later."
  value       = aws_s3_object.remote.version_id
}
