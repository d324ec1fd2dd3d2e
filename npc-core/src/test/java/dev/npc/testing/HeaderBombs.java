package dev.npc.testing;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small remotes whose tar stream holds one huge metadata header: a GNU long name or long link, a
 * PAX extended or global header of {@link #BOMB_BYTES}, or thousands of chained ones, or old GNU
 * sparse extension records without end. zstd squeezes each into a few kilobytes; a reader that
 * buffers such a header whole needs hundreds of megabytes of heap for it.
 */
public final class HeaderBombs {
    /** 600 MiB: more than the daemon's default heap (-Xmx128m) several times over. */
    public static final long BOMB_BYTES = 600L << 20;
    private static final int RECORD = 512;

    private HeaderBombs() { }

    private static Map<String, byte[]> all;

    /** Every bomb, by what it is (made once per JVM: each means compressing hundreds of megabytes). */
    public static synchronized Map<String, byte[]> all() {
        if (all == null) {
            all = java.util.Collections.unmodifiableMap(make());
        }
        return all;
    }

    private static Map<String, byte[]> make() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("600 MiB GNU long name", gnuLongName(TarConstants.LF_GNUTYPE_LONGNAME, BOMB_BYTES));
        all.put("600 MiB GNU long link", gnuLongName(TarConstants.LF_GNUTYPE_LONGLINK, BOMB_BYTES));
        all.put("600 MiB PAX extended header", pax(TarConstants.LF_PAX_EXTENDED_HEADER_LC, BOMB_BYTES));
        all.put("600 MiB PAX global header", pax(TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, BOMB_BYTES));
        all.put("10000 chained 60 KiB long names", chainedLongNames(10_000, 60 << 10));
        all.put("old GNU sparse extension records without end", endlessSparse(1_200_000));
        return all;
    }

    /** A GNU 'L' (or 'K') header whose name is {@code size} bytes of 'a', then a file it would name. */
    public static byte[] gnuLongName(byte type, long size) {
        return archive(out -> {
            header(out, "././@LongLink", type, size);
            filler(out, size, (byte) 'a');
            pad(out, size);
            file(out);
        });
    }

    /** A file whose name {@code name} (not NUL-terminated, as GNU tar allows) travels in a GNU long-name header. */
    public static byte[] gnuNamed(String name) {
        return archive(out -> {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            header(out, "././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, bytes.length);
            out.write(bytes);
            pad(out, bytes.length);
            header(out, "placeholder", TarConstants.LF_NORMAL, 1);
            out.write('x');
            pad(out, 1);
        });
    }

    /** One PAX record {@code <len> path=aaaa...\n} of {@code size} bytes in an 'x' or 'g' header. */
    public static byte[] pax(byte type, long size) {
        return paxRecord(type, "path", size, 4);
    }

    /**
     * One PAX record {@code <len> <key>=aaaa...\n} of {@code size} bytes in an 'x' or 'g' header,
     * then a file named flake.nix of {@code fileBytes} bytes.
     */
    public static byte[] paxRecord(byte type, String key, long size, int fileBytes) {
        return archive(out -> {
            header(out, "PaxHeaders/flake.nix", type, size);
            String prefix = size + " " + key + "=";
            out.write(prefix.getBytes(StandardCharsets.US_ASCII));
            filler(out, size - prefix.length() - 1, (byte) 'a');
            out.write('\n');
            pad(out, size);
            byte[] content = new byte[fileBytes];
            Arrays.fill(content, (byte) ' ');
            header(out, "flake.nix", TarConstants.LF_NORMAL, content.length);
            out.write(content);
            pad(out, content.length);
        });
    }

    /** {@code count} long-name headers of {@code size} bytes each, one after the other, before one file. */
    public static byte[] chainedLongNames(int count, int size) {
        return archive(out -> {
            for (int i = 0; i < count; i++) {
                header(out, "././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, size);
                filler(out, size, (byte) 'a');
                pad(out, size);
            }
            file(out);
        });
    }

    /** An old GNU sparse file whose header says "extended", followed by {@code records} extension records that all say so too. */
    public static byte[] endlessSparse(int records) {
        return archive(out -> {
            byte[] header = headerBytes("sparse", TarConstants.LF_GNUTYPE_SPARSE, 0);
            byte[] gnuMagic = "ustar  \0".getBytes(StandardCharsets.US_ASCII); // old GNU format, whose layout has isExtended
            System.arraycopy(gnuMagic, 0, header, 257, gnuMagic.length);
            header[482] = 1; // isExtended
            checksum(header);
            out.write(header);
            int perChunk = 128;
            byte[] extensions = new byte[RECORD * perChunk];
            for (int i = 0; i < perChunk; i++) {
                extensions[i * RECORD + 504] = 1; // isExtended of each extension record
            }
            for (int i = 0; i < records; i += perChunk) {
                out.write(extensions, 0, RECORD * Math.min(perChunk, records - i));
            }
            file(out);
        });
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static byte[] archive(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdOutputStream zstd = new ZstdOutputStream(bytes, 3)) {
            body.write(zstd);
            zstd.write(new byte[RECORD * 2]); // end of archive
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void file(OutputStream out) throws IOException {
        byte[] content = "{ }\n".getBytes(StandardCharsets.US_ASCII);
        header(out, "flake.nix", TarConstants.LF_NORMAL, content.length);
        out.write(content);
        pad(out, content.length);
    }

    private static void header(OutputStream out, String name, byte type, long size) throws IOException {
        out.write(headerBytes(name, type, size));
    }

    private static byte[] headerBytes(String name, byte type, long size) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setSize(size);
        entry.setMode(0644);
        entry.setIds(0, 0);
        entry.setUserName("");
        entry.setGroupName("");
        entry.setLastModifiedTime(java.nio.file.attribute.FileTime.fromMillis(1000));
        byte[] header = new byte[RECORD];
        entry.writeEntryHeader(header, ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8), false);
        return header;
    }

    private static void checksum(byte[] header) {
        Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        org.apache.commons.compress.archivers.tar.TarUtils.formatCheckSumOctalBytes(sum, header, 148, 8);
    }

    private static void filler(OutputStream out, long size, byte value) throws IOException {
        byte[] chunk = new byte[1 << 16];
        Arrays.fill(chunk, value);
        for (long left = size; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % RECORD);
        if (rest != 0) {
            out.write(new byte[RECORD - rest]);
        }
    }
}
