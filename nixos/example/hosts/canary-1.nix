# The canary: follows the remote `prod-canary` (set in Terraform), so it runs every change before
# the wave does. It polls more often so a bad change shows up quickly.
{ ... }:
{
  imports = [ ../modules/web.nix ];

  services.npc.interval = "30s";
}
