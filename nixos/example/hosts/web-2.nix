# A host of the wave: follows the remote `prod` (set in Terraform), which is promoted from
# `prod-canary` once the canary reports success.
{ ... }:
{
  imports = [ ../modules/web.nix ];
}
