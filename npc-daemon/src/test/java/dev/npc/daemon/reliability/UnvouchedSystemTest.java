package dev.npc.daemon.reliability;

import dev.npc.files.AtomicFiles;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon killed after switching to a new system but before it passed its checks: if that system
 * is unhealthy, the restart returns to the one that ran before, instead of taking the broken one
 * for the system to come back to. (The kill itself is simulated by the files it leaves; CrashTest
 * kills real JVMs.)
 */
class UnvouchedSystemTest {
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

    @Test
    void anUnhealthyNewSystemFoundAtRestartIsRolledBack() throws Exception {
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publishSystem("prod", "v1");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        String v1 = fleet.system.running();
        HostState good = fleet.localState();

        // What kill -9 during the health check of v2 leaves: v2 switched to, attempt.json, phase checking.
        String v2Sha = fleet.publishSystem("prod", "v2");
        String v2 = fleet.system.toplevel("v2").toString();
        Files.delete(fleet.system.currentSystem);
        Files.createSymbolicLink(fleet.system.currentSystem, Path.of(v2));
        Files.delete(fleet.system.systemProfile);
        Files.createSymbolicLink(fleet.system.systemProfile, Path.of(v2));
        Files.writeString(fleet.stateDir.inFlight(), "{\"target\": {\"remote\": \"prod\", \"sha256\": \"" + v2Sha
                + "\", \"configuration\": \"web-1\", \"action\": \"switch\"}, \"attempt\": 1,"
                + " \"startedAt\": \"2026-11-22T10:00:00Z\", \"toplevel\": \"" + v2 + "\","
                + " \"previous\": {\"profile\": \"" + v1 + "\", \"running\": \"" + v1 + "\"}}");
        AtomicFiles.write(fleet.stateDir.state(), Json.write(StateBuilder.host("web-1").at(good.updatedAt())
                .phase(Phase.CHECKING).desired(good.desired()).current(good.current()).attempt(good.lastAttempt())
                .build()));
        fleet.system.systemState("degraded");
        fleet.system.clearCalls();

        fleet.run("follow", "--once");

        assertTrue(fleet.err().contains("npc-daemon stopped during checking; the running system is " + v2
                + " (the new system, not yet checked); it failed its checks"), fleet.err());
        assertTrue(fleet.err().contains("rolled back: now running " + v1), fleet.err());
        assertEquals(v1, fleet.system.running(), "back on the last good system");
        assertEquals(v1, fleet.system.profile());
        HostState state = fleet.localState();
        assertEquals(v1, state.current().system());
        List<String> results = fleet.history().stream()
                .map(k -> k.replaceAll(".*-(success|failed|rolled-back|interrupted)\\.json$", "$1")).toList();
        assertEquals(List.of("success", "interrupted", "rolled-back"), results,
                "the retry of v2 switches, fails its checks and rolls back to v1 again");
        assertEquals(Result.ROLLED_BACK, state.lastAttempt().result());
    }
}
