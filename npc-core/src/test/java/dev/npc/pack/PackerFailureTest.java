package dev.npc.pack;

import dev.npc.process.SystemProcessRunner;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Packing that fails half-way (a full disk, a refused file) must not leak open directories or threads. */
class PackerFailureTest {
    @TempDir
    Path tmp;

    private Path flake;

    @BeforeEach
    void bigTree() {
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        for (int i = 0; i < 1200; i++) {
            TestFlakes.write(flake, "d" + (i % 30) + "/f" + i, "file " + i);
        }
    }

    @Test
    void writeFailureHalfWayClosesEverythingTheWalkOpened() throws Exception {
        long before = openFileDescriptors();
        for (int i = 0; i < 3; i++) {
            IOException e = assertThrows(IOException.class,
                    () -> new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, new FailingAfter(2000)));
            assertEquals("disk full", e.getMessage());
        }
        assertTrue(openFileDescriptors() <= before + 2, "directories opened by the walk are closed again");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("npc-pack-walk")),
                "the walk thread has ended");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("npc-pack-hash")),
                "the thread that hashed and wrote the archive has ended");
    }

    @Test
    void refusalFoundLateLeavesNoOpenDirectoriesBehind() throws Exception {
        TestFlakes.symlink(flake, "zz/bad", "/etc/passwd"); // sorts last: found after several batches
        long before = openFileDescriptors();
        for (int i = 0; i < 3; i++) {
            assertThrows(PackException.class,
                    () -> new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, OutputStream.nullOutputStream()));
        }
        assertTrue(openFileDescriptors() <= before + 2, "directories opened by the walk are closed again");
    }

    private static long openFileDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** An output that accepts a few bytes and then fails like a full disk. */
    private static final class FailingAfter extends OutputStream {
        private long left;

        FailingAfter(long bytes) {
            left = bytes;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            left -= len;
            if (left < 0) {
                throw new IOException("disk full");
            }
        }
    }
}
