package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** npc push --prebuilt: the map travels inside the archive, so the sha256 (and the signature) covers it. */
class PrebuiltPackTest {
    static final String WEB = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1";
    static final String CANARY = "/nix/store/zyxwvsrqpnmlkjihgfdcba9876543210-nixos-system-canary-1";

    @TempDir
    Path tmp;

    @Test
    void theMapIsWrittenSortedAndDeterministicallyAtItsPlaceInTheArchive() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, ".config", "x");
        TestFlakes.write(flake, "a.nix", "{ }");
        SortedMap<String, String> map = Prebuilt.parseArguments(List.of("web-1=" + WEB, "canary-1=" + CANARY));
        byte[] first = pack(flake, map);
        byte[] second = pack(flake, new java.util.TreeMap<>(Map.of("web-1", WEB, "canary-1", CANARY)));
        assertArrayEquals(first, second, "same map, same bytes");
        List<String> names = TestArchives.headers(first).stream().map(TarArchiveEntry::getName).toList();
        assertEquals(List.of(".config", ".npc/", ".npc/prebuilt.json", "a.nix", "flake.lock", "flake.nix"), names);

        Path out = tmp.resolve("out");
        new Unpacker(UnpackLimits.DEFAULT).unpack(new ByteArrayInputStream(first), out);
        assertEquals("{\n  \"format\": 1,\n  \"toplevels\": {\n    \"canary-1\": \"" + CANARY + "\",\n    \"web-1\": \""
                + WEB + "\"\n  }\n}\n", Files.readString(out.resolve(Prebuilt.PATH)));
        assertEquals(Map.of("web-1", WEB, "canary-1", CANARY), Prebuilt.read(out));
        assertTrue(!java.util.Arrays.equals(first, pack(flake, new java.util.TreeMap<>())), "the map changes the version");
    }

    @Test
    void argumentsAreCheckedStrictly() {
        for (String bad : List.of("web-1", "web-1=", "=" + WEB, "web 1=" + WEB, "web-1=/nix/store/short-x",
                "web-1=" + WEB + "/../../etc", "web-1=/tmp/" + WEB.substring(11), "web-1=" + WEB + ".drv",
                "web-1=" + WEB + "\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prebuilt.parseArgument(bad), bad);
            assertTrue(e.getMessage().startsWith("--prebuilt '"), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Prebuilt.parseArguments(List.of("web-1=" + WEB, "web-1=" + CANARY)));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    }

    @Test
    void aFlakeOfItsOwnWithADotNpcDirectoryIsRefused() {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, ".npc/prebuilt.json", "{\"format\": 1, \"toplevels\": {}}");
        PackException e = assertThrows(PackException.class, () -> pack(flake, new java.util.TreeMap<>()));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    }

    @Test
    void anInvalidMapInAnArchiveIsRefusedWhole() throws Exception {
        for (String bad : List.of("{\"format\": 2, \"toplevels\": {}}", "{\"format\": 1}", "not json",
                "{\"format\": 1, \"toplevels\": {\"web-1\": \"/etc/shadow\"}}")) {
            Path dir = tmp.resolve("bad-" + Math.abs(bad.hashCode()));
            TestFlakes.write(dir, Prebuilt.PATH, bad);
            assertThrows(PackException.class, () -> Prebuilt.read(dir), bad);
        }
        assertEquals(Map.of(), Prebuilt.read(tmp.resolve("none")));
    }

    private static byte[] pack(Path flake, SortedMap<String, String> prebuilt) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT.withPrebuilt(prebuilt), bytes);
        return bytes.toByteArray();
    }
}
