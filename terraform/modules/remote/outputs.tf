output "name" {
  description = "Name of the published remote."
  value       = var.name
}

output "key" {
  description = "Object key of the remote in the bucket."
  value       = "${local.key_prefix}remotes/${var.name}.npc"
}

output "sha256" {
  description = "The version published from here: the sha256 of the packed bytes (npc status compares hosts against the remote's current version, which a later CI push may have changed)."
  value       = terraform_data.publish.output.sha256
}

output "short_version" {
  description = "First 8 hex characters of the version, as npc prints it."
  value       = substr(terraform_data.publish.output.sha256, 0, 8)
}

output "files" {
  description = "Number of files packed."
  value       = tonumber(terraform_data.publish.output.files)
}

output "bytes" {
  description = "Size of the packed remote in bytes."
  value       = tonumber(terraform_data.publish.output.bytes)
}
