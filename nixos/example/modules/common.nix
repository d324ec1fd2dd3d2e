# Shared by every host of the fleet: the EC2 image settings and the npc daemon.
{ config, lib, modulesPath, ... }:
{
  # Official NixOS AMIs are built from this module; importing it keeps the host bootable on EC2
  # (disk layout, console, metadata-based SSH keys).
  imports = [ "${modulesPath}/virtualisation/amazon-image.nix" ];

  services.npc = {
    enable = true;
    # store, host and region are left to what the first boot recorded: Terraform gives the store and
    # the host's name to the bootstrap, which passes them to `npc-daemon install`, and the SDK finds
    # the region from instance metadata. Nothing here names a bucket.
    # interval defaults to 60s (hosts/canary-1.nix polls faster).
    # A switch only counts as good when the host still answers; otherwise npc rolls back.
    healthChecks.commands = [ "systemctl is-system-running --wait" ];
  };

  # Hosts build their own configuration from the packed flake.
  nix.settings.experimental-features = [ "nix-command" "flakes" ];

  # EC2 x86_64 instances; an arm64 host sets "aarch64-linux" in its hosts/<name>.nix.
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";

  system.stateVersion = "25.05";
}
