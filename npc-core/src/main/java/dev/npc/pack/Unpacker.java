package dev.npc.pack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Unpacks a tar + zstd archive from an untrusted source. */
public final class Unpacker {
    private final UnpackLimits limits;

    public Unpacker(UnpackLimits limits) {
        this.limits = limits;
    }

    /**
     * Unpacks into a temporary sibling of {@code destination}, then renames it into place, so
     * {@code destination} either holds the whole archive or does not exist.
     *
     * @return the number of files and symlinks created
     * @throws PackException when the archive is hostile or malformed; nothing is left behind
     */
    public int unpack(InputStream tarZst, Path destination) throws IOException, PackException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
