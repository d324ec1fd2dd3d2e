output "page_url" {
  description = "Where the fleet page is served, once npc status --publish has written it."
  value       = "https://${aws_cloudfront_distribution.page.domain_name}/"
}

output "store_url" {
  description = "The store as npc names it (npc status --publish --store ...)."
  value       = module.store.store_url
}

output "publisher_policy_json" {
  description = "IAM policy for whoever runs npc status --publish (CI): the publisher module's, which grants the PUT of status/index.html."
  value       = module.policies.publisher_policy_json
}
