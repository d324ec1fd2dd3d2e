package dev.npc.pack;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Commons Compress's tar reader with its metadata headers bounded. That reader keeps a GNU long
 * name or long link, a PAX extended header and a PAX global header in memory whole, at whatever
 * size the header claims, and old GNU sparse headers may chain extension records without end: a
 * remote of a few kilobytes (zstd squeezes 600 MiB of one byte that small) would take the
 * daemon's whole heap. Two bounds, both in force before anything is buffered:
 * <ul>
 *   <li>each metadata header's declared size is checked against
 *       {@link UnpackLimits#maxHeaderBytes()} when the reader starts reading it (the reader reads
 *       it through {@link #read}), and global PAX headers, which the reader keeps for the rest of
 *       the archive, may not exceed that size all together; at most {@value #MAX_CHAINED} metadata
 *       headers may precede one entry;</li>
 *   <li>whatever else the reader does between two entries (sparse extension records, padding,
 *       end-of-archive blocks) may consume at most {@link #headerBudget} bytes of the stream: the
 *       stream under the reader stops it there.</li>
 * </ul>
 * Metadata bytes count toward the archive's size limit ({@link #metadataBytes()}).
 */
final class BoundedTarInputStream extends TarArchiveInputStream {
    /** GNU tar writes at most a PAX header, a long name and a long link before an entry. */
    static final int MAX_CHAINED = 8;

    private final Budget budget;
    private final UnpackLimits limits;
    private final byte[] drain = new byte[8192];
    private int depth;
    private TarArchiveEntry admitted;
    private int chained;
    private long metadataBytes;
    private long globalBytes;
    private long drainedBytes;

    /** Why an archive was refused while its headers were read: a {@link PackException} once it leaves the reader. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private BoundedTarInputStream(Budget budget, UnpackLimits limits) {
        super(budget, StandardCharsets.UTF_8.name());
        this.budget = budget;
        this.limits = limits;
    }

    static BoundedTarInputStream over(InputStream tar, UnpackLimits limits) {
        return new BoundedTarInputStream(new Budget(tar), limits);
    }

    /** Bytes the reader may consume from one entry's data end to the next entry: room for every allowed header. */
    long headerBudget() {
        return (long) (MAX_CHAINED + 1) * (limits.maxHeaderBytes() + 1024);
    }

    /** Long names, PAX records and the unread data of entries skipped: what counts toward the size limit besides files. */
    long metadataBytes() {
        return metadataBytes + drainedBytes;
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth > 0) {
            return super.getNextEntry(); // the reader itself, going on after a long name or PAX header
        }
        skipRestOfEntry();
        chained = 0;
        budget.limit(headerBudget());
        depth++;
        try {
            return super.getNextEntry();
        } finally {
            depth--;
            budget.unlimited();
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        TarArchiveEntry entry = getCurrentEntry();
        boolean metadata = entry != null && isMetadata(entry);
        if (metadata && entry != admitted) {
            admit(entry);
            admitted = entry;
        }
        int n = super.read(buffer, offset, length);
        if (metadata && n > 0) {
            metadataBytes += n;
            if (entry.isGlobalPaxHeader()) {
                globalBytes += n;
            }
        }
        return n;
    }

    /** Checks a metadata header by the size it declares, before the reader reads a byte of it. */
    private void admit(TarArchiveEntry entry) throws Refused {
        String what = describe(entry);
        if (++chained > MAX_CHAINED) {
            throw new Refused("the archive has more than " + MAX_CHAINED + " metadata headers (long names, PAX)"
                    + " before one entry; refusing it");
        }
        long limit = limits.maxHeaderBytes();
        if (entry.getSize() > limit) {
            throw new Refused("the archive has a " + what + " of " + entry.getSize() + " bytes, over the limit of "
                    + limit + " bytes for one header; refusing it unread");
        }
        if (entry.isGlobalPaxHeader() && globalBytes + entry.getSize() > limit) {
            throw new Refused("the archive's " + what + "s take more than " + limit
                    + " bytes all together, over the limit; refusing it");
        }
        if (metadataBytes + drainedBytes + entry.getSize() > limits.maxTotalBytes()) {
            throw new Refused("the archive expands to more than " + limits.maxTotalBytes()
                    + " bytes, over the unpack limit; refusing it");
        }
    }

    /**
     * The reader would skip the rest of the current entry's data at the next header; reading it
     * here instead keeps that out of the header budget, and counts it toward the size limit.
     */
    private void skipRestOfEntry() throws IOException {
        if (getCurrentEntry() == null) {
            return;
        }
        for (int n = read(drain, 0, drain.length); n >= 0; n = read(drain, 0, drain.length)) {
            drainedBytes += n;
            if (metadataBytes + drainedBytes > limits.maxTotalBytes()) {
                throw new Refused("the archive expands to more than " + limits.maxTotalBytes()
                        + " bytes, over the unpack limit; refusing it");
            }
        }
    }

    private static boolean isMetadata(TarArchiveEntry entry) {
        return entry.isGNULongNameEntry() || entry.isGNULongLinkEntry() || entry.isPaxHeader()
                || entry.isGlobalPaxHeader();
    }

    private static String describe(TarArchiveEntry entry) {
        if (entry.isGNULongNameEntry()) {
            return "GNU long name";
        }
        if (entry.isGNULongLinkEntry()) {
            return "GNU long link";
        }
        return entry.isGlobalPaxHeader() ? "PAX global header" : "PAX extended header";
    }

    /** Counts what the reader consumes and stops it past a limit, so no header parsing can run away. */
    private static final class Budget extends FilterInputStream {
        private long limit = Long.MAX_VALUE;
        private long used;

        Budget(InputStream in) {
            super(in);
        }

        void limit(long bytes) {
            limit = bytes;
            used = 0;
        }

        void unlimited() {
            limit = Long.MAX_VALUE;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            if (skipped > 0) {
                count(skipped);
            }
            return skipped;
        }

        private void count(long n) throws Refused {
            used += n;
            if (used > limit) {
                throw new Refused("the headers before one archive entry take more than " + limit
                        + " bytes (sparse extension records, metadata headers); refusing the archive");
            }
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
