package dev.npc.pack;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The tar headers of docs/format.md, byte for byte what Commons Compress writes for a
 * {@link CompactTarEntry} (ustar, POSIX magic, PAX records for long and non-ASCII names). The
 * common case, a short ASCII name, is written here directly into the caller's buffer; anything
 * that needs a PAX record is left to Commons Compress ({@link #withExtendedHeader}), so both kinds
 * of header come out as they always have and a remote's version does not change.
 */
final class TarHeaders {
    /** A name of 100 bytes or more needs a PAX record (Commons Compress counts the 100th as long). */
    private static final int NAME_LENGTH = 100;
    /** The largest size an 11-digit octal field holds; beyond it Commons Compress writes a PAX record. */
    private static final long MAX_OCTAL_SIZE = 077777777777L;
    private static final int MODE_OFFSET = 100;
    private static final int UID_OFFSET = 108;
    private static final int GID_OFFSET = 116;
    private static final int SIZE_OFFSET = 124;
    private static final int MTIME_OFFSET = 136;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int TYPE_OFFSET = 156;
    private static final int LINK_OFFSET = 157;
    private static final int MAGIC_OFFSET = 257;
    private static final byte[] MAGIC_AND_VERSION = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);

    private TarHeaders() { }

    /**
     * Writes the entry's header at {@code buf[off..off+512)}, which must hold zeros, and returns
     * 512; returns -1, writing nothing, when the entry needs a PAX record.
     */
    static int write(PackEntry entry, byte[] buf, int off) {
        String name = entry.kind() == PackEntry.Kind.DIRECTORY ? entry.name() + "/" : entry.name();
        String link = entry.kind() == PackEntry.Kind.SYMLINK ? entry.linkTarget() : "";
        if (!shortAscii(name) || !shortAscii(link) || entry.size() > MAX_OCTAL_SIZE) {
            return -1;
        }
        ascii(name, buf, off);
        octal(mode(entry), buf, off + MODE_OFFSET, 8);
        octal(0, buf, off + UID_OFFSET, 8);
        octal(0, buf, off + GID_OFFSET, 8);
        octal(entry.kind() == PackEntry.Kind.FILE ? entry.size() : 0, buf, off + SIZE_OFFSET, 12);
        octal(TarZstWriter.MTIME.toMillis() / 1000, buf, off + MTIME_OFFSET, 12);
        buf[off + TYPE_OFFSET] = switch (entry.kind()) {
            case DIRECTORY -> TarConstants.LF_DIR;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            default -> TarConstants.LF_NORMAL;
        };
        ascii(link, buf, off + LINK_OFFSET);
        System.arraycopy(MAGIC_AND_VERSION, 0, buf, off + MAGIC_OFFSET, MAGIC_AND_VERSION.length);
        // owner names empty and device numbers empty (see CompactTarEntry): the zeros already there
        long sum = 8 * ' ';
        for (int i = off, end = off + TarZstWriter.RECORD; i < end; i++) {
            sum += buf[i] & 0xff;
        }
        // six octal digits, NUL, space: what Commons Compress and GNU tar write
        octal(sum, buf, off + CHECKSUM_OFFSET, 7);
        buf[off + CHECKSUM_OFFSET + 6] = 0;
        buf[off + CHECKSUM_OFFSET + 7] = ' ';
        return TarZstWriter.RECORD;
    }

    /** The PAX header entry and the ustar header of an entry with a long or non-ASCII name, from Commons Compress. */
    static byte[] withExtendedHeader(PackEntry entry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // one-record blocks: every record reaches `out` as soon as it is written
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarZstWriter.RECORD, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        tar.putArchiveEntry(commonsEntry(entry));
        // not closed: that would end the archive; the entry's data follows in the caller's stream
        return out.toByteArray();
    }

    /** The entry as Commons Compress describes it; also what tests compare {@link #write} with. */
    static TarArchiveEntry commonsEntry(PackEntry entry) {
        TarArchiveEntry header;
        switch (entry.kind()) {
            case DIRECTORY -> header = new CompactTarEntry(entry.name() + "/", TarConstants.LF_DIR);
            case SYMLINK -> {
                header = new CompactTarEntry(entry.name(), TarConstants.LF_SYMLINK);
                header.setLinkName(entry.linkTarget());
            }
            default -> {
                header = new CompactTarEntry(entry.name(), TarConstants.LF_NORMAL);
                header.setSize(entry.size());
            }
        }
        header.setMode(mode(entry));
        header.setLastModifiedTime(TarZstWriter.MTIME);
        header.setIds(0, 0);
        header.setUserName("");
        header.setGroupName("");
        return header;
    }

    private static int mode(PackEntry entry) {
        return switch (entry.kind()) {
            case DIRECTORY -> 0755;
            case SYMLINK -> 0777;
            default -> entry.executable() ? 0755 : 0644;
        };
    }

    private static boolean shortAscii(String text) {
        if (text.length() >= NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void ascii(String text, byte[] buf, int off) {
        for (int i = 0; i < text.length(); i++) {
            buf[off + i] = (byte) text.charAt(i);
        }
    }

    /** {@code length - 1} zero-padded octal digits and a trailing space, as Commons Compress writes numbers. */
    private static void octal(long value, byte[] buf, int off, int length) {
        long rest = value;
        for (int i = off + length - 2; i >= off; i--) {
            buf[i] = (byte) ('0' + (rest & 7));
            rest >>>= 3;
        }
        buf[off + length - 1] = ' ';
    }
}
