package dev.npc.pack;

import dev.npc.digest.Sha256Digest;
import dev.npc.process.ProcessRunner;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Packs the files a flake needs into the deterministic tar + zstd format of docs/format.md.
 *
 * <p>Which files: inside a git work tree, the files git tracks under the flake directory that
 * exist on disk (what Nix copies for a git flake; submodules are left out, as Nix does without
 * {@code ?submodules=1}); outside git, every file except {@code .git}, {@code .direnv/},
 * {@code result}/{@code result-*} symlinks and the patterns of {@code .npcignore} (see
 * {@link NpcIgnore} for the supported subset). {@link PackOptions#includes()} narrows either list
 * to the named directories plus flake.nix and flake.lock.
 *
 * <p>The bytes depend only on paths, contents, the owner's exec bit and symlink targets: entries
 * are sorted by the bytes of their path, mtime is 1 (1970-01-01T00:00:01Z), owner 0/0 with empty
 * names, modes 0644/0755 for files and 0755 for directories, zstd level 3 with a fixed worker mode.
 */
public final class Packer {
    private final ProcessRunner processes;
    private final int zstdWorkers;

    /** @param processes runs git to list tracked files and read the source revision */
    public Packer(ProcessRunner processes) {
        this(processes, TarZstWriter.ZSTD_WORKERS);
    }

    /** For tests proving the bytes do not depend on the worker count (any count >= 1). */
    Packer(ProcessRunner processes, int zstdWorkers) {
        if (zstdWorkers < 1) {
            throw new IllegalArgumentException("zstd workers must be >= 1: 0 selects a different frame layout");
        }
        this.processes = processes;
        this.zstdWorkers = zstdWorkers;
    }

    /** Writes the archive to {@code out} (not closed) and returns its version. */
    public PackResult pack(Path flakeDir, PackOptions options, OutputStream out) throws IOException, PackException {
        return pack(flakeDir, options, out, Set.of());
    }

    /** Writes the archive to {@code file} atomically: no partial file is left on failure. */
    public PackResult pack(Path flakeDir, PackOptions options, Path file) throws IOException, PackException {
        Path target = file.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new PackException("cannot write " + file + ": directory " + parent + " does not exist; create it first");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new PackException("cannot write " + file + ": it is a directory; name a file");
        }
        Path realTarget = parent.toRealPath().resolve(target.getFileName());
        // Not UUID.randomUUID or Files.createTempFile: their SecureRandom sets up the JDK's security
        // providers (90 classes, /dev/urandom), a cost of its own in a one-shot pack. CREATE_NEW
        // below refuses any file already there, so the name only has to be unlikely to clash.
        Path temp = parent.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        boolean moved = false;
        try {
            // No fsync: the archive is reproducible from its sources, so after a crash packing again
            // gives the same bytes. What matters is that no reader ever sees a partial archive under
            // the final name, which the rename guarantees.
            PackResult result;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 17)) {
                result = pack(flakeDir, options, out, Set.of(realTarget, parent.toRealPath().resolve(temp.getFileName())));
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            return result;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private PackResult pack(Path flakeDir, PackOptions options, OutputStream out, Set<Path> excluded)
            throws IOException, PackException {
        if (!Files.isDirectory(flakeDir)) {
            throw new PackException(flakeDir + " is not a directory; point at the directory that holds flake.nix");
        }
        Path root = flakeDir.toRealPath();
        FlakeFiles.Selection selection = FlakeFiles.select(processes, root, options, excluded);
        // npc's own SHA-256: the JDK's is slow where only C1 compiles (bin/jvm.options), see Sha256Digest
        MessageDigest digest = new Sha256Digest();
        int files;
        long bytes;
        try (EntrySource entries = GeneratedEntries.of(selection.entries(), options);
             BackgroundHashing hashed = new BackgroundHashing(out, digest)) {
            files = TarZstWriter.write(entries, hashed, zstdWorkers);
            hashed.finish();
            bytes = hashed.count();
        }
        return new PackResult(HexFormat.of().formatHex(digest.digest()), files, bytes, selection.sourceRev());
    }
}
