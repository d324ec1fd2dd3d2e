package dev.npc.pack;

import dev.npc.process.ProcessRunner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Packs the files a flake needs into the deterministic tar + zstd format of DESIGN.md. */
public final class Packer {
    private final ProcessRunner processes;

    /** @param processes runs git to list tracked files and read the source revision */
    public Packer(ProcessRunner processes) {
        this.processes = processes;
    }

    /** Writes the archive to {@code out} (not closed) and returns its version. */
    public PackResult pack(Path flakeDir, PackOptions options, OutputStream out) throws IOException, PackException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Writes the archive to {@code file} atomically: no partial file is left on failure. */
    public PackResult pack(Path flakeDir, PackOptions options, Path file) throws IOException, PackException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
