package dev.npc.pack;

import dev.npc.testing.HeaderBombs;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tar metadata headers (GNU long names and links, PAX records, sparse extension records) are
 * bounded before the reader buffers them, and their bytes count toward the size limit. Whether a
 * daemon at the module's default heap survives them is proven in a JVM of that size
 * (npc-daemon's HeaderBombTest); here, what is refused and what still unpacks.
 */
class HeaderLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void everyHeaderBombIsRefusedInOneLineAndLeavesNothing() throws Exception {
        for (Map.Entry<String, byte[]> bomb : HeaderBombs.all().entrySet()) {
            assertTrue(bomb.getValue().length < 5 << 20, bomb.getKey() + ": " + bomb.getValue().length + " bytes");
            Path destination = tmp.resolve("out");
            PackException e = assertThrows(PackException.class, () -> unpack(bomb.getValue(), destination, UnpackLimits.DEFAULT),
                    bomb.getKey());
            assertTrue(e.getMessage().contains("over the limit") || e.getMessage().contains("more than"),
                    bomb.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(Files.exists(destination), bomb.getKey());
            try (var left = Files.list(tmp)) {
                assertEquals(0, left.count(), bomb.getKey() + ": nothing left behind");
            }
        }
    }

    @Test
    void theRefusalNamesTheHeaderAndItsSize() {
        PackException e = assertThrows(PackException.class, () -> unpack(
                HeaderBombs.gnuLongName(TarConstants.LF_GNUTYPE_LONGNAME, HeaderBombs.BOMB_BYTES), tmp.resolve("o"),
                UnpackLimits.DEFAULT));
        assertEquals("the archive has a GNU long name of 629145600 bytes, over the limit of 65536 bytes for one header;"
                + " refusing it unread", e.getMessage());
        e = assertThrows(PackException.class, () -> unpack(HeaderBombs.pax(TarConstants.LF_PAX_EXTENDED_HEADER_LC,
                HeaderBombs.BOMB_BYTES), tmp.resolve("o"), UnpackLimits.DEFAULT));
        assertTrue(e.getMessage().startsWith("the archive has a PAX extended header of 629145600 bytes"), e.getMessage());
    }

    @Test
    void longNamesUnderTheLimitStillUnpackAsGnuTarAndPaxWriteThem() throws Exception {
        String name = "d".repeat(120) + "/" + "f".repeat(120);
        assertEquals(1, unpack(HeaderBombs.gnuNamed(name), tmp.resolve("gnu"), UnpackLimits.DEFAULT));
        assertEquals("x", Files.readString(tmp.resolve("gnu").resolve(name)));
        byte[] pax = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).file(name, "x").build();
        assertEquals(2, unpack(pax, tmp.resolve("pax"), UnpackLimits.DEFAULT));
        assertEquals("x", Files.readString(tmp.resolve("pax").resolve(name)));
        byte[] justUnder = HeaderBombs.paxRecord(TarConstants.LF_PAX_EXTENDED_HEADER_LC, "comment",
                UnpackLimits.DEFAULT_MAX_HEADER_BYTES, 4);
        assertEquals(1, unpack(justUnder, tmp.resolve("under"), UnpackLimits.DEFAULT));
    }

    @Test
    void headerBytesCountTowardTheSizeLimit() throws Exception {
        UnpackLimits small = new UnpackLimits(4000, 100);
        byte[] fits = HeaderBombs.paxRecord(TarConstants.LF_PAX_EXTENDED_HEADER_LC, "comment", 1000, 2000);
        assertEquals(1, unpack(fits, tmp.resolve("fits"), small));
        byte[] over = HeaderBombs.paxRecord(TarConstants.LF_PAX_EXTENDED_HEADER_LC, "comment", 3000, 2000);
        PackException e = assertThrows(PackException.class, () -> unpack(over, tmp.resolve("over"), small));
        assertTrue(e.getMessage().contains("expands to more than 4000 bytes"), e.getMessage());
    }

    @Test
    void aZstdFrameAskingForAHugeWindowIsRefused() throws Exception {
        byte[] tar = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).tar();
        assertEquals(1, unpack(TestArchives.zstdWithWindowLog(tar, 23), tmp.resolve("ok"), UnpackLimits.DEFAULT));
        PackException e = assertThrows(PackException.class, () -> unpack(TestArchives.zstdWithWindowLog(tar, 27),
                tmp.resolve("huge"), UnpackLimits.DEFAULT));
        assertTrue(e.getMessage().contains("window of more than 32 MiB"), e.getMessage());
    }

    private static int unpack(byte[] archive, Path destination, UnpackLimits limits) throws Exception {
        return new Unpacker(limits).unpack(new ByteArrayInputStream(archive), destination);
    }
}
