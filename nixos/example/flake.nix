{
  description = "Example fleet for npc: canary-1 gets every change first, then the wave web-1 and web-2";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

    # The npc NixOS module (services.npc) and the npc-daemon package come in as a pinned flake
    # input, not as `path:../..`: `npc pack` packs only this directory, so a path input that
    # points outside it would not exist on the host that unpacks the remote (and npc refuses to
    # pack it). Pinning it in flake.lock also means every host builds the same daemon.
    npc = {
      url = "github:npc-dev/npc";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, npc }:
    let
      # One configuration per host; the attribute name is what desired.json's "configuration"
      # names (it defaults to the host name).
      host = name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [
          npc.nixosModules.default
          ./modules/common.nix
          (./hosts + "/${name}.nix")
          { networking.hostName = name; }
        ];
      };
    in
    {
      nixosConfigurations = nixpkgs.lib.genAttrs [ "canary-1" "web-1" "web-2" ] host;
    };
}
