# Where the page is, computed from the variables and two facts about the AWS partition (set in
# main.tf from a data source). Nothing here needs a provider: StatusPageExampleTest evaluates it
# with `terraform console` against the key npc status --publish writes (dev.npc.store.Layout).

locals {
  origin_path = var.prefix == "" ? "/status" : "/${var.prefix}/status"
  # What the bucket policy lets CloudFront read: the page, nothing else.
  page_arn = "arn:${local.partition}:s3:::${var.bucket_name}${local.origin_path}/index.html"
  # Built from the name rather than read from the bucket: a data source would be read before the
  # bucket exists on the first apply.
  bucket_domain = "${var.bucket_name}.s3.${var.region}.${local.dns_suffix}"
}
