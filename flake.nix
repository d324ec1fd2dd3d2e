{
  description = "npc: pull-based provisioning of NixOS fleets through an object store";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The example fleet (nixos/example): one configuration per host, named as desired.json's
      # "configuration" names it (by default the host name).
      exampleHost = name: lib.nixosSystem {
        modules = [
          self.nixosModules.default
          ./nixos/example/modules/common.nix
          (./nixos/example/hosts + "/${name}.nix")
          { networking.hostName = name; }
        ];
      };
    in
    {
      # pkgs.npc, built by nix/package.nix from nix/maven-lock.json with the nixpkgs it is applied to.
      overlays.default = final: prev: {
        npc = final.callPackage ./nix/package.nix { };
      };

      packages = forAllSystems (pkgs: rec {
        npc = pkgs.callPackage ./nix/package.nix { };
        default = npc;
      });

      apps = forAllSystems (pkgs:
        let npc = self.packages.${pkgs.stdenv.hostPlatform.system}.npc;
        in {
          npc = { type = "app"; program = "${npc}/bin/npc"; };
          npc-daemon = { type = "app"; program = "${npc}/bin/npc-daemon"; };
          default = { type = "app"; program = "${npc}/bin/npc"; };
        });

      # services.npc, with pkgs.npc from this flake's overlay (built with the host's own nixpkgs),
      # which the module's package option defaults to.
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nixos/module.nix ];
        nixpkgs.overlays = [ self.overlays.default ];
        services.npc.package = lib.mkDefault pkgs.npc;
      };
      nixosModules.npc = self.nixosModules.default;

      # The example fleet is this flake: `npc push --src .` from a checkout publishes canary-1,
      # web-1 and web-2 with exactly this checkout's npc, pinned by this flake.lock.
      nixosConfigurations = lib.genAttrs [ "canary-1" "web-1" "web-2" ] exampleHost;
    };
}
