# Evaluates nixos/module.nix with the stand-in module system and returns what the tests assert:
#   nix-instantiate --eval --strict --json eval-module.nix --argstr module /abs/nixos/module.nix \
#     --arg settings '{ services.npc = { enable = true; store = "s3://b/p"; }; }'
# services.npc.package is left to its default (lib.mkPackageOption pkgs "npc": the stand-in pkgs.npc).
{ module, settings, hostName ? "web-1", spansFile ? null, windowsFile ? null }:
let
  lib = import ./stand-in-nixpkgs/lib.nix;
  pkgs = import ./stand-in-nixpkgs/pkgs.nix { inherit lib; system = "x86_64-linux"; };
  modulePath = /. + module;
  evaluated = lib.evalModules {
    modules = [
      ./stand-in-nixpkgs/nixos/modules/base.nix
      modulePath
      { networking.hostName = hostName; }
      settings
    ];
    specialArgs = { inherit pkgs; };
  };
  config = evaluated.config;
  systemd = config.systemd or { };
  service = (systemd.services or { }).npc or null;
  watchService = (systemd.services or { }).npc-watch or null;
  # The module's own top level, for what the stand-in module system does not collect (meta).
  moduleTop = import modulePath { inherit config lib pkgs; options = evaluated.options; };
  intervalType = evaluated.options.services.npc.interval.type;
  windowType = evaluated.options.services.npc.window.type;
  # The paths of services.npc's options (["healthChecks" "urls"]...), to hold against daemon-flags.nix.
  optionPaths = prefix: set: builtins.concatMap
    (name:
      let value = set.${name}; in
      if (value._type or null) == "option" then [ (prefix ++ [ name ]) ]
      else if builtins.isAttrs value then optionPaths (prefix ++ [ name ]) value
      else [ ])
    (builtins.attrNames set);
in
{
  package = "${pkgs.npc}";
  packageDefaultText = evaluated.options.services.npc.package.defaultText.text or null;
  inherit service;
  unitText = if service == null then null else import ./stand-in-nixpkgs/nixos/lib/systemd-unit.nix { inherit lib pkgs; } service;
  inherit watchService;
  watchUnitText = if watchService == null then null else import ./stand-in-nixpkgs/nixos/lib/systemd-unit.nix { inherit lib pkgs; } watchService;
  timer = (systemd.timers or { }).npc or null;
  tmpfiles = (systemd.tmpfiles or { }).rules or [ ];
  nixSettings = (config.nix or { }).settings or { };
  systemPackages = map (p: p.name) config.environment.systemPackages;
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  meta = moduleTop.meta or null;
  optionTypes = {
    metricsPath = evaluated.options.services.npc.metrics.path.type.name;
    environmentFile = evaluated.options.services.npc.environmentFile.type.name;
  };
  # Which option becomes which daemon flag (the module's one list), and every option there is.
  daemonFlags = import (dirOf modulePath + "/daemon-flags.nix");
  options = optionPaths [ ] evaluated.options.services.npc;
  # The time-span table shared with the daemon's parser: which texts the module's type accepts.
  spans = if spansFile == null then null
    else map (row: { inherit (row) text; accepted = intervalType.check row.text; })
      (builtins.fromJSON (builtins.readFile spansFile)).spans;
  # The maintenance-window table shared with the daemon and Terraform: which texts the module's type accepts.
  windows = if windowsFile == null then null
    else map (row: { inherit (row) text; accepted = windowType.check row.text; })
      (builtins.fromJSON (builtins.readFile windowsFile)).windows;
}
