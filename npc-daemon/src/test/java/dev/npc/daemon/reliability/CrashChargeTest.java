package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A version that makes the daemon die (here a real OutOfMemoryError at the module's -Xmx128m) in
 * any phase is charged to that version's retries at the next start, as systemd's Restart=always
 * would start it: the host stops trying after --retries and waits for a new version instead of
 * crash-looping, and its state says which phase died and of what. Before, the attempt record was
 * deleted on the way out, the death was never charged, and every restart died again.
 */
class CrashChargeTest {
    @TempDir
    Path tmp;

    @Test
    void dyingOfOutOfMemoryWhileDownloadingIsChargedAndEndsTheLoop() throws Exception {
        assertChargedAndBounded("download", "downloading");
    }

    @Test
    void dyingOfOutOfMemoryWhileBuildingIsChargedAndEndsTheLoop() throws Exception {
        assertChargedAndBounded("nix", "building");
    }

    @Test
    void dyingOfOutOfMemoryWhileActivatingIsChargedAndEndsTheLoop() throws Exception {
        assertChargedAndBounded("nix-env", "activating");
    }

    @Test
    void anUnexpectedExceptionInAPhaseIsChargedAtOnceByADaemonThatLivesOn() throws Exception {
        try (TestFleet fleet = new TestFleet(tmp.resolve("bug"))) {
            fleet.desired("{\"remote\": \"prod\"}");
            fleet.publishSystem("prod", "v1");
            fleet.with("--retries", "1");
            java.util.concurrent.atomic.AtomicInteger builds = new java.util.concurrent.atomic.AtomicInteger();
            Seams base = fleet.seams();
            Seams buggy = new Seams((command, env, dir, timeout) -> {
                if (command.get(0).endsWith("/nix")) {
                    builds.incrementAndGet();
                    throw new IllegalStateException("a bug in the build step");
                }
                return base.processes().run(command, env, dir, timeout);
            }, base.clock(), base.sleeper(), base.random(), base.env(), base.out(), base.err(), base.stores(),
                    base.shutdownHooks(), base.hostname());
            java.time.Instant start = fleet.clock.instant();
            try (Daemon daemon = new Daemon(fleet.settings(), buggy, new EventLog(base.out(), base.err(), false))) {
                fleet.onSleep(() -> {
                    if (fleet.clock.instant().isAfter(start.plus(java.time.Duration.ofMinutes(10)))) {
                        daemon.stopSignal().request(); // ten polls: time for every retry there is
                    }
                });
                assertEquals(0, daemon.follow(FollowLoop.Mode.FOREVER));
            }
            assertEquals(2, builds.get(), "the first attempt and one retry; then the version waits:\n" + fleet.out() + fleet.err());
            HostState state = fleet.localState();
            assertEquals(Result.FAILED, state.lastAttempt().result(), state.toString());
            assertTrue(state.lastAttempt().error().startsWith("npc-daemon died during building"
                    + " (java.lang.IllegalStateException: a bug in the build step)"), state.lastAttempt().error());
            assertEquals(Phase.IDLE, state.phase());
            assertEquals(2, fleet.history().size(), fleet.history().toString());
        }
    }

    private void assertChargedAndBounded(String exhaust, String phase) throws Exception {
        try (TestFleet fleet = new TestFleet(tmp.resolve(phase))) {
            fleet.desired("{\"remote\": \"prod\"}");
            String initial = fleet.system.running();
            String v1 = fleet.publishSystem("prod", "v1");
            DaemonProcess first = start(fleet, exhaust, 1);
            assertNotEquals(0, first.waitFor(120), first.output());
            assertTrue(first.output().contains("npc-daemon: died of java.lang.OutOfMemoryError: Java heap space"),
                    first.output());

            // Started again, as systemd's Restart=always does, with the version still there and
            // still deadly: with --retries 0 the one death used up its attempts.
            DaemonProcess second = start(fleet, exhaust, 2);
            assertEquals(0, second.waitFor(120), second.output());
            String out = second.output();
            assertTrue(out.contains("npc-daemon died during " + phase + " (java.lang.OutOfMemoryError: Java heap space);"
                    + " the running system is " + initial + "; reported as failed and counted against"), out);
            assertTrue(out.contains("failed 1 time; waiting for a new version"), out);
            assertFalse(out.contains("died of"), "no second death:\n" + out);

            HostState state = fleet.localState();
            assertEquals(Phase.IDLE, state.phase(), state.toString());
            assertEquals(Result.FAILED, state.lastAttempt().result(), state.toString());
            assertEquals(v1, state.lastAttempt().sha256());
            assertTrue(state.lastAttempt().error().startsWith("npc-daemon died during " + phase
                    + " (java.lang.OutOfMemoryError: Java heap space)"), state.lastAttempt().error());
            assertEquals(initial, fleet.system.running(), "the host still runs what it ran");
            assertEquals(1, fleet.history().size(), "one record for the death: " + fleet.history());
            assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));
        }
    }

    private DaemonProcess start(TestFleet fleet, String exhaust, int start) throws Exception {
        List<String> args = new ArrayList<>(List.of("follow", "--once"));
        args.addAll(fleet.flags());
        args.addAll(List.of("--retries", "0"));
        return DaemonProcess.start(ExhaustingDaemon.class.getName(), args, Map.of("NPC_TEST_EXHAUST", exhaust),
                fleet.root.resolve("daemon-" + start + ".log"));
    }
}
