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
  description = "Hosts whose hosts/<host>/history/ records expire after history_retention_days. S3 lifecycle filters match key prefixes, not wildcards, so each host gets its own rule (at most 990)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for h in var.history_hosts : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", h))])
    error_message = "Every history_hosts entry must be a host name of 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit."
  }

  validation {
    condition     = length(var.history_hosts) <= 990
    error_message = "S3 allows 1000 lifecycle rules per bucket; keep history_hosts to 990 or fewer."
  }
}

variable "history_retention_days" {
  description = "Days after which a host's activation history records are deleted."
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
  description = "KMS key for server-side encryption (aws:kms). Null uses S3-managed keys (AES256), which need no extra permission on hosts."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:...) or null."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds objects. Keep false for a real fleet."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
