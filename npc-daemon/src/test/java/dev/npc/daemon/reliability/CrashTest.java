package dev.npc.daemon.reliability;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a real npc-daemon JVM in each phase, then a restart: the restarted daemon reports the
 * attempt as interrupted, names the system that really runs, and carries on safely; no history
 * record is lost or doubled. One host walks through the phases, each restart being the next
 * victim, so the whole walk costs eight JVMs.
 */
class CrashTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    FaultProxy proxy;
    TestFleet fleet;
    BlockingStandIns blocking;
    String initial;
    int run;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start();
        proxy = FaultProxy.start(s3.endpoint()).stallFor(Duration.ofSeconds(60));
        fleet = new TestFleet(tmp.resolve("host"), s3.open("crash"));
        blocking = new BlockingStandIns(fleet.system, tmp.resolve("blocking"));
        fleet.desired("{\"remote\": \"prod\"}");
        initial = fleet.system.running();
    }

    @AfterEach
    void tearDown() {
        fleet.close();
        proxy.close();
        s3.close();
    }

    @Test
    void killedInEveryPhaseTheRestartedDaemonTellsTheTruthAndCarriesOn() throws Exception {
        String v1 = fleet.publishSystem("prod", "v1");
        String v1System = fleet.system.nixStore.resolve("v1").toString();

        // downloading: the remote's body stops half way.
        proxy.inject(Fault.STALL_MID_BODY, "GET", "/remotes/", 1);
        DaemonProcess daemon = start();
        await("downloading", () -> Phase.DOWNLOADING.equals(localPhase()));
        daemon.kill9();
        assertEquals(initial, fleet.system.running());
        assertEquals(0, blocking.calls("nix"), "nothing built from a partial download");

        // building: the restart recovers, downloads again, and is killed inside nix build.
        blocking.hold("nix", 1);
        daemon = start();
        blocking.awaitHeld("nix", 1, Duration.ofSeconds(60));
        assertEquals(Phase.BUILDING, localPhase());
        daemon.kill9();
        blocking.release("nix", 1);
        assertRecovered(daemon, "downloading", initial);

        // activating: killed while nix-env sets the profile, before switch-to-configuration.
        blocking.hold("nix-env", 1);
        daemon = start();
        blocking.awaitHeld("nix-env", 1, Duration.ofSeconds(60));
        assertEquals(Phase.ACTIVATING, localPhase());
        daemon.kill9();
        blocking.release("nix-env", 1);
        assertRecovered(daemon, "building", initial);
        assertEquals(initial, fleet.system.profile());

        // checking: the switch happened, the health check is killed. The systemctl calls before it:
        // recovery's is-active (the daemon was killed activating: is its switch still running?), then
        // the attempt's is-active (is another switch running?) and list-units (the failed units before).
        int healthCheck = blocking.calls("systemctl") + 4;
        blocking.hold("systemctl", healthCheck);
        daemon = start();
        blocking.awaitHeld("systemctl", healthCheck, Duration.ofSeconds(60));
        assertEquals(Phase.CHECKING, localPhase());
        assertEquals(v1System, fleet.system.running());
        daemon.kill9();
        blocking.release("systemctl", healthCheck);
        assertRecovered(daemon, "activating", initial);

        // reporting: the success record's upload hangs and the daemon dies with it in flight.
        proxy.inject(Fault.STALL, "PUT", "-success.json", 1);
        daemon = start();
        await("the success record upload", () -> proxy.served(Fault.STALL) == 1);
        daemon.kill9();
        assertRecovered(daemon, "checking", v1System + " (the new system, not yet checked)");

        // The next start delivers what the dead one could not, once.
        daemon = start();
        assertEquals(0, daemon.waitFor(60), daemon.output());
        assertEquals(v1System, fleet.system.running());
        HostState state = fleet.bucketState();
        assertEquals(v1, state.current().sha256());
        assertEquals(Result.SUCCESS, state.lastAttempt().result());
        assertEquals(List.of("interrupted", "interrupted", "interrupted", "interrupted", "success"), results(),
                fleet.history().toString());
        assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));

        // rolling back: v2 fails its health check and the rollback is killed.
        fleet.publishSystem("prod", "v2");
        fleet.system.systemState("degraded");
        int rollbackNixEnv = blocking.calls("nix-env") + 2;
        blocking.hold("nix-env", rollbackNixEnv);
        daemon = start();
        blocking.awaitHeld("nix-env", rollbackNixEnv, Duration.ofSeconds(60));
        assertEquals(Phase.ROLLING_BACK, localPhase());
        String v2System = fleet.system.nixStore.resolve("v2").toString();
        assertEquals(v2System, fleet.system.running());
        daemon.kill9();
        blocking.release("nix-env", rollbackNixEnv);

        daemon = start();
        daemon.waitFor(60);
        String out = daemon.output();
        assertTrue(out.contains("npc-daemon stopped during rolling-back; the running system is " + v2System
                + "; finished the rollback: now running " + v1System), out);
        assertEquals(v1System, fleet.system.running(), "the host ends on the last good system:\n" + out);
        HostState after = fleet.bucketState();
        assertEquals(v1System, after.current().system(), after.toString());
        assertEquals(List.of("interrupted", "interrupted", "interrupted", "interrupted", "success", "interrupted",
                "rolled-back"), results(), "the retry of v2 fails its checks and rolls back again; v2 never succeeds");
        assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));
    }

    private DaemonProcess start() throws Exception {
        Path output = tmp.resolve("daemon-" + (++run) + ".log");
        List<String> args = new ArrayList<>(List.of("follow", "--once",
                "--state-dir", fleet.stateDir.root().toString(),
                "--store", fleet.store.url(), "--endpoint-url", proxy.endpointUrl(), "--region", EmbeddedS3.REGION,
                "--host", TestFleet.HOST, "--nix-bin", blocking.bin.toString(),
                "--systemctl", blocking.bin.resolve("systemctl").toString(),
                "--current-system", fleet.system.currentSystem.toString(),
                "--system-profile", fleet.system.systemProfile.toString(),
                "--retries", "10", "--retry-backoff", "0s", "--health-timeout", "1s"));
        return DaemonProcess.start(args, Map.of("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY, "AWS_REGION", EmbeddedS3.REGION), output);
    }

    /** The restarted daemon's first words name the phase it died in and the system that really runs. */
    private void assertRecovered(DaemonProcess killedNext, String phase, String running) throws Exception {
        String log = Files.readString(tmp.resolve("daemon-" + run + ".log"));
        assertTrue(log.contains("npc-daemon stopped during " + phase + "; the running system is " + running),
                "run " + run + ":\n" + log);
    }

    private Phase localPhase() {
        try {
            if (!Files.exists(fleet.stateDir.state())) {
                return null;
            }
            return Json.read(Files.readAllBytes(fleet.stateDir.state()), HostState.class, "state.json").phase();
        } catch (Exception e) {
            return null;
        }
    }

    private List<String> results() {
        return fleet.history().stream().map(k -> k.replaceAll(".*-(success|failed|rolled-back|interrupted)\\.json$", "$1")).toList();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("never reached: " + what);
            }
            Thread.sleep(20);
        }
    }
}
