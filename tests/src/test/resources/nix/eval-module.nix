# Evaluates nixos/module.nix with the stand-in module system and returns what the tests assert:
#   nix-instantiate --eval --strict --json eval-module.nix --argstr module /abs/nixos/module.nix \
#     --arg settings '{ services.npc = { enable = true; store = "s3://b/p"; }; }'
{ module, settings, hostName ? "web-1" }:
let
  lib = import ./stand-in-nixpkgs/lib.nix;
  pkgs = import ./stand-in-nixpkgs/pkgs.nix { inherit lib; system = "x86_64-linux"; };
  evaluated = lib.evalModules {
    modules = [
      ./stand-in-nixpkgs/nixos/modules/base.nix
      (/. + module)
      { networking.hostName = hostName; services.npc.package = pkgs.npc; }
      settings
    ];
    specialArgs = { inherit pkgs; };
  };
  config = evaluated.config;
  systemd = config.systemd or { };
in
{
  package = "${pkgs.npc}";
  service = (systemd.services or { }).npc or null;
  timer = (systemd.timers or { }).npc or null;
  tmpfiles = (systemd.tmpfiles or { }).rules or [ ];
  nixSettings = (config.nix or { }).settings or { };
  systemPackages = map (p: p.name) config.environment.systemPackages;
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
}
