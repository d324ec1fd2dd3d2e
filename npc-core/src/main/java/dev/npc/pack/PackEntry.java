package dev.npc.pack;

import java.nio.file.Path;

/**
 * One archive entry, as found on disk and normalised.
 *
 * @param name       '/'-separated path relative to the flake directory, without trailing slash
 * @param source     the file on disk (null for directories)
 * @param kind       what the entry is
 * @param size       bytes of a regular file, else 0
 * @param executable whether the owner may execute a regular file
 * @param linkTarget the target of a symlink, else null
 */
record PackEntry(String name, Path source, Kind kind, long size, boolean executable, String linkTarget) {
    enum Kind { DIRECTORY, FILE, SYMLINK }

    static PackEntry directory(String name) {
        return new PackEntry(name, null, Kind.DIRECTORY, 0, false, null);
    }
}
