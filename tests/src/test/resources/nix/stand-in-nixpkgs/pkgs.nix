# Stand-in packages: derivations that evaluate (so paths and wrappers can be checked) but are
# never built.
{ lib, system }:
let
  stub = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "echo stand-in package ${name} cannot be built >&2; exit 1" ];
  } // { pname = name; meta.mainProgram = name; };
  self = {
    inherit system;
    stdenv.hostPlatform.system = system;
    nix = stub "nix";
    systemd = stub "systemd";
    git = stub "git";
    coreutils = stub "coreutils";
    findutils = stub "findutils";
    gnugrep = stub "gnugrep";
    gnused = stub "gnused";
    curl = stub "curl";
    npc = stub "npc";
    jre_headless = stub "jre-headless";
    makeWrapper = stub "make-wrapper";
    maven.buildMavenPackage = args:
      assert args ? mvnHash && args ? src && args ? installPhase;
      derivation {
        name = "${args.pname}-${args.version}";
        inherit system;
        inherit (args) installPhase;
        builder = "/bin/sh";
        args = [ "-c" "echo stand-in buildMavenPackage cannot build >&2; exit 1" ];
      } // { inherit (args) pname version; meta = args.meta or { }; };
  };
in
self
