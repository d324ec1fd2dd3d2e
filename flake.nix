{
  description = "npc: pull-based provisioning of NixOS fleets through an object store";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      npcFor = pkgs: pkgs.maven.buildMavenPackage {
        pname = "npc";
        version = "0.1.0";
        src = self;

        # The hash of the Maven dependencies fetched for the build. It is a placeholder: the first
        # `nix build` fails with "hash mismatch ... got: sha256-..."; put that value here. Update it
        # whenever a dependency in a pom.xml changes.
        mvnHash = lib.fakeHash;
        mvnParameters = "-DskipTests";
        # The test suite starts an S3 server and runs stand-in tools; CI runs it, the package build doesn't.
        doCheck = false;

        nativeBuildInputs = [ pkgs.makeWrapper ];

        # Each program is a thin jar plus its lib/ directory (see the poms); the wrappers run them
        # on a headless JRE. NPC_JAVA_OPTS replaces the default JVM options (the NixOS module sets it).
        installPhase = ''
          runHook preInstall
          for program in npc-cli:npc npc-daemon:npc-daemon; do
            module=''${program%%:*}; name=''${program##*:}
            mkdir -p $out/share/npc/$module
            cp $module/target/$module.jar $out/share/npc/$module/
            cp -r $module/target/lib $out/share/npc/$module/
            makeWrapper ${pkgs.jre_headless}/bin/java $out/bin/$name \
              --add-flags "\''${NPC_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto}" \
              --add-flags "-jar $out/share/npc/$module/$module.jar"
          done
          runHook postInstall
        '';

        meta = {
          description = "Pull-based provisioning of NixOS fleets through an object store";
          license = lib.licenses.asl20;
          mainProgram = "npc";
          platforms = lib.platforms.linux;
        };
      };
    in
    {
      packages = forAllSystems (pkgs: rec {
        npc = npcFor pkgs;
        default = npc;
      });

      apps = forAllSystems (pkgs: {
        npc = { type = "app"; program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.npc}/bin/npc"; };
        npc-daemon = { type = "app"; program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.npc}/bin/npc-daemon"; };
        default = self.apps.${pkgs.stdenv.hostPlatform.system}.npc;
      });

      # services.npc, with the package defaulting to this flake's build of npc.
      nixosModules.default = { pkgs, lib, ... }: {
        imports = [ ./nixos/module.nix ];
        services.npc.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.npc;
      };
      nixosModules.npc = self.nixosModules.default;
    };
}
