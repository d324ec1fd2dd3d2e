# A stand-in for nixpkgs, for offline checks of npc's flakes (nix flake check --override-input
# nixpkgs path:...). See lib.nix for what it checks and what it cannot.
{
  outputs = { self }: {
    lib = import ./lib.nix;
    legacyPackages = builtins.listToAttrs (map
      (system: { name = system; value = import ./pkgs.nix { inherit system; lib = self.lib; }; })
      [ "x86_64-linux" "aarch64-linux" ]);
  };
}
