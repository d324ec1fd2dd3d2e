package dev.npc.pack;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.archivers.zip.ZipEncoding;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A tar header without device numbers. Commons Compress writes "0000000" into the devmajor and
 * devminor fields of every entry; GNU tar leaves them empty for anything but devices, and the
 * empty fields compress better (about 2 bytes per entry after zstd). Every tar reader treats an
 * empty numeric field as 0.
 */
final class CompactTarEntry extends TarArchiveEntry {
    private static final int DEV_MAJOR_OFFSET = 329;
    private static final int DEV_FIELDS_END = 345;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;

    CompactTarEntry(String name, byte linkFlag) {
        super(name, linkFlag);
    }

    /**
     * Names are always UTF-8 here; encoding them directly skips the CharsetEncoder Commons
     * Compress would create for every header.
     */
    private static final ZipEncoding UTF8 = new ZipEncoding() {
        @Override
        public boolean canEncode(String name) {
            return true;
        }

        @Override
        public ByteBuffer encode(String name) {
            return ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String decode(byte[] data) {
            return new String(data, StandardCharsets.UTF_8);
        }
    };

    @Override
    public void writeEntryHeader(byte[] outbuf, ZipEncoding encoding, boolean starMode) throws IOException {
        super.writeEntryHeader(outbuf, UTF8, starMode);
        Arrays.fill(outbuf, DEV_MAJOR_OFFSET, DEV_FIELDS_END, (byte) 0);
        Arrays.fill(outbuf, CHECKSUM_OFFSET, CHECKSUM_OFFSET + CHECKSUM_LENGTH, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += outbuf[i] & 0xff;
        }
        TarUtils.formatCheckSumOctalBytes(sum, outbuf, CHECKSUM_OFFSET, CHECKSUM_LENGTH);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
