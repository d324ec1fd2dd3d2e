output "store_url" {
  description = "The store: export NPC_STORE=<this> for npc, and the hosts' services.npc.store."
  value       = module.store.store_url
}

output "bucket_name" {
  description = "Name of the store's bucket."
  value       = module.store.bucket_name
}

output "hosts" {
  description = "Every host: the remote it follows, whether it is paused, its IAM role and, once created, its instance and addresses."
  value = { for name, h in module.host : name => {
    remote      = var.hosts[name].remote
    paused      = var.hosts[name].paused
    role_name   = h.role_name
    instance_id = h.instance_id
    private_ip  = h.private_ip
    public_ip   = h.public_ip
  } }
}

output "publisher_policy_json" {
  description = "IAM policy to attach to CI's role: npc push, promote, rollout, rollback, status and wait on this store."
  value       = module.policies.publisher_policy_json
}

output "admin_policy_json" {
  description = "IAM policy for fleet admins: the publisher's permissions plus npc hosts set / rm."
  value       = module.policies.admin_policy_json
}

output "nixpkgs" {
  description = "The nixpkgs the hosts' bootstrap builds its tools from: the fleet flake.lock's nixpkgs, as a locked flake reference."
  value       = one(distinct([for h in module.host : h.nixpkgs]))
}

output "published" {
  description = "Versions published by this stack (publish_from_terraform): remote => sha256."
  value       = { for name, r in module.remote : name => r.sha256 }
}
