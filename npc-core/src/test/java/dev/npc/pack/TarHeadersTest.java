package dev.npc.pack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The headers npc writes itself are, byte for byte, the ones Commons Compress writes for the same entry. */
class TarHeadersTest {
    private static PackEntry file(String name, long size, boolean executable) {
        return new PackEntry(name, Path.of(name), PackEntry.Kind.FILE, size, executable, null, null, null);
    }

    private static PackEntry symlink(String name, String target) {
        return new PackEntry(name, Path.of(name), PackEntry.Kind.SYMLINK, 0, false, target, null, null);
    }

    private static void sameAsCommonsCompress(PackEntry entry) throws Exception {
        byte[] ours = new byte[TarZstWriter.RECORD + 7];
        assertEquals(TarZstWriter.RECORD, TarHeaders.write(entry, ours, 7), entry.name());
        byte[] theirs = new byte[TarZstWriter.RECORD];
        TarHeaders.commonsEntry(entry).writeEntryHeader(theirs, null, false);
        byte[] written = java.util.Arrays.copyOfRange(ours, 7, ours.length);
        assertArrayEquals(theirs, written, entry.name());
    }

    @Test
    void shortAsciiEntries() throws Exception {
        sameAsCommonsCompress(file("flake.nix", 0, false));
        sameAsCommonsCompress(file("a", 1, false));
        sameAsCommonsCompress(file("bin/deploy", 123_456_789, true));
        sameAsCommonsCompress(file("big.img", 077777777777L, false));
        sameAsCommonsCompress(file("n".repeat(99), 5, false));
        sameAsCommonsCompress(PackEntry.directory("hosts"));
        sameAsCommonsCompress(PackEntry.directory("d".repeat(98)));
        sameAsCommonsCompress(symlink("current", "hosts/web.nix"));
        sameAsCommonsCompress(symlink("up", "../".repeat(33)));
        sameAsCommonsCompress(file("tab\tand\u007fdel", 3, false));
    }

    @Test
    void entriesThatNeedAPaxRecordAreLeftToCommonsCompress() {
        byte[] buf = new byte[TarZstWriter.RECORD];
        assertEquals(-1, TarHeaders.write(file("n".repeat(100), 1, false), buf, 0));
        assertEquals(-1, TarHeaders.write(PackEntry.directory("d".repeat(99)), buf, 0));
        assertEquals(-1, TarHeaders.write(file("h\u00e9llo.nix", 1, false), buf, 0));
        assertEquals(-1, TarHeaders.write(symlink("l", "t".repeat(100)), buf, 0));
        assertEquals(-1, TarHeaders.write(symlink("l", "\u00e9"), buf, 0));
        assertEquals(-1, TarHeaders.write(file("huge", 077777777777L + 1, false), buf, 0));
        assertArrayEquals(new byte[TarZstWriter.RECORD], buf, "nothing written");
    }
}
