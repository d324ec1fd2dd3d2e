output "publisher_policy_json" {
  description = "IAM policy for CI and release managers: npc push, promote, rollout, rollback, remotes, status (and its fleet page: --html, --serve, --publish), wait, watch and hosts list. It cannot change what a host follows or write a host's reports."
  value       = data.aws_iam_policy_document.publisher.json
}

output "admin_policy_json" {
  description = "IAM policy for fleet admins: the publisher's permissions plus npc hosts set and hosts rm [--purge] (write and delete desired.json, delete a host's reports)."
  value       = data.aws_iam_policy_document.admin.json
}
