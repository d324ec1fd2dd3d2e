package dev.npc.pack;

import dev.npc.digest.Sha256;
import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackerDeterminismTest {
    @TempDir
    Path tmp;

    private final Packer packer = new Packer(new SystemProcessRunner());

    @Test
    void sameFilesGiveSameBytesWhateverTheirMtimesPermissionsAndCreationOrder() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        List<String> names = List.of("flake.nix", "flake.lock", "hosts/web/default.nix", "hosts/db.nix",
                "modules/a-b.nix", "modules/a/b.nix", "README", "z/empty/.keep");
        for (String name : names) {
            TestFlakes.write(a, name, content(name));
        }
        List<String> reversed = new java.util.ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        for (String name : reversed) {
            TestFlakes.write(b, name, content(name));
        }
        TestFlakes.writeExecutable(a, "bin/deploy", "#!/bin/sh\n");
        TestFlakes.write(b, "bin/deploy", "#!/bin/sh\n");
        TestFlakes.chmod(b.resolve("bin/deploy"), "rwx------"); // another umask: only the owner bits
        TestFlakes.symlink(a, "hosts/current", "web");
        TestFlakes.symlink(b, "hosts/current", "web");
        TestFlakes.chmod(b.resolve("README"), "rw-rw-rw-");
        TestFlakes.chmod(b.resolve("hosts"), "rwxrwxrwx");
        Files.setLastModifiedTime(b.resolve("flake.nix"), FileTime.fromMillis(123_456_789_000L));
        Files.setLastModifiedTime(b.resolve("hosts"), FileTime.fromMillis(42_000L));

        byte[] first = pack(a, 2);
        byte[] second = pack(b, 2);

        assertArrayEquals(first, second);
        assertArrayEquals(first, pack(a, 2), "packing twice gives the same bytes");
    }

    /**
     * The bytes of a fixed flake, pinned: if this changes (a library upgrade, a header tweak), every
     * remote re-packed afterwards gets a new version and every host rebuilds once. Change the
     * expected value only on purpose, and say so in the release notes.
     */
    @Test
    void formatIsStable() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "hosts/web.nix", "{ networking.hostName = \"web\"; }\n");
        TestFlakes.writeExecutable(flake, "bin/deploy", "#!/bin/sh\n");
        TestFlakes.symlink(flake, "current", "hosts/web.nix");
        TestFlakes.write(flake, "long/" + "n".repeat(120) + ".nix", "{ }\n");
        assertEquals("8f48f9decc82e1ca81282269b9f0f5d1daa33b5b45c149a8caa49284c18b3d55", Sha256.hex(pack(flake, 2)));
    }

    @Test
    void workerCountDoesNotChangeTheBytes() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        Random random = new Random(7);
        byte[] text = "{ pkgs, ... }: { services.nginx.enable = true; }\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            byte[] data = new byte[1_000_000];
            random.nextBytes(data);
            TestFlakes.write(flake, "data/" + i + ".bin", data);
            TestFlakes.write(flake, "text/" + i + ".nix", text);
        }
        // 40 MB: five of zstd's 8 MiB jobs, so the workers really split the stream
        String one = Sha256.hex(pack(flake, 1));
        assertEquals(one, Sha256.hex(pack(flake, 2)));
        assertEquals(one, Sha256.hex(pack(flake, 4)));
        assertEquals(one, Sha256.hex(pack(flake, 7)));
    }

    @Test
    void headersAreNormalisedAndSortedByPathBytes() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "a/b.nix", "b");
        TestFlakes.write(flake, "a-b.nix", "ab");
        TestFlakes.write(flake, "B.nix", "B");
        TestFlakes.writeExecutable(flake, "a/run.sh", "#!/bin/sh\n");
        TestFlakes.symlink(flake, "a/link", "b.nix");
        TestFlakes.chmod(flake.resolve("B.nix"), "rw-------");

        List<TarArchiveEntry> headers = TestArchives.headers(pack(flake, 2));

        assertEquals(List.of("B.nix", "a/", "a-b.nix", "a/b.nix", "a/link", "a/run.sh", "flake.lock", "flake.nix"),
                headers.stream().map(TarArchiveEntry::getName).toList());
        for (TarArchiveEntry h : headers) {
            assertEquals(1000, h.getLastModifiedTime().toMillis(), h.getName());
            assertEquals(0, h.getLongUserId());
            assertEquals(0, h.getLongGroupId());
            assertEquals("", h.getUserName());
            assertEquals("", h.getGroupName());
        }
        assertEquals(0644, mode(headers, "B.nix"));
        assertEquals(0755, mode(headers, "a/"));
        assertEquals(0755, mode(headers, "a/run.sh"));
        assertEquals("b.nix", headers.stream().filter(h -> h.getName().equals("a/link")).findFirst().orElseThrow().getLinkName());
    }

    @Test
    void longNamesRoundTrip() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        String deep = "d".repeat(120) + "/" + "e".repeat(200) + "/" + "f".repeat(150) + ".nix";
        TestFlakes.write(flake, deep, "deep");
        TestFlakes.symlink(flake, "link-to-deep", deep);

        Path out = tmp.resolve("out");
        new Unpacker(UnpackLimits.DEFAULT).unpack(new java.io.ByteArrayInputStream(pack(flake, 2)), out);

        assertEquals("deep", Files.readString(out.resolve(deep)));
        assertEquals(deep, Files.readSymbolicLink(out.resolve("link-to-deep")).toString());
    }

    @Test
    void packToFileReportsTheFileItWrote() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "hosts/web.nix", "{ }");
        Path file = tmp.resolve("out/remote.npc");
        Files.createDirectories(file.getParent());

        PackResult result = packer.pack(flake, PackOptions.DEFAULT, file);

        assertEquals(Sha256.hex(file), result.sha256());
        assertEquals(Files.size(file), result.bytes());
        assertEquals(3, result.files());
        assertEquals(null, result.sourceRev());
        assertArrayEquals(Files.readAllBytes(file), pack(flake, 2));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(List.of(file), listing.toList(), "no temporary file is left next to the archive");
        }
    }

    @Test
    void archiveWrittenInsideTheFlakeDirectoryDoesNotPackItself() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        Path file = flake.resolve("remote.npc");
        PackResult first = packer.pack(flake, PackOptions.DEFAULT, file);
        PackResult second = packer.pack(flake, PackOptions.DEFAULT, file);
        assertEquals(first.sha256(), second.sha256());
        assertEquals(2, second.files());
    }

    @Test
    void failedPackLeavesNoFileAndKeepsThePreviousArchive() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        Path file = tmp.resolve("remote.npc");
        packer.pack(flake, PackOptions.DEFAULT, file);
        byte[] before = Files.readAllBytes(file);

        TestFlakes.symlink(flake, "bad", "/etc/passwd");
        org.junit.jupiter.api.Assertions.assertThrows(PackException.class,
                () -> packer.pack(flake, PackOptions.DEFAULT, file));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (var listing = Files.list(tmp)) {
            assertEquals(2, listing.count(), "only the flake and the earlier archive: " + tmp);
        }
        Path fresh = tmp.resolve("fresh.npc");
        org.junit.jupiter.api.Assertions.assertThrows(PackException.class,
                () -> packer.pack(flake, PackOptions.DEFAULT, fresh));
        assertFalse(Files.exists(fresh));
    }

    @Test
    void differentContentGivesDifferentBytes() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        byte[] before = pack(flake, 2);
        TestFlakes.write(flake, "flake.nix", TestFlakes.FLAKE_NIX + "\n");
        assertNotEquals(Sha256.hex(before), Sha256.hex(pack(flake, 2)));
        TestFlakes.write(flake, "flake.nix", TestFlakes.FLAKE_NIX);
        TestFlakes.chmod(flake.resolve("flake.nix"), "rwxr-xr-x");
        assertNotEquals(Sha256.hex(before), Sha256.hex(pack(flake, 2)), "the exec bit is part of the content");
        assertTrue(before.length > 0);
    }

    private byte[] pack(Path flake, int workers) throws IOException, PackException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PackResult result = new Packer(new SystemProcessRunner(), workers).pack(flake, PackOptions.DEFAULT, out);
        assertEquals(out.size(), result.bytes());
        assertEquals(Sha256.hex(out.toByteArray()), result.sha256());
        return out.toByteArray();
    }

    private static int mode(List<TarArchiveEntry> headers, String name) {
        return headers.stream().filter(h -> h.getName().equals(name)).findFirst().orElseThrow().getMode();
    }

    private static String content(String name) {
        return name.equals("flake.nix") ? TestFlakes.FLAKE_NIX
                : name.equals("flake.lock") ? TestFlakes.FLAKE_LOCK
                : ("# " + name + "\n").repeat(50);
    }
}
