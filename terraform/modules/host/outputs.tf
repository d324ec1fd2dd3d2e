output "host" {
  description = "The host's name in the store."
  value       = var.host
}

output "store_url" {
  description = "The store this host follows (s3://bucket/prefix), as services.npc.store names it."
  value       = local.store_url
}

output "desired_key" {
  description = "Object key of the host's desired.json."
  value       = aws_s3_object.desired.key
}

output "desired_json" {
  description = "The desired.json document written for the host."
  value       = aws_s3_object.desired.content
}

output "followed_remotes" {
  description = "The remotes the host's role may read: remote and allowed_remotes."
  value       = local.followed_remotes
}

output "role_name" {
  description = "Name of the host's IAM role (and of its instance profile)."
  value       = aws_iam_role.host.name
}

output "role_arn" {
  description = "ARN of the host's IAM role."
  value       = aws_iam_role.host.arn
}

output "instance_profile_name" {
  description = "Instance profile to launch the host with (when create_instance is false)."
  value       = aws_iam_instance_profile.host.name
}

output "policy_json" {
  description = "The host's store policy, for review."
  value       = data.aws_iam_policy_document.host.json
}

output "nixpkgs" {
  description = "The locked nixpkgs flake reference the bootstrap uses (NPC_NIXPKGS), or null."
  value       = local.nixpkgs
}

output "user_data" {
  description = "Rendered EC2 user-data (bootstrap_format decides its form; see bootstrap/README.md in this module). Give it to your own instance or launch template when create_instance is false."
  value       = local.user_data

  precondition {
    condition     = local.user_data_bytes <= local.user_data_limit
    error_message = "The rendered user-data is over EC2's limit of 16384 bytes, even compressed; shorten the key and remote lists."
  }
}

output "instance_id" {
  description = "ID of the instance, when create_instance is true; otherwise null."
  value       = var.create_instance ? aws_instance.host[0].id : null
}

output "private_ip" {
  description = "Private IP of the instance, when create_instance is true; otherwise null."
  value       = var.create_instance ? aws_instance.host[0].private_ip : null
}

output "public_ip" {
  description = "Public IP of the instance, if it has one (e.g. in a default VPC subnet); otherwise null."
  value       = var.create_instance ? aws_instance.host[0].public_ip : null
}
