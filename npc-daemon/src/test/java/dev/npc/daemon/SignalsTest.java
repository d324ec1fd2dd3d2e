package dev.npc.daemon;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/** The daemon as its own process, stopped by SIGTERM or killed by SIGKILL in the middle of a step. */
class SignalsTest {
    @TempDir
    Path tmp;
    TestFleet fleet;
    Process daemon;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
        fleet.desired("{\"remote\": \"prod\"}");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        fleet.close();
    }

    private Process start() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                NpcDaemon.class.getName(), "follow"));
        command.addAll(fleet.flags());
        command.addAll(List.of("--interval", "1s"));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("daemon.log").toFile()).start();
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end || (daemon != null && !daemon.isAlive() && !what.startsWith("after"))) {
                throw new AssertionError("gave up waiting for " + what + "; daemon log:\n"
                        + Files.readString(tmp.resolve("daemon.log")));
            }
            Thread.sleep(20);
        }
    }

    private boolean logSays(String line) {
        try {
            return Files.readString(tmp.resolve("daemon.log")).lines().anyMatch(line::equals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the stand-in systemd-run still runs a switch in the transient unit. */
    private boolean switchRunning() {
        return Files.exists(fleet.system.transientUnits.resolve(dev.npc.daemon.stage.Activator.SWITCH_SERVICE));
    }

    /** trigger and retry know whether a follow process runs: the lock it holds in the state directory. */
    @Test
    void triggerAndRetryTellWhetherADaemonRuns() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1"));
        daemon = start();
        await("the daemon to start", () -> Files.exists(fleet.stateDir.running()) && Files.exists(fleet.stateDir.state()));
        assertEquals(0, fleet.run("trigger"), fleet::err);
        assertEquals(0, fleet.run("retry"), fleet::err);

        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stops");
        assertEquals(3, fleet.run("trigger"));
        assertTrue(fleet.err().contains("no npc-daemon follow is running"), fleet::err);
    }

    @Test
    void sigtermDuringTheBuildLetsTheBuildFinishAndNeverStartsTheSwitch() throws Exception {
        Path hold = Files.writeString(tmp.resolve("build-held"), "");
        fleet.publish("prod", Map.of("system-name", "v1", "build-waits-for", hold.toString()));
        String initial = fleet.system.running();
        daemon = start();
        await("the build to start", () -> fleet.system.commands().stream().anyMatch(c -> c.startsWith("nix ")));

        daemon.destroy();
        // The build ends only once the daemon has the request, whatever the machine's load.
        await("the daemon to take the stop", () -> logSays("npc-daemon: asked to stop: the step in progress ends first"));
        Files.delete(hold);
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stops");

        String log = Files.readString(tmp.resolve("daemon.log"));
        assertEquals(1, fleet.system.commands().size(), "no nix-env, no switch: " + fleet.system.commands());
        assertEquals(initial, fleet.system.running());
        HostState state = fleet.localState();
        assertEquals(Phase.IDLE, state.phase(), log);
        assertEquals(Result.INTERRUPTED, state.lastAttempt().result(), log);
        assertFalse(Files.exists(fleet.stateDir.inFlight()));
        assertFalse(log.contains("Exception"), log);
    }

    @Test
    void sigkillMidSwitchIsReportedAsInterruptedAfterTheRestart() throws Exception {
        Path hold = Files.writeString(tmp.resolve("switch-held"), "");
        fleet.publish("prod", Map.of("system-name", "v1", "switch-waits-for", hold.toString()));
        daemon = start();
        await("the switch to start",
                () -> fleet.system.commands().stream().anyMatch(c -> c.endsWith("/bin/switch-to-configuration switch")));

        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Phase.ACTIVATING, fleet.localState().phase(), "killed mid-step, as recorded");
        // The orphaned switch-to-configuration goes on (printing as it works) to its end, as it
        // must on a real host: its output has somewhere to go without the daemon.
        await("after the kill, the switch's unit", this::switchRunning);
        Files.delete(hold);
        await("after the kill, the orphaned switch to end", () -> !switchRunning());
        assertTrue(fleet.system.running().endsWith("/v1"), "the orphaned switch ran to its end: " + fleet.system.running());
        fleet.system.clearCalls();

        assertEquals(0, fleet.run("follow", "--once", "--retry-backoff", "0s"), fleet.err());

        assertTrue(fleet.history().stream().anyMatch(k -> k.endsWith("-interrupted.json")), fleet.history().toString());
        assertTrue(fleet.err().contains("npc-daemon stopped during activating"), fleet.err());
        assertTrue(fleet.system.commands().contains("systemctl is-system-running --wait"),
                "the system the killed daemon switched to is checked: " + fleet.system.commands());
        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.contains("/bin/switch-to-configuration")),
                fleet.system.commands().toString());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
    }
}
