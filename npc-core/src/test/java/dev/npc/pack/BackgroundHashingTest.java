package dev.npc.pack;

import dev.npc.digest.Sha256Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hashing thread sees and writes exactly what was written, in order, and its failures reach the writer. */
class BackgroundHashingTest {
    @TempDir
    Path tmp;

    private static boolean hashThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("npc-pack-hash"));
    }

    @Test
    void writesAndHashesEveryByteInOrder() throws Exception {
        Random random = new Random(3);
        byte[] input = new byte[3_000_000];
        random.nextBytes(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageDigest digest = new Sha256Digest();
        BackgroundHashing hashed = new BackgroundHashing(out, digest);
        int off = 0;
        while (off < input.length) {
            if (random.nextInt(10) == 0) {
                hashed.write(input[off++]);
            } else {
                int n = Math.min(input.length - off, random.nextInt(400_000));
                hashed.write(input, off, n);
                off += n;
            }
        }
        hashed.finish();
        hashed.close();
        assertArrayEquals(input, out.toByteArray());
        assertEquals(input.length, hashed.count());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(input), digest.digest());
        assertFalse(hashThreadRunning());
    }

    @Test
    void aFailingDestinationFailsTheWriter() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        BackgroundHashing hashed = new BackgroundHashing(full, new Sha256Digest());
        IOException e = assertThrows(IOException.class, () -> {
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; i < 1000; i++) {
                hashed.write(chunk, 0, chunk.length);
            }
            hashed.finish();
        });
        assertEquals("disk full", e.getMessage());
        hashed.close();
        assertFalse(hashThreadRunning());
    }

    /** A pack that failed stops the thread without touching the caller's stream (no interrupted FileChannel). */
    @Test
    void closedBeforeTheEndLeavesTheDestinationOpen() throws Exception {
        Path file = tmp.resolve("archive");
        try (OutputStream out = Files.newOutputStream(file)) {
            BackgroundHashing hashed = new BackgroundHashing(out, new Sha256Digest());
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; i < 40; i++) {
                hashed.write(chunk, 0, chunk.length);
            }
            hashed.close();
            assertFalse(hashThreadRunning());
            out.write(7); // still open
        }
        assertTrue(Files.size(file) <= 40L * (1 << 16) + 1);
    }
}
