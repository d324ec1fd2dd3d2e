package dev.npc.pack;

import java.util.List;

/**
 * @param includes      top-level directories to keep (plus flake.nix and flake.lock); empty = all
 * @param allowUnlocked pack without flake.lock (hosts may then build different systems)
 */
public record PackOptions(List<String> includes, boolean allowUnlocked) {
    public static final PackOptions DEFAULT = new PackOptions(List.of(), false);

    public PackOptions {
        includes = List.copyOf(includes);
    }
}
