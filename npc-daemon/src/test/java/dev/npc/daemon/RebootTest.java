package dev.npc.daemon;

import dev.npc.daemon.loop.RebootRecord;
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
import java.util.Map;

import static dev.npc.daemon.FollowTest.systemdRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reboots when a switch changed the kernel, initrd or kernel parameters, with the real daemon
 * against the stand-ins. The reboot goes through the Rebooter seam, whose stand-in logs the
 * command with the others and stops the daemon as a shutdown does; the test then plays the boot
 * ({@code StandIns.boot}: a new boot id, /run/booted-system and /run/current-system on the boot
 * loader's default) and starts a daemon again, as systemd would.
 */
class RebootTest {
    static final String NEW_KERNEL = "6.12.4";

    @TempDir
    Path tmp;
    TestFleet fleet;
    String v1;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    /** The host runs v1 (the booted kernel), switched to by npc, then desired.json says {@code desired}. */
    private void runningV1(String desired) {
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publishSystem("prod", "v1");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        v1 = fleet.system.running();
        assertNull(fleet.localState().reboot(), "the same kernel as the booted system: no reboot required");
        assertFalse(Files.exists(fleet.stateDir.reboot()));
        fleet.desired(desired);
        fleet.system.clearCalls();
    }

    private String publishNewKernel(String name, Map<String, String> more) {
        java.util.Map<String, String> files = new java.util.HashMap<>(more);
        files.put("system-name", name);
        files.put("kernel", NEW_KERNEL);
        fleet.publish("prod", files);
        return fleet.system.nixStore.resolve(name).toString();
    }

    private long reboots() {
        return fleet.system.commands().stream().filter(c -> c.contains("systemctl reboot")).count();
    }

    @Test
    void aNewKernelIsReportedAsRebootRequiredAndNeverRebootedWithoutPermission() throws Exception {
        runningV1("{\"remote\": \"prod\"}");
        String v2 = publishNewKernel("v2", Map.of());

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(v2, fleet.system.running());
        HostState.Reboot reboot = fleet.localState().reboot();
        assertEquals(List.of("kernel", "initrd", "kernel-modules"), reboot.changed());
        assertEquals(v2, reboot.system());
        assertEquals(fleet.system.nixStore.resolve("initial").toString(), reboot.booted(),
                "the system the host booted, not the one it ran before the switch");
        assertNull(reboot.next());
        assertEquals("reboot = never: reboot the host to run them (npc reboots only with reboot = allowed)", reboot.note());
        assertEquals(reboot, fleet.bucketState().reboot(), "npc status reads it from the store");
        assertEquals(0, reboots(), fleet.system.commands().toString());
        assertTrue(fleet.out().contains("runs; reboot required: kernel, initrd, kernel-modules changed from the booted"
                + " system " + reboot.booted()), fleet.out());

        assertEquals(0, fleet.run("status"));
        assertTrue(fleet.out().contains("reboot        required: kernel, initrd, kernel-modules changed (booted "
                + reboot.booted() + "); reboot = never: reboot the host"), fleet.out());

        // Only the kernel command line: a switch does not apply it either.
        fleet.publish("prod", Map.of("system-name", "v3", "kernel-params", "loglevel=4 mitigations=off"));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(List.of("kernel-params"), fleet.localState().reboot().changed());

        // Back to what the booted system boots: nothing required any more.
        fleet.publishSystem("prod", "v4");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertNull(fleet.localState().reboot());
        assertFalse(Files.exists(fleet.stateDir.reboot()));
    }

    @Test
    void allowedItRebootsAfterTheHealthySwitchThenChecksTheBootedSystem() throws Exception {
        runningV1("{\"remote\": \"prod\", \"reboot\": \"allowed\"}");
        String v2 = publishNewKernel("v2", Map.of());

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        String label = fleet.bucketState().desired().sha256().substring(0, 8) + " (prod/web-1)";
        List<String> commands = fleet.system.commands();
        assertEquals(fleet.system.bin.resolve("systemctl") + " reboot --message=npc-daemon: reboot into " + label
                + ", kernel, initrd, kernel-modules changed", commands.get(commands.size() - 1),
                "the reboot comes after the healthy switch, last: " + commands);
        assertTrue(commands.indexOf(systemdRun(v2, "switch")) < commands.size() - 1, commands.toString());
        RebootRecord record = RebootRecord.read(fleet.stateDir.reboot());
        assertEquals(RebootRecord.Stage.REBOOTING, record.stage());
        assertEquals(1, record.reboots(), "counted on disk before the reboot");
        assertEquals("boot-1", record.bootId());
        assertEquals(v1, record.previous().profile());
        HostState going = fleet.bucketState();
        assertEquals(Phase.REBOOTING, going.phase(), "npc status shows the host going down");
        assertEquals("rebooting into " + v2 + ": kernel, initrd, kernel-modules changed", going.message());
        assertEquals(Result.SUCCESS, going.lastAttempt().result());

        fleet.system.boot();
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertTrue(fleet.system.commands().contains("systemctl is-system-running --wait"),
                "the booted system is checked: " + fleet.system.commands());
        assertEquals(0, reboots());
        HostState after = fleet.localState();
        assertEquals(Phase.IDLE, after.phase());
        assertNull(after.reboot());
        assertNull(after.message());
        assertEquals(v2, after.current().system());
        assertFalse(Files.exists(fleet.stateDir.reboot()));
        assertTrue(fleet.out().contains("rebooted into " + label + ": the booted system passed its checks"), fleet.out());
        assertTrue(fleet.history().stream().allMatch(h -> h.endsWith("-success.json")),
                "the attempts' records, none for the reboot itself: " + fleet.history());
    }

    @Test
    void aSystemUnhealthyAfterTheRebootIsRolledBackThroughItsBootEntryAndARebootThenRefused() throws Exception {
        runningV1("{\"remote\": \"prod\", \"reboot\": \"allowed\"}");
        String v2 = publishNewKernel("v2", Map.of("fails-at-boot", "nginx.service\n"));
        HostState.Current before = fleet.localState().current();

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(v2, fleet.system.running(), "the live switch was healthy");
        assertEquals(1, reboots());

        fleet.system.boot();
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        List<String> commands = fleet.system.commands();
        String profile = fleet.system.systemProfile.toString();
        int check = commands.indexOf("systemctl is-system-running --wait");
        int restore = commands.indexOf("nix-env -p " + profile + " --set " + v1);
        int boot = commands.indexOf(systemdRun(v1, "boot"));
        assertTrue(check >= 0 && check < restore && restore < boot && boot < commands.size() - 1,
                "checked, then the boot entry back to v1, then the reboot: " + commands);
        assertTrue(commands.get(commands.size() - 1).contains("reboot --message=npc-daemon: rolling back"), commands.toString());
        assertEquals(v1, fleet.system.profile());
        RebootRecord returning = RebootRecord.read(fleet.stateDir.reboot());
        assertEquals(RebootRecord.Stage.RETURNING, returning.stage());
        assertEquals(2, returning.reboots());
        assertEquals(Phase.REBOOTING, fleet.bucketState().phase());

        fleet.system.boot();
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        HostState state = fleet.localState();
        assertEquals(v1, fleet.system.running());
        assertEquals(Result.ROLLED_BACK, state.lastAttempt().result());
        assertTrue(state.lastAttempt().error().contains("failed its checks after the reboot: health check failed"),
                state.lastAttempt().error());
        assertTrue(state.lastAttempt().error().endsWith("rolled back: the previous boot entry is back and the host"
                + " runs " + v1), state.lastAttempt().error());
        assertEquals(v2, state.lastAttempt().system());
        assertEquals(before, state.current(), "v1 again, as npc vouched for it before");
        assertNull(state.reboot());
        assertEquals(Phase.IDLE, state.phase());
        assertTrue(fleet.history().stream().anyMatch(h -> h.endsWith("-rolled-back.json")), fleet.history().toString());
        assertEquals(RebootRecord.Stage.FAILED, RebootRecord.read(fleet.stateDir.reboot()).stage());
        assertEquals(0, reboots());

        // The version is refused, not retried into another reboot cycle.
        fleet.system.clearCalls();
        fleet.clock.advance(Duration.ofHours(6));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(List.of(), fleet.system.commands());
        assertTrue(fleet.localState().message().contains("was refused; waiting for the remote or desired.json to change"),
                fleet.localState().message());
    }

    @Test
    void aBootLoaderThatFellBackIsAFailureOfTheSystemAndItsBootEntryGoesBack() throws Exception {
        runningV1("{\"remote\": \"prod\", \"reboot\": \"allowed\"}");
        String v2 = publishNewKernel("v2", Map.of());
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(1, reboots());

        fleet.system.boot(v1); // not the default: the boot loader fell back
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(0, reboots(), "already on the previous system: no second reboot");
        assertEquals(v1, fleet.system.profile(), "the boot entry is back: the next boot does not try v2 again");
        HostState state = fleet.localState();
        assertEquals(Result.ROLLED_BACK, state.lastAttempt().result());
        assertTrue(state.lastAttempt().error().contains("but the host booted " + v1 + ", not " + v2),
                state.lastAttempt().error());
    }

    @Test
    void aRebootThatDoesNotHappenIsReportedAndNotAskedForAgain() throws Exception {
        runningV1("{\"remote\": \"prod\", \"reboot\": \"allowed\"}");
        publishNewKernel("v2", Map.of());
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(1, reboots());

        // The daemon is started again in the same boot (the reboot never came).
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        fleet.clock.advance(Duration.ofHours(1));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(0, reboots(), "never a reboot loop: " + fleet.system.commands());
        HostState.Reboot reboot = fleet.localState().reboot();
        assertTrue(reboot.note().startsWith("npc asked to reboot into this system before (the reboot asked for at "
                + "2026-11-22T10:00:00Z did not happen) and does not again: reboot the host, or run npc-daemon retry"),
                reboot.note());
        assertEquals(Phase.IDLE, fleet.localState().phase());

        // npc-daemon retry allows one more.
        assertEquals(3, fleet.run("retry"));
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(1, reboots());
    }

    @Test
    void triggerNowSwitchesAndRebootsOutsideTheWindowInOnePoll() throws Exception {
        runningV1("{\"remote\": \"prod\", \"reboot\": \"allowed\", \"window\": \"Sat 02:00-04:00 UTC\"}");
        String v2 = publishNewKernel("v2", Map.of());
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(v1, fleet.system.running(), "Sunday: the window holds the switch");

        fleet.run("trigger", "--now");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(v2, fleet.system.running(), "switched outside the window");
        assertEquals(1, reboots(), "and rebooted in the same poll");
        assertTrue(fleet.bucketState().message().endsWith("(trigger --now)"), fleet.bucketState().message());
    }

    @Test
    void aRebootWaitsForTheWindowWithItsNextOpeningReported() throws Exception {
        // npc's first activation on a host does not wait for the window; the reboot it needs does.
        fleet.desired("{\"remote\": \"prod\", \"reboot\": \"allowed\", \"window\": \"Sat 02:00-04:00 UTC\"}");
        String v1 = publishNewKernel("v1", Map.of());
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(v1, fleet.system.running());
        assertEquals(0, reboots());
        HostState.Reboot reboot = fleet.localState().reboot();
        assertEquals(Instant.parse("2026-11-28T02:00:00Z"), reboot.next());
        assertNull(reboot.note());

        fleet.clock.advance(Duration.between(fleet.clock.instant(), Instant.parse("2026-11-28T02:10:00Z")));
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(List.of(fleet.system.bin.resolve("systemctl") + " reboot --message=npc-daemon: reboot into "
                + fleet.localState().current().sha256().substring(0, 8) + " (prod/web-1), kernel, initrd, kernel-modules"
                + " changed"), fleet.system.commands(), "inside the window, the host running its version: the reboot");
        fleet.system.boot();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertNull(fleet.localState().reboot());
    }

    @Test
    void aRebootBySomeoneElseClearsTheNeed() throws Exception {
        runningV1("{\"remote\": \"prod\"}");
        publishNewKernel("v2", Map.of());
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertNotNull(fleet.localState().reboot());

        fleet.system.boot();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertNull(fleet.localState().reboot());
        assertFalse(Files.exists(fleet.stateDir.reboot()));
        assertEquals(0, reboots());
    }
}
