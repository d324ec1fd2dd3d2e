output "store_url" {
  description = "The store: pass it to npc --store and set it as services.npc.store in the fleet flake."
  value       = module.store.store_url
}

output "hosts" {
  description = "Every host with the remote it follows and its instance ID (null when instances are not created)."
  value = merge(
    { for h, m in module.canary : h => { remote = var.canary_remote, instance_id = m.instance_id, role_arn = m.role_arn } },
    { for h, m in module.wave : h => { remote = var.wave_remote, instance_id = m.instance_id, role_arn = m.role_arn } },
  )
}

output "canary_remote_version" {
  description = "Version (sha256) of the canary remote published by this stack, when publish_from_terraform is true."
  value       = var.publish_from_terraform ? module.canary_remote[0].sha256 : null
}
