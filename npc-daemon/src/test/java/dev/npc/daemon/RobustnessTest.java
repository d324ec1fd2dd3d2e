package dev.npc.daemon;

import dev.npc.files.OsFileLock;
import dev.npc.files.AtomicFiles;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.testing.StateBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input, outages, crashes and signals: the host stays as it was and the state says why. */
class RobustnessTest {
    @TempDir
    Path tmp;
    TestFleet fleet;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all                                   | is not valid",
            "{\"remote\": [1, 2]}                               | is not valid",
            "{\"remote\": \"prod\", \"action\": \"reboot\"}     | action 'reboot' is not one of switch, boot, test",
            "{\"configuration\": \"web-1\"}                     | has no \"remote\"",
            "{\"remote\": \"../etc\"}                           | remote name '../etc' is not valid",
            "{\"remote\": \"prod\", \"prebuilt\": \"/tmp/x\"}   | is not a /nix/store path"})
    void badDesiredIsReportedAndTheDaemonKeepsRunning(String desired, String expected) throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired(desired);
        String initial = fleet.system.running();
        try (Daemon daemon = fleet.daemon()) {
            assertEquals(1, daemon.follow(FollowLoop.Mode.ONCE));

            HostState state = fleet.bucketState();
            assertNotNull(state.desired().error(), "desired.error is set");
            assertTrue(state.desired().error().contains(expected), state.desired().error());
            assertTrue(state.desired().error().startsWith("hosts/web-1/desired.json"), state.desired().error());
            assertFalse(state.desired().error().contains("\n"));
            assertEquals(List.of(), fleet.system.commands());
            assertEquals(initial, fleet.system.running());

            fleet.desired("{\"remote\": \"prod\"}");
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), "the same daemon recovers when desired.json is fixed");
            assertNull(fleet.localState().desired().error());
            assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        }
    }

    @Test
    void missingDesiredLeavesTheHostIdleWithAClearMessage() {
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        HostState state = fleet.localState();
        assertEquals(Phase.IDLE, state.phase());
        assertNull(state.desired());
        assertTrue(state.message().startsWith("no hosts/web-1/desired.json in file://"), state.message());
        assertTrue(state.message().contains("npc hosts set web-1 --remote NAME"), state.message());
        assertNotNull(fleet.bucketState(), "an idle host still reports");
        assertEquals(List.of(), fleet.system.commands());
    }

    @Test
    void missingRemoteIsADesiredError() {
        fleet.desired("{\"remote\": \"nope\"}");

        assertEquals(1, fleet.run("follow", "--once"));

        assertTrue(fleet.localState().desired().error().contains("remote 'nope' does not exist"),
                fleet.localState().desired().error());
    }

    @Test
    void stateIsUploadedWhenTheStoreIsBack() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        try (Daemon daemon = fleet.daemon()) {
            // The poll reaches the store; then the store goes away before the first report.
            daemon.reporter().onChange(s -> fleet.store.unreachable(true));
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), "a failed upload never fails the activation");
            assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
            assertTrue(fleet.system.running().endsWith("/v1"));
            fleet.store.unreachable(false);
            assertNull(fleet.bucketState());
            assertTrue(Files.exists(fleet.stateDir.outbox().resolve("state.pending")));
            assertTrue(fleet.err().contains("uploaded when the store is back"), fleet.err());
        }
        try (Daemon daemon = fleet.daemon()) {
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));
        }
        HostState uploaded = fleet.bucketState();
        assertNotNull(uploaded);
        assertEquals(sha, uploaded.current().sha256());
        assertEquals(1, fleet.history().size(), fleet.history().toString());
        assertFalse(Files.exists(fleet.stateDir.outbox().resolve("state.pending")));
    }

    @Test
    void unreachableStoreDuringPollIsReportedAndNotFatal() throws Exception {
        fleet.store.unreachable(true);

        assertEquals(1, fleet.run("follow", "--once"));

        assertTrue(fleet.err().contains("cannot poll"), fleet.err());
        assertTrue(fleet.localState().message().startsWith("store unreachable"), fleet.localState().message());
        assertFalse(fleet.err().contains("\tat "), "no stack trace: " + fleet.err());
    }

    @Test
    void restartAfterKillDuringBuildReportsInterrupted() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        Files.createDirectories(fleet.stateDir.root());
        HostState killed = StateBuilder.host("web-1").at(Instant.parse("2026-11-22T09:59:00Z")).phase(Phase.BUILDING)
                .desired("prod", sha).build();
        AtomicFiles.write(fleet.stateDir.state(), Json.write(killed));

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertTrue(fleet.history().stream().anyMatch(k -> k.endsWith("-interrupted.json")), fleet.history().toString());
        assertTrue(fleet.err().contains("npc-daemon stopped during building; the running system is "
                + fleet.system.nixStore.resolve("initial").toRealPath()), fleet.err());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result(), "then carries on");
    }

    @Test
    void restartAfterKillMidSwitchChecksTheNewSystemBeforeTrustingIt() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        // Simulate kill -9 right after switch-to-configuration: state says activating, v1 runs.
        try (Daemon daemon = fleet.daemon()) {
            daemon.follow(FollowLoop.Mode.ONCE);
        }
        HostState done = fleet.localState();
        String attemptJson = "{\"target\": {\"remote\": \"prod\", \"sha256\": \"" + done.current().sha256()
                + "\", \"configuration\": \"web-1\", \"action\": \"switch\"}, \"attempt\": 1, \"startedAt\": \"2026-11-22T10:00:00Z\","
                + " \"toplevel\": \"" + done.current().system() + "\"}";
        Files.writeString(fleet.stateDir.inFlight(), attemptJson);
        AtomicFiles.write(fleet.stateDir.state(), Json.write(StateBuilder.host("web-1").at(done.updatedAt())
                .phase(Phase.ACTIVATING).desired(done.desired()).build()));
        fleet.system.clearCalls();
        fleet.clock.advance(java.time.Duration.ofMinutes(5));

        try (Daemon daemon = fleet.daemon()) {
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));
        }

        assertTrue(fleet.err().contains("(the new system, not yet checked)"), fleet.err());
        List<String> commands = fleet.system.commands();
        assertEquals("systemctl is-active nixos-rebuild-switch-to-configuration.service", commands.get(0),
                "first: is the switch the killed daemon started still running in its unit?");
        assertTrue(commands.stream().noneMatch(c -> c.contains("/bin/switch-to-configuration")), commands.toString());
        assertTrue(commands.contains("systemctl is-system-running --wait"), "checked: " + commands);
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertFalse(Files.exists(fleet.stateDir.inFlight()));
    }

    @Test
    void stopRequestedBeforeActivationStopsBetweenSteps() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        String initial = fleet.system.running();
        try (Daemon daemon = fleet.daemon()) {
            // SIGTERM arrives while the build runs: the build finishes, the switch never starts.
            daemon.reporter().onChange(s -> {
                if (Phase.BUILDING.equals(s.phase())) {
                    daemon.stopSignal().request();
                }
            });
            assertEquals(0, daemon.follow(FollowLoop.Mode.FOREVER), "a stop is a clean exit for systemd");
        }
        assertEquals(initial, fleet.system.running());
        HostState state = fleet.localState();
        assertEquals(Phase.IDLE, state.phase(), "stopped cleanly, nothing to recover");
        assertEquals(Result.INTERRUPTED, state.lastAttempt().result());
        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.startsWith("nix-env")));
        assertFalse(Files.exists(fleet.stateDir.retries()), "a stop does not count against the version");
    }

    @Test
    void anotherActivationHoldingTheLockMeansSkip() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        Files.createDirectories(fleet.stateDir.root());
        try (OsFileLock.Held held = new OsFileLock(fleet.stateDir.lock()).tryAcquire()) {
            assertNotNull(held);
            assertEquals(0, fleet.run("follow", "--once"));
        }
        assertEquals(List.of(), fleet.system.commands());
        assertTrue(fleet.err().contains("another npc-daemon is activating"), fleet.err());
    }

    @Test
    void aPollThatBreaksDoesNotEndTheDaemon() throws Exception {
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\"}");
        Files.createDirectories(fleet.stateDir.root());
        // retries.json cannot be read or replaced while it is a directory: every poll would fail on it.
        Files.createDirectories(fleet.stateDir.retries().resolve("blocked"));
        java.util.concurrent.atomic.AtomicInteger sleeps = new java.util.concurrent.atomic.AtomicInteger();
        try (Daemon daemon = fleet.daemon()) {
            fleet.onSleep(() -> {
                if (sleeps.incrementAndGet() == 150) {
                    daemon.stopSignal().request();
                }
            });
            fleet.publish("prod", Map.of("system-name", "v2", "build-fails", "boom"));
            assertEquals(0, daemon.follow(FollowLoop.Mode.FOREVER));
        }
        assertTrue(fleet.err().contains("poll failed: "), fleet.err());
        assertTrue(fleet.err().lines().filter(l -> l.contains("poll failed")).count() >= 2,
                "it kept polling: " + fleet.err());
    }

    @Test
    void switchToANewDaemonExitsAfterReporting() throws Exception {
        Path self = tmp.resolve("old-npc-daemon");
        Files.writeString(self, "#!/bin/sh\n");
        fleet.publish("prod", Map.of("system-name", "v1", "self-daemon", ""));
        fleet.desired("{\"remote\": \"prod\"}");

        assertEquals(0, fleet.run("follow", "--self-path", self.toString()), "follow (forever) returns for a restart");

        assertEquals(Result.SUCCESS, fleet.bucketState().lastAttempt().result(), "reported before exiting");
        assertTrue(fleet.out().contains("the new system brings a different npc-daemon; exiting so systemd starts"), fleet.out());
    }
}
