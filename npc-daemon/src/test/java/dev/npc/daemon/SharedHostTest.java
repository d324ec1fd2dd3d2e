package dev.npc.daemon;

import dev.npc.files.OsFileLock;
import dev.npc.files.AtomicFiles;
import dev.npc.daemon.loop.InFlight;
import dev.npc.daemon.loop.Target;
import dev.npc.daemon.stage.Generation;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.store.Layout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one host's daemons share: the activation lock (install's first activation and the
 * npc.service its switch starts, on one state directory), the unit the daemon runs as (it restarts
 * when a switch changes it), and the host's name (what install recorded wins over the kernel's).
 */
class SharedHostTest {
    private static final String UNIT = """
            [Unit]
            After=network-online.target
            Description=npc: follow the configuration this host's desired.json names
            Documentation=file:///nix/store/aaaa-npc/share/doc/npc/nixos/README.md
            X-StopOnRemoval=false

            [Service]
            Environment="NPC_SELF_PATH=/nix/store/aaaa-npc/bin/npc-daemon"
            X-RestartIfChanged=false
            X-StopIfChanged=false
            ExecStart="/nix/store/aaaa-npc/bin/npc-daemon" "follow" "--interval" "60s"
            Restart=always

            [Install]
            WantedBy=multi-user.target
            """;

    @TempDir
    Path tmp;
    TestFleet fleet;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
        fleet.desired("{\"remote\": \"prod\"}");
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void aSecondDaemonWaitsForAnotherProcessesUnfinishedAttemptInsteadOfRecoveringIt() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        HostState done = fleet.localState();
        String v1 = fleet.system.running();
        String initial = fleet.system.nixStore.resolve("initial").toString();
        // install's first activation as that process leaves it mid-switch: its phase, its attempt, its lock.
        AtomicFiles.write(fleet.stateDir.state(), Json.write(done.withPhase(Phase.ACTIVATING)));
        InFlight.started(new Target("prod", sha, "web-1", "switch", null), 1, Instant.now()).withToplevel(v1)
                .withPrevious(new Generation(initial, initial)).save(fleet.stateDir.inFlight());
        fleet.system.clearCalls();
        fleet.onSleep(SharedHostTest::pause);
        AtomicInteger code = new AtomicInteger(-1);
        Thread second;
        try (OsFileLock.Held install = new OsFileLock(fleet.stateDir.lock()).tryAcquire()) {
            second = new Thread(() -> code.set(fleet.run("follow", "--once")), "second-daemon");
            second.start();
            await(() -> fleet.out().contains("waiting for its attempt to end before recovering"));

            assertEquals(List.of(), fleet.system.commands(), "no check, no rollback while install is mid-attempt");
            assertEquals(Phase.ACTIVATING, fleet.localState().phase(), "install's state is untouched");
            // install finishes: idle, its attempt recorded, its attempt file gone, then the lock goes.
            AtomicFiles.write(fleet.stateDir.state(), Json.write(done.withUpdatedAt(done.updatedAt().plusSeconds(1))));
            Files.delete(fleet.stateDir.inFlight());
        }
        second.join(Duration.ofSeconds(60).toMillis());

        assertEquals(0, code.get(), fleet.err());
        assertFalse(fleet.err().contains("npc-daemon stopped during"), "nothing recovered: " + fleet.err());
        assertEquals(List.of("success"), results(), "no interrupted record for install's attempt");
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertEquals(sha, fleet.localState().current().sha256(), "the second daemon took install's state");
        assertTrue(fleet.system.commands().stream().noneMatch(c -> c.contains("switch-to-configuration")),
                fleet.system.commands().toString());
    }

    // The switch runs in a transient unit owned by PID 1: a daemon killed mid-switch and started
    // again (Restart=always) finds it still running, and must not check or roll back a half switch.
    @Test
    void aRestartedDaemonWaitsForTheSwitchItsPredecessorStartedBeforeRecovering() throws Exception {
        String sha = fleet.publishSystem("prod", "v1");
        String initial = fleet.system.running();
        String v1 = fleet.system.toplevel("v1").toString();
        AtomicFiles.write(fleet.stateDir.state(), Json.write(
                HostState.initial(TestFleet.HOST, Daemon.VERSION, 60).withPhase(Phase.ACTIVATING)));
        InFlight.started(new Target("prod", sha, "web-1", "switch", null), 1, Instant.now()).withToplevel(v1)
                .withPrevious(new Generation(initial, initial)).save(fleet.stateDir.inFlight());
        Path unit = fleet.system.transientUnits.resolve("nixos-rebuild-switch-to-configuration.service");
        Files.writeString(unit, "4242\n");
        fleet.onSleep(SharedHostTest::pause);
        AtomicInteger code = new AtomicInteger(-1);
        Thread restarted = new Thread(() -> code.set(fleet.run("follow", "--once")), "restarted-daemon");
        restarted.start();
        await(() -> fleet.out().contains("a switch is still running in nixos-rebuild-switch-to-configuration.service;"
                + " waiting for it to end before recovering"));

        assertTrue(fleet.system.commands().stream().allMatch(c -> c.startsWith("systemctl is-active")),
                "only asks whether the switch still runs: " + fleet.system.commands());
        // The switch ends: the new system runs, the unit is gone.
        Files.delete(fleet.system.currentSystem);
        Files.createSymbolicLink(fleet.system.currentSystem, Path.of(v1));
        Files.delete(unit);
        restarted.join(Duration.ofSeconds(60).toMillis());

        assertEquals(0, code.get(), fleet.err());
        assertTrue(fleet.err().contains("npc-daemon stopped during activating; the running system is " + v1
                + " (the new system, not yet checked); it passed its checks"), fleet.err());
        assertTrue(fleet.system.commands().contains("systemctl is-system-running --wait"));
    }

    @Test
    void aChangedUnitMakesTheDaemonExitAfterReportingAnUnchangedOneDoesNot() throws Exception {
        writeUnit(fleet.system.nixStore.resolve("initial"), UNIT);
        // Only the description and documentation differ: switch-to-configuration would not restart for that.
        fleet.publish("prod", Map.of("system-name", "v1", "npc-unit",
                UNIT.replace("follow the configuration", "keep the configuration").replace("aaaa-npc/share", "bbbb-npc/share")));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertFalse(fleet.out().contains("exiting so systemd starts"), fleet.out());

        fleet.publish("prod", Map.of("system-name", "v2", "npc-unit", UNIT.replace("\"60s\"", "\"5min\"")));
        assertEquals(0, fleet.run("follow"), "follow (forever) returns to be restarted");

        assertEquals(Result.SUCCESS, fleet.bucketState().lastAttempt().result(), "reported before exiting");
        assertTrue(fleet.out().contains("the new system changes npc.service (ExecStart); exiting so systemd starts"
                + " npc-daemon as the new system says"), fleet.out());
    }

    @Test
    void aNewSystemWithoutTheUnitLeavesTheDaemonRunningAndSaysSo() throws Exception {
        writeUnit(fleet.system.nixStore.resolve("initial"), UNIT);
        fleet.publishSystem("prod", "v1");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
        assertTrue(fleet.err().contains("the new system has no npc.service; this daemon keeps running"), fleet.err());
    }

    @Test
    void followWithoutHostUsesTheNameInstallRecordedNotTheKernels() throws Exception {
        fleet.store.put(Layout.desired("web-9"), "{\"remote\": \"prod\"}".getBytes(StandardCharsets.UTF_8), Map.of());
        fleet.publishSystem("prod", "v1");
        List<String> withoutHost = new ArrayList<>(fleet.flags());
        int host = withoutHost.indexOf("--host");
        withoutHost.subList(host, host + 2).clear();

        List<String> install = new ArrayList<>(List.of("install", "--host", "web-9"));
        install.addAll(withoutHost);
        assertEquals(0, NpcDaemon.run(fleet.seams(), install.toArray(String[]::new)), fleet.err());
        List<String> follow = new ArrayList<>(List.of("follow", "--once"));
        follow.addAll(withoutHost);
        fleet.publishSystem("prod", "v2");
        fleet.clock.advance(Duration.ofMinutes(1));
        assertEquals(0, NpcDaemon.run(fleet.seams(), follow.toArray(String[]::new)), fleet.err());

        assertTrue(fleet.out().contains("following hosts/web-9/desired.json"), fleet.out());
        assertFalse(fleet.out().contains("hosts/testhost/"), "never the kernel's name: " + fleet.out());
        assertEquals(2, fleet.store.list(Layout.historyPrefix("web-9")).size(), "both activations reported as web-9");
        assertTrue(fleet.store.list("hosts/testhost/").isEmpty());
        assertTrue(fleet.store.list("hosts/web-1/").stream().allMatch(o -> o.key().endsWith("desired.json")));
    }

    private static void writeUnit(Path system, String text) throws Exception {
        Path unit = system.resolve("etc/systemd/system/npc.service");
        Files.createDirectories(unit.getParent());
        Files.writeString(unit, text);
    }

    private List<String> results() {
        return fleet.history().stream().map(k -> k.replaceAll(".*-(success|failed|rolled-back|interrupted)\\.json$", "$1")).toList();
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("never reached");
            }
            Thread.sleep(20);
        }
    }
}
