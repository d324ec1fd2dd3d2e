package dev.npc.daemon;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.npc.daemon.FollowTest.systemdRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Maintenance windows with the real daemon against the stand-ins: outside the window a new
 * version is downloaded, verified and built, then waits, reported as waiting with the next
 * opening; the first poll inside the window switches to what was built without building again;
 * trigger --now overrides once; desired.json's window replaces --window; npc's first activation
 * on a host does not wait. The test clock starts on Sunday 2026-11-22 10:00 UTC.
 */
class WindowTest {
    static final String SATURDAY = "Sat 02:00-04:00 UTC";
    static final Instant NEXT_SATURDAY = Instant.parse("2026-11-28T02:00:00Z");

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

    /** The host runs v1, switched to by npc (the first activation, which no window holds back). */
    private String runningV1(String desired) {
        fleet.desired(desired);
        fleet.publishSystem("prod", "v1");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(fleet.system.nixStore.resolve("v1").toString(), fleet.system.running(),
                "npc's first activation on a host does not wait for the window");
        fleet.system.clearCalls();
        return fleet.system.running();
    }

    @Test
    void outsideTheWindowANewVersionIsBuiltThenWaitsAndSwitchesInTheWindowWithoutBuildingAgain() throws Exception {
        String v1 = runningV1("{\"remote\": \"prod\", \"window\": \"" + SATURDAY + "\"}");
        String version = fleet.publishSystem("prod", "v2");
        String v2 = fleet.system.nixStore.resolve("v2").toString();

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        List<String> built = fleet.system.commands();
        assertTrue(built.get(0).startsWith("nix --extra-experimental-features nix-command flakes build"), built.toString());
        assertEquals(1, built.size(), "built, and nothing switched: " + built);
        assertEquals(v1, fleet.system.running());
        HostState state = fleet.localState();
        assertEquals(new HostState.Waiting(SATURDAY, NEXT_SATURDAY, "prod", TestFleet.HOST, version, v2), state.waiting());
        assertEquals("waiting for window " + SATURDAY + " (next: 2026-11-28T02:00:00Z): " + version.substring(0, 8)
                + " (prod/web-1) is built and switches then", state.message());
        assertEquals(Phase.IDLE, state.phase());
        assertEquals(Result.SUCCESS, state.lastAttempt().result());
        assertEquals(v1, state.lastAttempt().system(), "no attempt was recorded for the waiting version");
        assertEquals(1, fleet.history().size(), "no history record for a version that waits");
        assertEquals(state.waiting(), fleet.bucketState().waiting(), "the store says it too, for npc status");
        assertFalse(Files.exists(fleet.stateDir.inFlight()), "nothing to recover: the wait is not an attempt");
        assertEquals(v2, fleet.stateDir.result().toRealPath().toString(),
                "the built system stays a garbage-collector root while it waits");

        assertEquals(0, fleet.run("status"));
        assertTrue(fleet.out().contains("waiting       for window " + SATURDAY + " (next: 2026-11-28T02:00:00Z): "
                + version.substring(0, 8) + " prod/web-1 is built  " + v2), fleet.out());

        fleet.system.clearCalls();
        fleet.clock.advance(Duration.ofDays(1));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(List.of(), fleet.system.commands(), "a later poll outside the window builds nothing again");
        assertEquals(NEXT_SATURDAY, fleet.localState().waiting().next());

        fleet.clock.advance(Duration.between(fleet.clock.instant(), NEXT_SATURDAY.plus(Duration.ofMinutes(30))));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        List<String> switched = fleet.system.commands();
        assertTrue(switched.stream().noneMatch(c -> c.startsWith("nix --")), "no second build: " + switched);
        assertTrue(switched.contains("nix-env -p " + fleet.system.systemProfile + " --set " + v2), switched.toString());
        assertTrue(switched.contains(systemdRun(v2, "switch")), switched.toString());
        assertEquals(v2, fleet.system.running());
        HostState after = fleet.localState();
        assertNull(after.waiting());
        assertNull(after.message());
        assertEquals(version, after.current().sha256());
        assertEquals(Result.SUCCESS, after.lastAttempt().result());
        assertEquals(2, fleet.history().size());
        assertFalse(Files.exists(fleet.stateDir.result()), "the profile roots it now");
    }

    @Test
    void triggerNowSwitchesOutsideTheWindowOnceThenTheWindowHoldsAgain() throws Exception {
        runningV1("{\"remote\": \"prod\", \"window\": \"" + SATURDAY + "\"}");
        fleet.publishSystem("prod", "v2");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertTrue(fleet.localState().waiting() != null);

        // No daemon runs in between, so trigger says so (exit 3) and keeps the request for the next start.
        assertEquals(3, fleet.run("trigger", "--now"));
        assertTrue(Files.exists(fleet.stateDir.now()) && Files.exists(fleet.stateDir.trigger()));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertTrue(fleet.out().contains("trigger --now: this poll's switch and reboot do not wait for the maintenance"
                + " window"), fleet.out());
        assertEquals(fleet.system.nixStore.resolve("v2").toString(), fleet.system.running());
        assertNull(fleet.localState().waiting());
        assertFalse(Files.exists(fleet.stateDir.now()), "used up");

        fleet.publishSystem("prod", "v3");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(fleet.system.nixStore.resolve("v2").toString(), fleet.system.running(), "once, not for good");
        assertEquals(fleet.system.nixStore.resolve("v3").toString(), fleet.localState().waiting().system());
    }

    @Test
    void desiredJsonsWindowReplacesTheDaemonsAndAnOpenWindowSwitchesAtOnce() throws Exception {
        fleet.with("--window", SATURDAY);
        runningV1("{\"remote\": \"prod\"}");

        fleet.publishSystem("prod", "v2");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(SATURDAY, fleet.localState().waiting().window(), "--window holds when desired.json names none");

        // Sunday 10:00 UTC is inside desired.json's window.
        fleet.desired("{\"remote\": \"prod\", \"window\": \"Sun 09:00-11:00 UTC\"}");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(fleet.system.nixStore.resolve("v2").toString(), fleet.system.running());
        assertNull(fleet.localState().waiting());
    }

    @Test
    void aWindowDesiredJsonCannotMeanIsReportedAndNothingChanges() throws Exception {
        String v1 = runningV1("{\"remote\": \"prod\"}");
        fleet.desired("{\"remote\": \"prod\", \"window\": \"Sat 2:00-4:00\"}");
        fleet.publishSystem("prod", "v2");

        fleet.run("follow", "--once");

        HostState state = fleet.localState();
        assertTrue(state.desired().error().contains("maintenance window 'Sat 2:00-4:00' is not valid; write e.g."
                + " 'Sat 02:00-04:00 UTC'"), state.desired().error());
        assertEquals(v1, fleet.system.running());
    }

    @Test
    void aVersionThatChangesWhileItWaitsIsBuiltAgainAndWaits() throws Exception {
        runningV1("{\"remote\": \"prod\", \"window\": \"" + SATURDAY + "\"}");
        fleet.publishSystem("prod", "v2");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        String v3Version = fleet.publishSystem("prod", "v3");

        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertTrue(fleet.system.commands().get(0).startsWith("nix --"), "the newer version is built");
        assertEquals(v3Version, fleet.localState().waiting().sha256());
    }
}
