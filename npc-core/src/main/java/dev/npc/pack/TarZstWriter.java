package dev.npc.pack;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;

/**
 * Writes entries as the deterministic tar + zstd stream of docs/format.md. Every field that could
 * differ between two machines packing the same files is fixed here: mtime, owner, modes, order
 * (the caller's), zstd level, worker mode and frame flags.
 */
final class TarZstWriter {
    /** Like Nix's store paths: one second after the epoch, so no tool mistakes it for "unset". */
    static final FileTime MTIME = FileTime.fromMillis(1000);
    static final int ZSTD_LEVEL = 3;
    /**
     * Stock level 3 uses a 2^17-entry hash table; 2^18 (1 MiB more memory per worker) makes
     * archives of many small text files about 0.2% smaller at the same speed, enough to stay
     * no larger than {@code tar | zstd -3} made with the zstd CLI.
     */
    static final int ZSTD_HASH_LOG = 18;
    /**
     * zstd output is the same for any worker count >= 1 but differs from single-threaded mode (0),
     * so the count may be tuned for speed without changing a single byte; 2 matches small CI hosts.
     */
    static final int ZSTD_WORKERS = 2;
    /** GNU tar's default blocking (20 records), so the archive ends like one GNU tar writes. */
    private static final int TAR_BLOCK_SIZE = 10240;
    /** Large enough that zstd's JNI boundary is crossed rarely, small enough to stay in cache. */
    private static final int BUFFER_SIZE = 1 << 17;

    private TarZstWriter() { }

    /**
     * Writes the archive to {@code out}; {@code out} is flushed, not closed.
     *
     * @return the number of files and symlinks written
     */
    static int write(EntrySource entries, OutputStream out, int workers) throws IOException, PackException {
        int files = 0;
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, ZSTD_LEVEL);
        boolean written = false;
        try {
            zstd.setWorkers(workers);
            zstd.setHashLog(ZSTD_HASH_LOG);
            zstd.setChecksum(true);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(
                    new BufferedOutputStream(new NonClosingOutputStream(zstd), BUFFER_SIZE),
                    TAR_BLOCK_SIZE, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            byte[] buffer = new byte[BUFFER_SIZE];
            for (PackEntry entry = entries.next(); entry != null; entry = entries.next()) {
                try {
                    tar.putArchiveEntry(header(entry));
                    if (entry.kind() == PackEntry.Kind.FILE) {
                        copy(entry, tar, buffer);
                    }
                    tar.closeArchiveEntry();
                } finally {
                    entry.release();
                }
                if (entry.kind() != PackEntry.Kind.DIRECTORY) {
                    files++;
                }
            }
            tar.close(); // finishes the tar stream and flushes into zstd, which NonClosingOutputStream keeps open
            written = true;
        } finally {
            closeQuietlyOnFailure(zstd, written);
        }
        out.flush();
        return files;
    }

    /** Ends the frame and frees zstd's native memory; after a failure the first error is the one that counts. */
    private static void closeQuietlyOnFailure(ZstdOutputStreamNoFinalizer zstd, boolean written) throws IOException {
        try {
            zstd.closeWithoutClosingParentStream();
        } catch (IOException e) {
            if (written) {
                throw e;
            }
        }
    }

    private static TarArchiveEntry header(PackEntry entry) {
        TarArchiveEntry header;
        switch (entry.kind()) {
            case DIRECTORY -> {
                header = new CompactTarEntry(entry.name() + "/", TarConstants.LF_DIR);
                header.setMode(0755);
            }
            case SYMLINK -> {
                header = new CompactTarEntry(entry.name(), TarConstants.LF_SYMLINK);
                header.setLinkName(entry.linkTarget());
                header.setMode(0777);
            }
            default -> {
                header = new CompactTarEntry(entry.name(), TarConstants.LF_NORMAL);
                header.setMode(entry.executable() ? 0755 : 0644);
                header.setSize(entry.size());
            }
        }
        header.setLastModifiedTime(MTIME);
        header.setIds(0, 0);
        header.setUserName("");
        header.setGroupName("");
        return header;
    }

    /**
     * Copies exactly the size recorded when the file was listed; a file that changed meanwhile is
     * refused. Asking for one byte more than expected makes a short read prove the end of the
     * file, which saves an extra read per file (most files fit in one read).
     */
    private static void copy(PackEntry entry, OutputStream tar, byte[] buffer) throws IOException, PackException {
        if (entry.content() != null) {
            tar.write(entry.content());
            return;
        }
        long remaining = entry.size();
        boolean atEnd = false;
        ByteBuffer window = ByteBuffer.wrap(buffer);
        try (SeekableByteChannel in = entry.directory() != null
                ? entry.directory().open(entry.source().getFileName())
                : Files.newByteChannel(entry.source(), LinkOption.NOFOLLOW_LINKS)) {
            while (remaining > 0) {
                int wanted = (int) Math.min(buffer.length, remaining + 1);
                window.clear().limit(wanted);
                int n = in.read(window);
                if (n < 0 || n > remaining) {
                    throw changed(entry);
                }
                tar.write(buffer, 0, n);
                remaining -= n;
                atEnd = n < wanted;
            }
            if (!atEnd && in.read(window.clear().limit(1)) > 0) {
                throw changed(entry);
            }
        }
    }

    private static PackException changed(PackEntry entry) {
        return new PackException(entry.name() + " changed while it was being packed; pack again");
    }
}
