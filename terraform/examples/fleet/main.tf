# A complete npc fleet: the store, one canary and a wave of web servers, and the IAM policies
# for the people and pipelines that publish to it.
#
# The order that works (README.md walks through it):
#   1. terraform apply -var bucket_name=...      store, roles, desired.json; no instances yet
#   2. npc push --src ../../.. --remote prod-canary (and prod), or publish_from_terraform = true
#   3. terraform apply -var bucket_name=... -var create_instances=true
#      each host boots, fetches its desired.json and remote, and installs what the remote holds
#
# How a change reaches the fleet afterwards:
#   npc push --src ../../.. --remote prod-canary     canary-1 builds, switches, checks, reports
#   npc wait --remote prod-canary                    exit 0 = the canary is healthy
#   npc promote prod-canary prod                     web-1 and web-2 follow within one poll
#   (or `npc rollout --from prod-canary --through prod`, which stops at a failing wave)
# Moving a host between remotes, or pausing it, is a change to var.hosts and an apply: the host's
# desired.json and IAM policy are updated in place, nothing is recreated.

module "store" {
  source = "../../modules/store"

  bucket_name   = var.bucket_name
  prefix        = var.prefix
  force_destroy = var.force_destroy
}

module "policies" {
  source = "../../modules/publisher"

  bucket_arn  = module.store.bucket_arn
  prefix      = module.store.prefix
  kms_key_arn = module.store.kms_key_arn
}

# With publish_from_terraform, every remote a host follows is published from the fleet flake.
# (In a real pipeline CI publishes prod-canary and promotes it to prod; publishing both from the
# same files here is only to have something to boot.)
module "remote" {
  source   = "../../modules/remote"
  for_each = var.publish_from_terraform ? toset([for h in values(var.hosts) : h.remote]) : toset([])

  name          = each.key
  source_dir    = var.flake_dir
  bucket_name   = module.store.bucket_name
  prefix        = module.store.prefix
  sign_key_file = var.sign_key_file
  environment   = { AWS_REGION = var.region }
}

data "aws_vpc" "default" {
  count   = var.create_instances && var.vpc_id == null ? 1 : 0
  default = true
}

# npc needs no inbound port: hosts pull. Port 80 is for the example's web servers.
resource "aws_security_group" "hosts" {
  count       = var.create_instances ? 1 : 0
  name_prefix = "npc-fleet-"
  description = "npc example fleet: HTTP in, everything out (S3, binary caches)"
  vpc_id      = var.vpc_id != null ? var.vpc_id : data.aws_vpc.default[0].id

  ingress {
    description = "HTTP"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "S3 and binary caches"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

module "host" {
  source   = "../../modules/host"
  for_each = var.hosts

  host            = each.key
  remote          = each.value.remote
  allowed_remotes = each.value.allowed_remotes
  paused          = each.value.paused
  configuration   = each.value.configuration
  action          = each.value.action
  prebuilt        = each.value.prebuilt
  bucket_name     = module.store.bucket_name
  prefix          = module.store.prefix
  kms_key_arn     = module.store.kms_key_arn
  region          = var.region

  window = each.value.window
  reboot = each.value.reboot

  remote_signing_keys = var.remote_signing_keys
  fleet_flake_lock    = file("${var.flake_dir}/flake.lock")

  create_instance    = var.create_instances
  instance_type      = each.value.instance_type
  architecture       = each.value.architecture
  subnet_id          = var.subnet_id
  security_group_ids = var.create_instances ? [aws_security_group.hosts[0].id] : []

  # A host's first boot needs its remote: with publish_from_terraform, launch after publishing.
  launch_after = [for r in module.remote : r.sha256]
}
