variable "region" {
  description = "AWS region for the bucket and the hosts."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the store's bucket (globally unique), e.g. npc-example-<your account id>."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket."
  type        = string
  default     = "fleet"
}

variable "hosts" {
  description = "The fleet: host name => the remote it follows and how it runs. Moving a host to another remote, pausing it or changing its settings updates it in place (its desired.json and IAM policy); only removing it destroys it. A host's configuration is nixosConfigurations.<name> of the fleet flake unless configuration is set."
  type = map(object({
    remote          = string
    allowed_remotes = optional(list(string), [])
    paused          = optional(bool, false)
    configuration   = optional(string)
    action          = optional(string)
    prebuilt        = optional(string)
    window          = optional(string)
    reboot          = optional(string)
    instance_type   = optional(string, "t3.small")
    architecture    = optional(string, "x86_64")
  }))
  default = {
    canary-1 = { remote = "prod-canary" }
    web-1    = { remote = "prod", allowed_remotes = ["prod-canary"] }
    web-2    = { remote = "prod", allowed_remotes = ["prod-canary"] }
  }

  validation {
    condition     = alltrue([for h in keys(var.hosts) : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", h)) && !can(regex("\\.\\.", h))])
    error_message = "Every host name must be 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit, without '..'."
  }
}

variable "create_instances" {
  description = "Launch the EC2 instances. Leave false for the first apply, publish the remotes the hosts follow (npc push, or publish_from_terraform), then apply again with true: a host's first boot installs what its remote holds."
  type        = bool
  default     = false
}

variable "remote_signing_keys" {
  description = "Public keys (npc-ed25519-public:..., from npc keys generate) whose signatures the hosts' first activation requires. Empty accepts unsigned remotes."
  type        = list(string)
  default     = []
}

variable "flake_dir" {
  description = "The fleet flake, relative to this directory: the repository's root flake, whose nixosConfigurations are canary-1, web-1 and web-2. Its flake.lock pins the nixpkgs the bootstrap uses."
  type        = string
  default     = "../../.."
}

variable "publish_from_terraform" {
  description = "Publish the remotes the hosts follow from this stack (modules/remote runs npc pack at plan and npc push at apply; npc must be on PATH). Leave false when CI runs npc push."
  type        = bool
  default     = false
}

variable "sign_key_file" {
  description = "Private key file that signs the remotes this stack publishes (publish_from_terraform); null publishes unsigned."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Subnet for the hosts; null uses the default VPC."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of subnet_id, for the hosts' security group; null uses the default VPC."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with everything in it. True because this is an example to try and throw away; a real fleet keeps the store module's default (false)."
  type        = bool
  default     = true
}
