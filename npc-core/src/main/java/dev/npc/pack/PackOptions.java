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
 * @param plainTree     pack the directory as files on disk, never as a git work tree, whatever
 *                      {@code .git} lies in or above it: for a tree unpacked from an archive
 *                      (npc import-npcnix), whose {@code .git}, if any, came from the bucket and
 *                      must not be run by git
 */
public record PackOptions(List<String> includes, boolean allowUnlocked, SortedMap<String, String> prebuilt,
                          boolean plainTree) {
    public static final PackOptions DEFAULT = new PackOptions(List.of(), false);

    public PackOptions {
        includes = List.copyOf(includes);
        prebuilt = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(prebuilt));
    }

    public PackOptions(List<String> includes, boolean allowUnlocked, SortedMap<String, String> prebuilt) {
        this(includes, allowUnlocked, prebuilt, false);
    }

    public PackOptions(List<String> includes, boolean allowUnlocked) {
        this(includes, allowUnlocked, new TreeMap<>());
    }

    public PackOptions withPrebuilt(Map<String, String> toplevels) {
        return new PackOptions(includes, allowUnlocked, new TreeMap<>(toplevels), plainTree);
    }

    /** The same options for a directory packed as plain files, never through git ({@link #plainTree}). */
    public PackOptions asPlainTree() {
        return new PackOptions(includes, allowUnlocked, prebuilt, true);
    }
}
