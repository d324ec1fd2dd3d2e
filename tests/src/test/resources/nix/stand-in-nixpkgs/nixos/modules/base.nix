# The few NixOS options that npc's module and the example read, with NixOS's defaults.
{ lib, pkgs, ... }:
{
  options = {
    assertions = lib.mkOption { type = lib.types.listOf (lib.types.attrsOf lib.types.anything); default = [ ]; };
    warnings = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
    networking.hostName = lib.mkOption { type = lib.types.str; default = "nixos"; };
    nix.package = lib.mkOption { type = lib.types.package; default = pkgs.nix; };
    systemd.package = lib.mkOption { type = lib.types.package; default = pkgs.systemd; };
    system.stateVersion = lib.mkOption { type = lib.types.str; default = "25.05"; };
    nixpkgs.hostPlatform = lib.mkOption { type = lib.types.nullOr lib.types.str; default = null; };
    nixpkgs.overlays = lib.mkOption { type = lib.types.listOf lib.types.anything; default = [ ]; };
    environment.systemPackages = lib.mkOption { type = lib.types.listOf lib.types.package; default = [ ]; };
  };
}
