package dev.npc.pack;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.npc.files.CacheDirectory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;

/**
 * Writes entries as the deterministic tar + zstd stream of docs/format.md. Every field that could
 * differ between two machines packing the same files is fixed here: mtime, owner, modes, order
 * (the caller's), zstd level, worker mode and frame flags.
 *
 * <p>Headers and file contents go straight into one buffer that is handed to zstd when full
 * ({@link TarHeaders} writes the headers): a tar stream object per entry, as Commons Compress
 * has, cost more CPU than compressing the files in a one-shot JVM that never gets it compiled.
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
     * The rest of level 3's parameters (zstd's table for inputs of unknown size: window 2^21, chain
     * 2^16, search log 1, minimum match 5, strategy dfast) and of its multi-threaded layout (jobs of
     * 2^23 bytes, overlap log 6), set explicitly although they are zstd's defaults: they decide the
     * bytes, so a zstd that retuned its level 3 or its job sizing must not change every remote's
     * version.
     */
    static final int ZSTD_WINDOW_LOG = 21;
    static final int ZSTD_CHAIN_LOG = 16;
    static final int ZSTD_SEARCH_LOG = 1;
    static final int ZSTD_MIN_MATCH = 5;
    static final int ZSTD_STRATEGY_DFAST = 2;
    static final int ZSTD_JOB_SIZE = 1 << (ZSTD_WINDOW_LOG + 2);
    static final int ZSTD_OVERLAP_LOG = 6;
    /**
     * zstd output is the same for any worker count >= 1 but differs from single-threaded mode (0),
     * so the count follows the machine without changing a single byte: at least 2 (the packing
     * and the hashing thread run beside them), at most 4 (each worker holds about 20 MiB, and a
     * 100 MB flake is only a dozen jobs).
     */
    static final int ZSTD_WORKERS = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    /** GNU tar's default blocking (20 records), so the archive ends like one GNU tar writes. */
    static final int TAR_BLOCK_SIZE = 10240;
    static final int RECORD = 512;
    /** Large enough that zstd's JNI boundary is crossed rarely, small enough to stay in cache. */
    private static final int BUFFER_SIZE = 1 << 17;

    /**
     * Where zeros are copied from: padding and header records are the only zeros written, so the
     * buffer is not cleared after each hand-over (a loop over 128 KiB that C1 does not turn into
     * a memset, and 120 MB of stores for a 100 MB pack); System.arraycopy is a memcpy with C1 too.
     */
    private static final byte[] ZEROS = new byte[TAR_BLOCK_SIZE];

    private final OutputStream zstd;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final ByteBuffer window = ByteBuffer.wrap(buffer);
    private int used;
    private long total;

    private TarZstWriter(OutputStream zstd) {
        this.zstd = zstd;
    }

    /**
     * Writes the archive to {@code out}; {@code out} is flushed, not closed.
     *
     * @return the number of files and symlinks written
     */
    static int write(EntrySource entries, OutputStream out, int workers) throws IOException, PackException {
        int files = 0;
        ZstdLibrary.load(CacheDirectory.current());
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, ZSTD_LEVEL);
        boolean written = false;
        try {
            zstd.setWorkers(workers);
            zstd.setWindowLog(ZSTD_WINDOW_LOG);
            zstd.setHashLog(ZSTD_HASH_LOG);
            zstd.setChainLog(ZSTD_CHAIN_LOG);
            zstd.setSearchLog(ZSTD_SEARCH_LOG);
            zstd.setMinMatch(ZSTD_MIN_MATCH);
            zstd.setStrategy(ZSTD_STRATEGY_DFAST);
            zstd.setJobSize(ZSTD_JOB_SIZE);
            zstd.setOverlapLog(ZSTD_OVERLAP_LOG);
            zstd.setChecksum(true);
            TarZstWriter tar = new TarZstWriter(zstd);
            for (PackEntry entry = entries.next(); entry != null; entry = entries.next()) {
                try {
                    tar.entry(entry);
                } finally {
                    entry.release();
                }
                if (entry.kind() != PackEntry.Kind.DIRECTORY) {
                    files++;
                }
            }
            tar.finish();
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

    private void entry(PackEntry entry) throws IOException, PackException {
        room(RECORD);
        System.arraycopy(ZEROS, 0, buffer, used, RECORD); // TarHeaders.write fills in a zeroed record
        int n = TarHeaders.write(entry, buffer, used);
        if (n < 0) {
            byte[] headers = TarHeaders.withExtendedHeader(entry); // long or non-ASCII names: rare
            put(headers, 0, headers.length);
        } else {
            used += n;
            total += n;
        }
        if (entry.kind() == PackEntry.Kind.FILE) {
            if (entry.content() != null) {
                put(entry.content(), 0, entry.content().length);
            } else {
                copy(entry);
            }
            pad();
        }
    }

    /** Zeros up to the next record boundary. */
    private void pad() throws IOException {
        int tail = (int) (total % RECORD);
        if (tail != 0) {
            zeros(RECORD - tail);
        }
    }

    /** Two zero records end the archive; zeros to the block size, as GNU tar writes. */
    private void finish() throws IOException {
        long end = total + 2L * RECORD;
        long blocks = (end + TAR_BLOCK_SIZE - 1) / TAR_BLOCK_SIZE;
        zeros((int) (blocks * TAR_BLOCK_SIZE - total));
        flush();
        // The format's frame has a flushed block before the end mark (Commons Compress flushed its
        // stream when it finished): without it the same tar compresses to other bytes.
        zstd.flush();
    }

    private void zeros(int n) throws IOException {
        int left = n;
        while (left > 0) {
            if (used == buffer.length) {
                flush();
            }
            int step = Math.min(Math.min(left, buffer.length - used), ZEROS.length);
            System.arraycopy(ZEROS, 0, buffer, used, step);
            used += step;
            total += step;
            left -= step;
        }
    }

    private void put(byte[] bytes, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            if (used == buffer.length) {
                flush();
            }
            int step = Math.min(len - done, buffer.length - used);
            System.arraycopy(bytes, off + done, buffer, used, step);
            used += step;
            total += step;
            done += step;
        }
    }

    private void room(int n) throws IOException {
        if (buffer.length - used < n) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (used > 0) {
            zstd.write(buffer, 0, used);
            used = 0;
        }
    }

    /**
     * Reads the file straight into the buffer, exactly the size recorded when it was listed; a
     * file that changed meanwhile is refused. Asking for one byte more than expected makes a
     * short read prove the end of the file, which saves an extra read per file (most files fit
     * in one read).
     */
    private void copy(PackEntry entry) throws IOException, PackException {
        long remaining = entry.size();
        boolean atEnd = false;
        try (SeekableByteChannel in = entry.directory() != null
                ? entry.directory().open(entry.source().getFileName())
                : Files.newByteChannel(entry.source(), LinkOption.NOFOLLOW_LINKS)) {
            while (remaining > 0) {
                if (used == buffer.length) {
                    flush();
                }
                int wanted = (int) Math.min(buffer.length - used, remaining + 1);
                window.limit(used + wanted).position(used);
                int n = in.read(window);
                if (n < 0 || n > remaining) {
                    throw changed(entry);
                }
                used += n;
                total += n;
                remaining -= n;
                atEnd = n < wanted;
            }
            if (!atEnd) {
                ByteBuffer probe = ByteBuffer.allocate(1);
                if (in.read(probe) > 0) {
                    throw changed(entry);
                }
            }
        }
    }

    private static PackException changed(PackEntry entry) {
        return new PackException(entry.name() + " changed while it was being packed; pack again");
    }
}
