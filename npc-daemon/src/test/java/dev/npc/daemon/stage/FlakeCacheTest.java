package dev.npc.daemon.stage;

import dev.npc.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlakeCacheTest {
    @TempDir
    Path tmp;

    @Test
    void keepsTheNewestThreeAndAlwaysTheOneInUse() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-22T10:00:00Z"));
        FlakeCache cache = new FlakeCache(tmp, clock);
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String sha = String.valueOf((char) ('a' + i)).repeat(64);
            Path dir = Files.createDirectories(cache.dir(sha).resolve("sub"));
            Files.writeString(dir.resolve("flake.nix"), "{}");
            cache.touch(cache.dir(sha));
            clock.advance(Duration.ofMinutes(1));
            versions.add(sha);
        }
        Files.createDirectories(tmp.resolve("not-a-flake"));

        List<String> deleted = cache.prune(Set.of(versions.get(0)));

        assertEquals(Set.of(versions.get(1), versions.get(2)), Set.copyOf(deleted));
        for (String kept : List.of(versions.get(0), versions.get(3), versions.get(4), versions.get(5))) {
            assertTrue(Files.isDirectory(cache.dir(kept)), kept);
        }
        assertTrue(Files.isDirectory(tmp.resolve("not-a-flake")), "only flake directories are pruned");
    }
}
