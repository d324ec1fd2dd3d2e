output "host" {
  description = "The host's name in the store."
  value       = var.host
}

output "store_url" {
  description = "The store this host follows (s3://bucket/prefix), as services.npc.store must name it."
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

output "role_name" {
  description = "Name of the host's IAM role."
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

output "user_data" {
  description = "Rendered EC2 user-data: installs npc-daemon on an official NixOS AMI at first boot (see bootstrap/README.md in this module)."
  value       = local.user_data
}

output "instance_id" {
  description = "ID of the instance, when create_instance is true; otherwise null."
  value       = var.create_instance ? aws_instance.host[0].id : null
}

output "private_ip" {
  description = "Private IP of the instance, when create_instance is true; otherwise null."
  value       = var.create_instance ? aws_instance.host[0].private_ip : null
}
