# The publisher's and the admin's store permissions, computed from the variables and one fact
# about the AWS partition (local.dns_suffix, set in main.tf from a data source). Nothing here needs
# a provider: the repository's tests evaluate this file with `terraform console` and check the
# statements against the S3 requests each npc command really makes (PublisherPolicyTest).
#
# What the commands do (npc-core remote/ and fleet/):
#   push      HEAD remotes/R.npc; when it changes: copy it to remotes-history/R/<utc>-<sha8>.npc,
#             list remotes-history/R/ and delete all but the newest 10; PUT remotes/R.npc
#   promote   HEAD both remotes, archive the target as push does, copy the source over it
#   rollback  list remotes-history/R/, HEAD the versions, archive, copy one back
#   rollout   promote wave by wave, reading the fleet between waves (as wait does); PUT
#             rollouts/last.json at its start and after each wave
#   status, wait, hosts list
#             list hosts/ (every key, with its ETag), GET the hosts/H/desired.json and
#             hosts/H/state.json whose ETag is not in the local cache, list remotes/, HEAD each
#   watch     what status reads, and GET rollouts/last.json (to tell a stopped rollout)
#   status --html / --serve / --publish (the fleet page)
#             as status, plus GET rollouts/last.json, list history/H/ and GET the newest
#             records of the first hosts; --publish PUTs status/index.html
#   remotes   list remotes/, HEAD each
#   hosts set / rm [--purge] (admin only)
#             PUT or DELETE hosts/H/desired.json; --purge also DELETE state.json and list and
#             delete history/H/ and what an older npc left in hosts/H/history/

locals {
  key_prefix = var.prefix == "" ? "" : "${var.prefix}/"
  objects    = "${var.bucket_arn}/${local.key_prefix}"

  publisher_object_statements = [
    {
      sid        = "ReadRemotesAndTheirHistory"
      actions    = ["s3:GetObject"]
      resources  = ["${local.objects}remotes/*.npc", "${local.objects}remotes-history/*.npc"]
      conditions = []
    },
    {
      sid        = "PublishRemotesAndArchiveThem"
      actions    = ["s3:PutObject"]
      resources  = ["${local.objects}remotes/*.npc", "${local.objects}remotes-history/*.npc"]
      conditions = []
    },
    {
      sid        = "PruneRemotesHistory"
      actions    = ["s3:DeleteObject"]
      resources  = ["${local.objects}remotes-history/*.npc"]
      conditions = []
    },
    {
      sid        = "RecordRollouts"
      actions    = ["s3:GetObject", "s3:PutObject"]
      resources  = ["${local.objects}rollouts/last.json"]
      conditions = []
    },
    {
      sid        = "ReadHostDocuments"
      actions    = ["s3:GetObject"]
      resources  = ["${local.objects}hosts/*/desired.json", "${local.objects}hosts/*/state.json", "${local.objects}history/*.json"]
      conditions = []
    },
    {
      sid        = "PublishFleetPage"
      actions    = ["s3:PutObject"]
      resources  = ["${local.objects}status/index.html"]
      conditions = []
    },
  ]

  admin_object_statements = [
    {
      sid        = "DecideWhatHostsFollow"
      actions    = ["s3:PutObject", "s3:DeleteObject"]
      resources  = ["${local.objects}hosts/*/desired.json"]
      conditions = []
    },
    {
      sid        = "PurgeHostReports"
      actions    = ["s3:DeleteObject"]
      resources  = ["${local.objects}hosts/*/state.json", "${local.objects}history/*", "${local.objects}hosts/*/history/*"]
      conditions = []
    },
  ]

  # Listing: only the prefixes npc lists (S3 matches s3:prefix against the request's prefix).
  publisher_list_prefixes = ["${local.key_prefix}remotes/", "${local.key_prefix}remotes-history/*/", "${local.key_prefix}hosts/", "${local.key_prefix}history/*/"]
  admin_list_prefixes     = concat(local.publisher_list_prefixes, ["${local.key_prefix}hosts/*/history/"])

  unprefixed_list = var.allow_unprefixed_list ? [
    {
      sid        = "AnswerMissingObjectsWith404"
      actions    = ["s3:ListBucket"]
      resources  = [var.bucket_arn]
      conditions = [{ test = "Null", variable = "s3:prefix", values = ["true"] }]
    },
  ] : []

  kms = var.kms_key_arn == null ? [] : [
    {
      sid       = "UseStoreKeyThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
      conditions = [
        { test = "StringLike", variable = "kms:ViaService", values = ["s3.*.${local.dns_suffix}"] },
        # With S3 Bucket Keys (the store module turns them on) the context is the bucket's ARN,
        # without them the object's.
        { test = "StringLike", variable = "kms:EncryptionContext:aws:s3:arn", values = [var.bucket_arn, "${local.objects}*"] },
      ]
    },
  ]

  publisher_statements = concat(
    local.publisher_object_statements,
    [
      {
        sid        = "ListStoreKeys"
        actions    = ["s3:ListBucket"]
        resources  = [var.bucket_arn]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = local.publisher_list_prefixes }]
      },
    ],
    local.unprefixed_list,
    local.kms,
  )

  admin_statements = concat(
    local.publisher_object_statements,
    local.admin_object_statements,
    [
      {
        sid        = "ListStoreKeys"
        actions    = ["s3:ListBucket"]
        resources  = [var.bucket_arn]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = local.admin_list_prefixes }]
      },
    ],
    local.unprefixed_list,
    local.kms,
  )
}
