package dev.npc.daemon;

import dev.npc.daemon.testing.TestFleet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resident daemon between polls, as its own process: it waits on file events of its state
 * directory, not in slices, yet a trigger still wakes it at once and SIGTERM still stops it at once,
 * with an hour left to wait. The 60 s bounds below only keep a broken build from hanging: a daemon
 * that missed the event would wait out its five-minute look, or the hour.
 */
class IdleWaitTest {
    @TempDir
    Path tmp;
    TestFleet fleet;
    Process daemon;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void aTriggerWakesADaemonWithAnHourToWaitAndSigtermStopsIt() throws Exception {
        fleet = new TestFleet(tmp);
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publish("prod", Map.of("system-name", "v1"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                NpcDaemon.class.getName(), "follow"));
        command.addAll(fleet.flags());
        command.addAll(List.of("--interval", "1h"));
        Path log = tmp.resolve("daemon.log");
        daemon = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("the first activation", log, () -> Files.exists(fleet.stateDir.state()) && fleet.system.running().endsWith("v1"));
        Thread.sleep(500); // into the hour's wait

        assertEquals(0, fleet.run("trigger"), fleet::err);
        await("the trigger to wake the daemon", log, () -> read(log).contains("woken by a trigger"));
        await("the poll to consume the trigger", log, () -> !Files.exists(fleet.stateDir.trigger()));

        Thread.sleep(500); // waiting again
        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "SIGTERM ends the wait: " + read(log));
        assertFalse(read(log).contains("Exception"), read(log));
    }

    private void await(String what, Path log, BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end || !daemon.isAlive()) {
                throw new AssertionError("gave up waiting for " + what + "; daemon log:\n" + read(log));
            }
            Thread.sleep(20);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
