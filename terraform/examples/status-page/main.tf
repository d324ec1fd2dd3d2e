# The fleet page (npc status --publish writes <prefix>/status/index.html) served through CloudFront
# with origin access control: the bucket stays private, CloudFront may read that one object and
# nothing else, and only the viewers the web ACL lets in reach it. The page has no login.
#
#   terraform apply -var bucket_name=... -var web_acl_arn=...
#   npc status --publish --store "$(terraform output -raw store_url)"    # in CI, after each rollout
#   open "$(terraform output -raw page_url)"
#
# The store module owns the bucket's one policy; the statement letting CloudFront read the page
# goes in through its policy_documents. With an SSE-KMS store key, the key's policy must also let
# cloudfront.amazonaws.com decrypt (with the same AWS:SourceArn condition).

data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
}

module "store" {
  source = "../../modules/store"

  bucket_name      = var.bucket_name
  prefix           = var.prefix
  policy_documents = [data.aws_iam_policy_document.page_read.json]
}

module "policies" {
  source = "../../modules/publisher"

  bucket_arn  = module.store.bucket_arn
  prefix      = module.store.prefix
  kms_key_arn = module.store.kms_key_arn
}

data "aws_iam_policy_document" "page_read" {
  statement {
    sid       = "CloudFrontReadsTheFleetPage"
    actions   = ["s3:GetObject"]
    resources = [local.page_arn]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.page.arn]
    }
  }
}

resource "aws_cloudfront_origin_access_control" "page" {
  name                              = substr("npc-status-${var.bucket_name}", 0, 64)
  description                       = "npc fleet page: CloudFront signs its requests for status/index.html"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

# The page declares its own Content-Security-Policy (no script, no load, its one style by hash);
# this header adds what a meta element cannot say (frame-ancestors) and both are enforced.
resource "aws_cloudfront_response_headers_policy" "page" {
  name    = substr("npc-status-${replace(var.bucket_name, ".", "-")}", 0, 128)
  comment = "npc fleet page: no script, no framing, no referrer"

  security_headers_config {
    content_security_policy {
      content_security_policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = false
      override                   = true
    }
  }
}

resource "aws_cloudfront_distribution" "page" {
  enabled             = true
  comment             = "npc fleet page of s3://${var.bucket_name}/${var.prefix}"
  default_root_object = "index.html"
  price_class         = var.price_class
  web_acl_id          = var.web_acl_arn

  origin {
    origin_id                = "store"
    domain_name              = local.bucket_domain
    origin_path              = local.origin_path
    origin_access_control_id = aws_cloudfront_origin_access_control.page.id
  }

  default_cache_behavior {
    target_origin_id           = "store"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.page.id
    compress                   = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
