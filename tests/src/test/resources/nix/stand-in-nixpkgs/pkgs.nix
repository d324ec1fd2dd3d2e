# Stand-in packages: derivations that evaluate (so paths, wrappers, fetches and build scripts can
# be checked) but are never built. The builders npc's package uses (fetchurl, linkFarm,
# runCommand, stdenv.mkDerivation, callPackage) keep nixpkgs' interfaces and the attributes the
# real ones put on their derivations (urls and outputHash on a fetch, passthru.entries on a
# linkFarm, the phases on a mkDerivation), so the tests can read what a real build would do.
{ lib, system, overlays ? [ ] }:
let
  cannotBuild = what: [ "-c" "echo stand-in ${what} cannot be built >&2; exit 1" ];

  stub = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = cannotBuild name;
  } // { pname = name; meta.mainProgram = name; };

  # stdenv.mkDerivation: passthru and meta stay out of the derivation, as in nixpkgs.
  mkDerivation = attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      drv = derivation (removeAttrs attrs [ "passthru" "meta" ] // {
        inherit name system;
        builder = "/bin/sh";
        args = cannotBuild name;
      });
    in
    drv // (attrs.passthru or { }) // { meta = attrs.meta or { }; passthru = attrs.passthru or { }; };

  base = final: {
    inherit system lib;
    stdenv = { inherit mkDerivation; hostPlatform.system = system; };
    callPackage = fn: overrides:
      let f = if builtins.isFunction fn then fn else import fn;
      in f (builtins.intersectAttrs (builtins.functionArgs f) final // overrides);

    # A fixed-output derivation, like nixpkgs' fetchurl: its output path follows from the hash alone.
    fetchurl = { url, hash, name ? baseNameOf url }:
      assert builtins.match "sha256-[A-Za-z0-9+/]{43}=" hash != null
        || throw "stand-in fetchurl: ${url}: hash ${hash} is not an SRI sha256";
      derivation {
        inherit name system;
        builder = "/bin/sh";
        args = cannotBuild "fetchurl ${url}";
        urls = [ url ];
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = hash;
      };

    runCommand = name: env: buildCommand: mkDerivation (env // { inherit name buildCommand; });

    # nixpkgs' linkFarm: a list of { name; path; } (last one wins), each linked at its name.
    linkFarm = name: entries:
      let
        entries' = if builtins.isAttrs entries then entries
          else builtins.foldl' (acc: e: acc // { ${e.name} = e.path; }) { } entries;
      in
      final.runCommand name { passthru.entries = entries'; } ''
        mkdir -p $out
        cd $out
        ${lib.concatStringsSep "\n" (lib.mapAttrsToList (n: p: ''
          mkdir -p "$(dirname ${lib.escapeShellArg n})"
          ln -s ${lib.escapeShellArg "${p}"} ${lib.escapeShellArg n}
        '') entries')}
      '';

    nix = stub "nix";
    systemd = stub "systemd";
    git = stub "git";
    coreutils = stub "coreutils";
    findutils = stub "findutils";
    gnugrep = stub "gnugrep";
    gnused = stub "gnused";
    curl = stub "curl";
    jre_headless = stub "jre-headless";
    makeWrapper = stub "make-wrapper";
    maven = stub "maven";
    # What nixos/module.nix's tests set services.npc.package to (eval-module.nix). Real nixpkgs has
    # no npc: a host gets pkgs.npc from npc's overlay, which replaces this one.
    npc = stub "npc";
  };

  # nixpkgs' overlays: each sees the final set and the one before it.
  pkgs = builtins.foldl' (prev: overlay: prev // overlay pkgs prev) (base pkgs) overlays;
in
pkgs
