# Shared by every host of the fleet: the EC2 image settings and the npc daemon.
{ config, lib, modulesPath, ... }:
{
  # Official NixOS AMIs are built from this module; importing it keeps the host bootable on EC2
  # (disk layout, console, metadata-based SSH keys).
  imports = [ "${modulesPath}/virtualisation/amazon-image.nix" ];

  services.npc = {
    enable = true;
    # Must match the store the Terraform stack created (terraform/examples/fleet output store_url).
    store = "s3://example-npc-fleet/fleet";
    region = "eu-west-1";
    # host defaults to networking.hostName, which flake.nix sets to the configuration's name;
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
