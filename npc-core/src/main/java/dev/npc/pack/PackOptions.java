package dev.npc.pack;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * @param includes      top-level directories to keep (plus flake.nix and flake.lock); empty = all
 * @param allowUnlocked pack without flake.lock (hosts may then build different systems)
 * @param prebuilt      configuration name to pre-built toplevel store path, written into the
 *                      archive as {@value Prebuilt#PATH}; empty = none
 */
public record PackOptions(List<String> includes, boolean allowUnlocked, SortedMap<String, String> prebuilt) {
    public static final PackOptions DEFAULT = new PackOptions(List.of(), false);

    public PackOptions {
        includes = List.copyOf(includes);
        prebuilt = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(prebuilt));
    }

    public PackOptions(List<String> includes, boolean allowUnlocked) {
        this(includes, allowUnlocked, new TreeMap<>());
    }

    public PackOptions withPrebuilt(Map<String, String> toplevels) {
        return new PackOptions(includes, allowUnlocked, new TreeMap<>(toplevels));
    }
}
