variable "region" {
  description = "AWS region for the bucket and the hosts."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the store's bucket (globally unique)."
  type        = string
}

variable "prefix" {
  description = "Key prefix of the store inside the bucket."
  type        = string
  default     = "fleet"
}

variable "canary_hosts" {
  description = "Hosts that follow the canary remote and get every change first."
  type        = list(string)
  default     = ["canary-1"]
}

variable "wave_hosts" {
  description = "Hosts that follow the production remote, which is promoted from the canary remote."
  type        = list(string)
  default     = ["web-1", "web-2"]
}

variable "canary_remote" {
  description = "Remote the canary hosts follow."
  type        = string
  default     = "prod-canary"
}

variable "wave_remote" {
  description = "Remote the wave hosts follow. Setting it to the canary remote and applying moves the whole wave at once; `npc promote` moves them by copying the remote instead."
  type        = string
  default     = "prod"
}

variable "paused_hosts" {
  description = "Hosts to pause: they keep what they run and apply nothing new until removed from this list."
  type        = list(string)
  default     = []
}

variable "create_instances" {
  description = "Launch the EC2 instances. False creates only the store, the desired.json documents and the IAM roles (e.g. to attach to a launch template)."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 instance type of every host."
  type        = string
  default     = "t3.small"
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

variable "publish_from_terraform" {
  description = "Publish the canary remote from this stack (modules/remote packs flake_dir with npc). Leave false when CI runs `npc push`."
  type        = bool
  default     = false
}

variable "flake_dir" {
  description = "The fleet flake to publish when publish_from_terraform is true (default: this repository, whose flake is the example fleet)."
  type        = string
  default     = "../../.."
}
