variable "region" {
  description = "AWS region of the store's bucket."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the store's bucket (globally unique), e.g. npc-example-<your account id>."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket: the page is <prefix>/status/index.html."
  type        = string
  default     = "fleet"
}

variable "web_acl_arn" {
  description = "ARN of an AWS WAF web ACL (scope CLOUDFRONT, made in us-east-1) that lets in only the people who may see the fleet, e.g. an IP set of your office or VPN. Required: the page has no login, and without a web ACL anyone with the URL sees every host, version and error of the fleet."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/", var.web_acl_arn))
    error_message = "web_acl_arn must be the ARN of a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)."
  }
}

variable "price_class" {
  description = "CloudFront price class: which edge locations serve the page (nothing is cached: every request reads the object)."
  type        = string
  default     = "PriceClass_100"
}
