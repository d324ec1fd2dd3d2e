package dev.npc.pack;

import com.github.luben.zstd.util.Native;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.SystemProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zstd-jni's library is copied into the cache once and loaded from there; without a usable cache a pack still works. */
class ZstdLibraryTest {
    @TempDir
    Path tmp;

    private String run(Path cacheDirectory) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessResult result = new SystemProcessRunner().run(List.of(java, "-cp", System.getProperty("java.class.path"),
                ZstdLibraryMain.class.getName(), cacheDirectory.toString()), Map.of(), null, Duration.ofMinutes(2));
        assertEquals(0, result.exitCode(), result.stderr().text());
        assertTrue(result.stdout().text().contains("packed "), result.stdout().text());
        return result.stdout().text();
    }

    private static Path onlyFile(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    /** What the jar holds under the copy's name (linux-amd64-libzstd-jni-X.so is /linux/amd64/libzstd-jni-X.so). */
    private static byte[] fromJar(Path copy) throws Exception {
        String name = copy.getFileName().toString();
        int second = name.indexOf('-', name.indexOf('-') + 1);
        String resource = "/" + name.substring(0, second).replace('-', '/') + "/" + name.substring(second + 1);
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void copiedOnceThenLoadedFromTheCache() throws Exception {
        Path cache = tmp.resolve("cache/npc");
        String first = run(cache);
        Path copy = onlyFile(cache);
        assertArrayEquals(fromJar(copy), Files.readAllBytes(copy));
        assertTrue(first.contains("mapped " + copy + "\n"), first);

        var written = Files.getLastModifiedTime(copy);
        String second = run(cache);
        assertTrue(second.contains("mapped " + copy + "\n"), second);
        assertEquals(written, Files.getLastModifiedTime(copy), "an intact copy is not written again");
    }

    @Test
    void aDamagedCopyIsReplaced() throws Exception {
        Path cache = tmp.resolve("cache/npc");
        run(cache);
        Path copy = onlyFile(cache);
        Files.write(copy, new byte[] {1, 2, 3}); // a copy cut short
        String output = run(cache);
        assertArrayEquals(fromJar(copy), Files.readAllBytes(copy));
        assertTrue(output.contains("mapped " + copy + "\n"), output);

        // Same size, one byte changed: only the jar's exact bytes are ever loaded.
        byte[] tampered = Files.readAllBytes(copy);
        tampered[tampered.length / 2] ^= 0x5a;
        Files.write(copy, tampered);
        run(cache);
        assertArrayEquals(fromJar(copy), Files.readAllBytes(copy));
    }

    @Test
    void withoutAUsableCacheZstdJniLoadsItsOwnCopy() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        String output = run(notADirectory.resolve("npc"));
        assertTrue(output.contains("mapped "), output);
        assertFalse(output.contains(tmp.toString()), output);
    }
}
