package dev.npc.daemon.loop;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnceModesTest {
    @TempDir
    Path tmp;

    @Test
    void onceActivateKeepsPollingUntilAnActivationHappened() {
        try (TestFleet fleet = new TestFleet(tmp)) {
            fleet.publishSystem("prod", "v1");
            AtomicInteger sleeps = new AtomicInteger();
            Instant start = fleet.clock.instant();
            // desired.json appears only after the daemon has waited a few minutes (a fresh EC2 host).
            fleet.onSleep(() -> {
                if (sleeps.incrementAndGet() == 200) {
                    fleet.desired("{\"remote\": \"prod\"}");
                }
            });

            assertEquals(0, fleet.run("follow", "--once=activate"), fleet.err());

            assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
            assertTrue(Duration.between(start, fleet.clock.instant()).toSeconds() >= 199, "it waited between polls");
            assertTrue(fleet.out().contains("no hosts/web-1/desired.json"), fleet.out());
        }
    }

    @Test
    void onceActivateReturnsAtOnceWhenTheHostAlreadyRunsItsVersion() {
        try (TestFleet fleet = new TestFleet(tmp)) {
            fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            assertEquals(0, fleet.run("follow", "--once"), fleet.err());
            Instant before = fleet.clock.instant();
            fleet.system.clearCalls();

            assertEquals(0, fleet.run("install", "--store", fleet.store.url()), fleet.err());

            assertEquals(before, fleet.clock.instant(), "no waiting");
            assertEquals(java.util.List.of(), fleet.system.commands());
        }
    }

    @Test
    void onceRejectsAnUnknownValue() {
        try (TestFleet fleet = new TestFleet(tmp)) {
            assertEquals(2, fleet.run("follow", "--once=forever"));
            assertTrue(fleet.err().contains("--once=forever is not valid; use --once or --once=activate"), fleet.err());
        }
    }

    @Test
    void pollsAreSpreadByJitterOfTwentyPercent() {
        FollowLoop loop = new FollowLoop(null, null, null, null, null, Duration.ofSeconds(60), 0.2,
                java.util.random.RandomGenerator.of("L64X128MixRandom"), null);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long ms = loop.nextWait().toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertTrue(min >= 48_000 && max <= 72_000, min + ".." + max);
        assertTrue(max - min > 20_000, "actually spread: " + min + ".." + max);
    }
}
