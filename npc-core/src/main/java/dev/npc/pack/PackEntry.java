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
 * @param directory  the open directory to read a regular file through, or null to open {@code source}
 * @param content    the bytes of a file npc generates (no {@code source}), else null
 */
record PackEntry(String name, Path source, Kind kind, long size, boolean executable, String linkTarget,
                 OpenDirectory directory, byte[] content) {
    enum Kind { DIRECTORY, FILE, SYMLINK }

    static PackEntry directory(String name) {
        return new PackEntry(name, null, Kind.DIRECTORY, 0, false, null, null, null);
    }

    /** A file npc writes into the archive itself, such as .npc/prebuilt.json. */
    static PackEntry generated(String name, byte[] content) {
        return new PackEntry(name, null, Kind.FILE, content.length, false, null, null, content.clone());
    }

    /** This file, to be read through {@code dir}, which it holds open until {@link #release()}. */
    PackEntry readThrough(OpenDirectory dir) {
        return kind == Kind.FILE && dir != null
                ? new PackEntry(name, source, kind, size, executable, linkTarget, dir.retain(), content)
                : this;
    }

    /** Lets go of the open directory, once the file has been read (or will never be). */
    void release() {
        if (directory != null) {
            directory.release();
        }
    }
}
