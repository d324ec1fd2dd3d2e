# A complete npc fleet: the store, one canary and a wave of web servers.
#
# How a change reaches the fleet:
#   1. CI (or this stack, with publish_from_terraform) publishes the flake to the canary remote:
#        export NPC_STORE=<store_url>
#        npc push --src . --remote prod-canary        (from the top of the checkout)
#   2. canary-1 follows prod-canary: it builds, switches, runs its health checks, and reports
#      success or a rollback in hosts/canary-1/state.json. Wait for it (exit 0 = healthy):
#        npc wait --remote prod-canary
#   3. Promote: copy the canary's version to the wave's remote,
#        npc promote prod-canary prod
#      and web-1, web-2 follow within one poll interval. `npc status` shows every host's version.
#      `npc rollout --from prod-canary --through prod` does 2 and 3 and stops at a failing wave.
#
#   Promotion can also be done here: set wave_remote = "prod-canary" and apply, which rewrites
#   the wave's desired.json; setting it back to "prod" later pins the wave again. Pausing a host
#   (paused_hosts) stops it taking anything new while keeping it running.

module "store" {
  source = "../../modules/store"

  bucket_name   = var.bucket_name
  prefix        = var.prefix
  history_hosts = concat(var.canary_hosts, var.wave_hosts)
}

module "canary_remote" {
  source = "../../modules/remote"
  count  = var.publish_from_terraform ? 1 : 0

  name        = var.canary_remote
  source_dir  = var.flake_dir
  bucket_name = module.store.bucket_name
  prefix      = module.store.prefix
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

module "canary" {
  source   = "../../modules/host"
  for_each = toset(var.canary_hosts)

  host        = each.key
  remote      = var.canary_remote
  paused      = contains(var.paused_hosts, each.key)
  bucket_name = module.store.bucket_name
  prefix      = module.store.prefix
  kms_key_arn = module.store.kms_key_arn

  create_instance    = var.create_instances
  instance_type      = var.instance_type
  subnet_id          = var.subnet_id
  security_group_ids = var.create_instances ? [aws_security_group.hosts[0].id] : []
}

module "wave" {
  source   = "../../modules/host"
  for_each = toset(var.wave_hosts)

  host        = each.key
  remote      = var.wave_remote
  paused      = contains(var.paused_hosts, each.key)
  bucket_name = module.store.bucket_name
  prefix      = module.store.prefix
  kms_key_arn = module.store.kms_key_arn

  create_instance    = var.create_instances
  instance_type      = var.instance_type
  subnet_id          = var.subnet_id
  security_group_ids = var.create_instances ? [aws_security_group.hosts[0].id] : []
}
