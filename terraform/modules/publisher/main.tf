# IAM policies for the people and pipelines that run npc against a store: a publisher (CI:
# push, promote, rollout, rollback, status, wait) and an admin (also decides what hosts follow).
# No resources: attach the JSON outputs to the roles you already have (e.g. a CI role assumed
# through OIDC). The statements are computed in statements.tf.

data "aws_partition" "current" {}

locals {
  dns_suffix = data.aws_partition.current.dns_suffix
}

data "aws_iam_policy_document" "publisher" {
  dynamic "statement" {
    for_each = local.publisher_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

data "aws_iam_policy_document" "admin" {
  dynamic "statement" {
    for_each = local.admin_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}
