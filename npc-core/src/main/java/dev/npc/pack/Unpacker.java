package dev.npc.pack;

import dev.npc.files.Trees;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Unpacks a tar + zstd archive from an untrusted source.
 *
 * <p>Only regular files, directories and relative symlinks are created; names are checked
 * component by component, so nothing lands outside the destination, neither by {@code ..}, nor by
 * absolute names, nor through a symlink made earlier in the same archive, and link targets obey
 * {@link LinkTargets}. Bytes and entries are counted as they are written, not as headers claim;
 * metadata headers are bounded before they are read ({@link BoundedTarInputStream}), so memory
 * stays small whatever the archive holds.
 * Modes are normalised: files 0644 or 0755 (owner exec bit), directories 0755.
 */
public final class Unpacker {
    /**
     * zstd frames declare the window a reader must hold (natively, outside the heap); zstd's own
     * default ceiling is 128 MiB. 32 MiB covers every level npc and {@code tar --zstd} use.
     */
    static final int MAX_WINDOW_LOG = 25;

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
        Path target = destination.toAbsolutePath().normalize();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new PackException(destination + " already exists; remove it or unpack somewhere else");
        }
        Path parent = target.getParent();
        if (parent == null) {
            throw new PackException("cannot unpack into " + destination + "; name a directory below the root");
        }
        Files.createDirectories(parent);
        Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".unpack-");
        boolean moved = false;
        try {
            int files = extract(tarZst, temp);
            // createTempDirectory made it private (0700); the tree's root is a directory like the others
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            syncDirectories(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new PackException(destination + " appeared while unpacking; remove it or unpack somewhere else");
            }
            moved = true;
            syncDirectory(parent);
            return files;
        } finally {
            if (!moved) {
                Trees.deleteRecursively(temp);
            }
        }
    }

    /** Makes the directory entries of the unpacked tree durable, deepest first. */
    private static void syncDirectories(Path root) throws IOException {
        java.util.List<Path> directories;
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            directories = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            syncDirectory(directories.get(i));
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private int extract(InputStream tarZst, Path root) throws IOException, PackException {
        ZstdInputStreamNoFinalizer zstd;
        try {
            zstd = new ZstdInputStreamNoFinalizer(new NonClosingInputStream(tarZst));
            zstd.setLongMax(MAX_WINDOW_LOG);
        } catch (IOException e) {
            throw new PackException("cannot read the archive: " + e.getMessage());
        }
        try (zstd) {
            BoundedTarInputStream tar = BoundedTarInputStream.over(new BufferedInputStream(zstd, 1 << 17), limits);
            UnpackTree tree = new UnpackTree(root, limits, tar::metadataBytes);
            byte[] buffer = new byte[1 << 17];
            while (true) {
                TarArchiveEntry entry = nextEntry(tar);
                if (entry == null) {
                    break;
                }
                tree.add(entry, tar, buffer);
            }
            return tree.files();
        }
    }

    /** Reading errors mean a corrupt, foreign or hostile archive, which is the sender's problem, not an I/O fault here. */
    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws PackException {
        try {
            return tar.getNextEntry();
        } catch (IOException | RuntimeException e) {
            throw refusal(e, null);
        }
    }

    /**
     * The one line for an archive that cannot be read: a limit it broke, or why it is not tar + zstd.
     *
     * @param entry the entry being read, or null between entries
     */
    static PackException refusal(Exception e, String entry) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BoundedTarInputStream.Refused refused) {
                return new PackException(refused.getMessage());
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("too much memory")) {
            return new PackException("the archive's zstd frame needs a window of more than " + (1 << MAX_WINDOW_LOG >> 20)
                    + " MiB to decompress (made with zstd --long or --ultra?); npc reads frames up to that; pack it with"
                    + " npc push");
        }
        return new PackException("the archive is not a valid tar + zstd stream"
                + (entry == null ? "" : " (in '" + UnpackTree.quote(entry) + "')") + ": " + message);
    }

    private static final class NonClosingInputStream extends FilterInputStream {
        NonClosingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the caller owns the stream
        }
    }
}
