variable "bucket_arn" {
  description = "ARN of the store's bucket (the store module's bucket_arn output)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN, e.g. arn:aws:s3:::my-fleet (the store module's bucket_arn output)."
  }
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket, without leading or trailing '/' (the store module's prefix output); empty for the bucket root."
  type        = string
  default     = "fleet"

  validation {
    condition     = var.prefix == "" || can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.prefix))
    error_message = "prefix must be empty or segments of [A-Za-z0-9._-] joined by '/', with no leading or trailing '/'."
  }
}

variable "kms_key_arn" {
  description = "KMS key the store is encrypted with (the store module's kms_key_arn output), or null: the policies may then use it through S3 for this bucket only. A key ARN, not an alias."
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

variable "allow_unprefixed_list" {
  description = "Also allow s3:ListBucket when a request names no prefix. S3 consults exactly that permission to answer 404 rather than 403 for an object that does not exist, and npc relies on the 404: a first push to a new remote, a promote to a new wave, the status of a host that never reported. The price: the role can list every key name in the bucket. Keep true on a bucket that holds only the store; on a shared bucket, false keeps listing to the store's prefixes and those commands then fail with 'access denied'."
  type        = bool
  default     = true
}
