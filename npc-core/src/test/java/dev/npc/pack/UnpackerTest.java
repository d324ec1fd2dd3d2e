package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.HostileArchives;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnpackerTest {
    @TempDir
    Path tmp;

    private final Unpacker unpacker = new Unpacker(UnpackLimits.DEFAULT);

    @Test
    void packedFlakeUnpacksToTheSameTreeWithNormalisedModes() throws Exception {
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        TestFlakes.write(flake, "hosts/web/default.nix", "{ }");
        TestFlakes.writeExecutable(flake, "bin/deploy", "#!/bin/sh\n");
        TestFlakes.symlink(flake, "hosts/current", "web");
        TestFlakes.symlink(flake, "bin/flake", "../flake.nix");
        Files.createDirectories(flake.resolve("empty"));
        TestFlakes.chmod(flake.resolve("flake.lock"), "rw-------");
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, archive);

        Path out = tmp.resolve("target/unpacked");
        int files = unpacker.unpack(new ByteArrayInputStream(archive.toByteArray()), out);

        assertEquals(6, files);
        TestFlakes.chmod(flake.resolve("flake.lock"), "rw-r--r--");
        assertEquals(TestFlakes.describe(flake), TestFlakes.describe(out));
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(List.of(out), siblings(out), "no temporary directory is left");
    }

    @Test
    void destinationThatExistsIsRefusedAndKept() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        TestFlakes.write(out, "mine", "keep me");
        PackException e = assertThrows(PackException.class,
                () -> unpacker.unpack(new ByteArrayInputStream(TestArchives.builder().file("a", "a").build()), out));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("keep me", Files.readString(out.resolve("mine")));
    }

    @Test
    void missingParentsAreCreated() throws Exception {
        Path out = tmp.resolve("var/lib/npc/flakes/abc");
        unpacker.unpack(new ByteArrayInputStream(TestArchives.builder().file("a", "a").build()), out);
        assertEquals("a", Files.readString(out.resolve("a")));
    }

    @TestFactory
    Stream<DynamicTest> everyHostileArchiveIsRefusedAndLeavesNothingBehind() {
        return HostileArchives.all().entrySet().stream().map(hostile -> DynamicTest.dynamicTest(hostile.getKey(), () -> {
            Path parent = Files.createDirectories(tmp.resolve(hostile.getKey().replace(' ', '-')).resolve("inner"));
            Path out = parent.resolve("dest");

            PackException e = assertThrows(PackException.class,
                    () -> unpacker.unpack(new ByteArrayInputStream(hostile.getValue()), out));

            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertFalse(Files.exists(out, LinkOption.NOFOLLOW_LINKS), "destination must not exist");
            assertEquals(List.of(), siblings(out), "nothing left in " + parent);
            assertFalse(Files.exists(parent.getParent().resolve(HostileArchives.ESCAPE_MARKER), LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(parent.getParent().getParent().resolve(HostileArchives.ESCAPE_MARKER),
                    LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(Path.of("/tmp/npc-hostile-" + HostileArchives.ESCAPE_MARKER), LinkOption.NOFOLLOW_LINKS));
        }));
    }

    @Test
    void refusalsNameTheProblem() {
        Map<String, String> expected = Map.of(
                "dot-dot name", "'..'",
                "absolute name", "absolute",
                "file through an earlier symlink to the parent", "symlink",
                "absolute symlink", "absolute",
                "escaping symlink", "outside",
                "hard link", "hard link",
                "fifo", "fifo",
                "duplicate file", "twice");
        Map<String, byte[]> all = HostileArchives.all();
        expected.forEach((name, words) -> {
            PackException e = assertThrows(PackException.class,
                    () -> unpacker.unpack(new ByteArrayInputStream(all.get(name)), tmp.resolve("o")));
            assertTrue(e.getMessage().contains(words), name + ": " + e.getMessage());
        });
    }

    @Test
    void sizeIsCountedFromTheBytesNotTheHeaders() throws Exception {
        byte[] bomb = TestArchives.builder().file("a", new byte[600_000], 0644).file("b", new byte[600_000], 0644).build();
        assertTrue(bomb.length < 10_000, "zeros compress well: " + bomb.length);
        Path out = tmp.resolve("out");
        PackException e = assertThrows(PackException.class,
                () -> new Unpacker(new UnpackLimits(1_000_000, 100)).unpack(new ByteArrayInputStream(bomb), out));
        assertTrue(e.getMessage().contains("1000000 bytes"), e.getMessage());
        assertEquals(List.of(), siblings(out));
        new Unpacker(new UnpackLimits(1_200_000, 100)).unpack(new ByteArrayInputStream(bomb), out);
    }

    @Test
    void entryCountIsBounded() throws Exception {
        TestArchives many = TestArchives.builder();
        for (int i = 0; i < 20; i++) {
            many.file("d/" + i, "x");
        }
        byte[] archive = many.build();
        Path out = tmp.resolve("out");
        PackException e = assertThrows(PackException.class,
                () -> new Unpacker(new UnpackLimits(1 << 20, 20)).unpack(new ByteArrayInputStream(archive), out));
        assertTrue(e.getMessage().contains("more than 20 entries"), e.getMessage());
        assertEquals(List.of(), siblings(out));
        assertEquals(20, new Unpacker(new UnpackLimits(1 << 20, 21)).unpack(new ByteArrayInputStream(archive), out));
    }

    @Test
    void truncatedOrForeignInputIsRefusedCleanly() throws Exception {
        byte[] good = TestArchives.builder().file("a", new byte[100_000], 0644).file("b", "b").build();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        byte[] plainTar = TestArchives.builder().file("a", "a").tar();
        for (byte[] input : List.of(truncated, plainTar, "hello".getBytes())) {
            Path out = tmp.resolve("out");
            assertThrows(PackException.class, () -> unpacker.unpack(new ByteArrayInputStream(input), out));
            assertEquals(List.of(), siblings(out));
        }
    }

    @Test
    void nameTooLongForTheFilesystemIsRefusedCleanly() throws Exception {
        byte[] archive = TestArchives.builder().file("ok", "x").file("n".repeat(300), "long").build();
        Path out = tmp.resolve("out");
        PackException e = assertThrows(PackException.class, () -> unpacker.unpack(new ByteArrayInputStream(archive), out));
        assertTrue(e.getMessage().contains("cannot be created"), e.getMessage());
        assertEquals(List.of(), siblings(out));
    }

    @Test
    void directoryEntryAfterItsContentsAndDotSlashNamesAreAccepted() throws Exception {
        byte[] archive = TestArchives.builder().directory("./").file("./a/b", "b").directory("./a/")
                .symlink("./a/l", "../a/b").file("x", new byte[] {1}, 0700).build();
        Path out = tmp.resolve("out");
        assertEquals(3, unpacker.unpack(new ByteArrayInputStream(archive), out));
        assertEquals(Map.of("a", "dir 755", "a/b", "file 644 3e23e8160039594a", "a/l", "link ../a/b",
                "x", "file 755 4bf5122f344554c5"), TestFlakes.describe(out));
    }

    @Test
    void callersStreamIsNotClosed() throws Exception {
        byte[] archive = TestArchives.builder().file("a", "a").build();
        boolean[] closed = {false};
        var in = new ByteArrayInputStream(archive) {
            @Override
            public void close() throws IOException {
                closed[0] = true;
                super.close();
            }
        };
        unpacker.unpack(in, tmp.resolve("out"));
        assertFalse(closed[0]);
    }

    /** Everything next to {@code path} in its directory (the destination itself included). */
    private static List<Path> siblings(Path path) throws IOException {
        try (Stream<Path> list = Files.list(path.getParent())) {
            return list.toList();
        }
    }
}
