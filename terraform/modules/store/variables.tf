variable "bucket_name" {
  description = "Name of the S3 bucket that holds the store (created unless create_bucket is false)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters from a-z, 0-9, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "create_bucket" {
  description = "Create the bucket. Set to false to use an existing bucket; its encryption, versioning, public access block and lifecycle are then left to you."
  type        = bool
  default     = true
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket, without leading or trailing '/'; empty puts the store at the bucket's root."
  type        = string
  default     = "fleet"

  validation {
    condition     = var.prefix == "" || can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.prefix))
    error_message = "prefix must be empty or segments of [A-Za-z0-9._-] joined by '/', with no leading or trailing '/'."
  }
}

variable "history_hosts" {
  description = "Hosts whose records under the old prefix hosts/<host>/history/ (written by npc before activation records moved to history/<host>/) expire after history_retention_days. S3 lifecycle filters match literal key prefixes (no wildcards), so each host gets its own rule. Not needed for a store npc has only written history/ to: that prefix always expires."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for h in var.history_hosts : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", h)) && !can(regex("\\.\\.", h))])
    error_message = "Every history_hosts entry must be a host name of 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit, without '..'."
  }

  validation {
    condition     = length(var.history_hosts) <= 990
    error_message = "S3 allows 1000 lifecycle rules per bucket; keep history_hosts to 990 or fewer."
  }
}

variable "history_retention_days" {
  description = "Days after which a host's activation history records (history/<host>/) are deleted."
  type        = number
  default     = 90

  validation {
    condition     = var.history_retention_days >= 1 && floor(var.history_retention_days) == var.history_retention_days
    error_message = "history_retention_days must be a whole number of days, at least 1."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced version of an object (an older remote, desired or state) is kept, so a bad publish can be restored; then it is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && floor(var.noncurrent_version_retention_days) == var.noncurrent_version_retention_days
    error_message = "noncurrent_version_retention_days must be a whole number of days, at least 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption (aws:kms), as a key ARN (not an alias: IAM grants on an alias do not authorise the key). Null uses S3-managed keys (AES256), which need no extra permission on hosts."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || !can(regex("^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias/", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn is an alias ARN; IAM grants on an alias do not authorise the key. Give the key's ARN (data \"aws_kms_alias\" gives it as target_key_arn)."
  }

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (a UUID, or mrk-... for a multi-Region key)."
  }
}

variable "remotes_history_retention_days" {
  description = "Days after which an archived remote version (remotes-history/, what npc rollback puts back) is deleted; npc keeps the newest 10 per remote anyway. Null keeps them until npc prunes them."
  type        = number
  default     = 90

  validation {
    condition     = var.remotes_history_retention_days == null || try(var.remotes_history_retention_days >= 1 && floor(var.remotes_history_retention_days) == var.remotes_history_retention_days, false)
    error_message = "remotes_history_retention_days must be a whole number of days, at least 1, or null."
  }
}

variable "policy_documents" {
  description = "More bucket policy documents (JSON, e.g. from aws_iam_policy_document) merged into the bucket's policy, which always refuses plain-HTTP access. A statement with the Sid DenyInsecureTransport is replaced by the module's."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for d in var.policy_documents : can(jsondecode(d).Statement)])
    error_message = "Every policy_documents entry must be a JSON IAM policy document with a Statement."
  }
}

variable "access_log_bucket" {
  description = "Bucket that receives this bucket's S3 server access logs (it must allow the logging.s3.amazonaws.com service to write); null turns access logging off."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.access_log_bucket, "x")))
    error_message = "access_log_bucket must be a valid S3 bucket name, or null."
  }
}

variable "access_log_prefix" {
  description = "Key prefix of the access logs in access_log_bucket; null uses s3-access/<bucket_name>/."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_prefix == null || can(regex("^[A-Za-z0-9!_.*'()/-]*/$", coalesce(var.access_log_prefix, "x")))
    error_message = "access_log_prefix must be a key prefix ending in '/', or null."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the bucket with every object and version in it. Keep false for a real fleet: set it only in throwaway stacks such as the example."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
