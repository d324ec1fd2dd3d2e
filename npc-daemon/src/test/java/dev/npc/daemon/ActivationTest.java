package dev.npc.daemon;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.npc.daemon.FollowTest.IS_ACTIVE;
import static dev.npc.daemon.FollowTest.LIST_FAILED;
import static dev.npc.daemon.FollowTest.systemdRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every switch as nixos-rebuild makes it on a real NixOS host, against the stand-ins: the
 * transient unit and what happens when another switch holds it, a switch that does not end, the
 * health check against what had failed before, rollback after a boot-staged generation, the
 * build's lock and substituter options, and generations pruned after a healthy switch.
 */
class ActivationTest {
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

    // nixpkgs' nixos-rebuild-ng nix.py: switch_to_configuration runs in the transient unit
    // nixos-rebuild-switch-to-configuration, so a manual nixos-rebuild and npc exclude each other.
    @Test
    void aSwitchRunningInTheTransientUnitIsNotAFailureOfTheVersion() throws Exception {
        fleet.publishSystem("prod", "v1");
        String initial = fleet.system.running();
        Path manual = fleet.system.transientUnits.resolve("nixos-rebuild-switch-to-configuration.service");
        Files.writeString(manual, "4242\n");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        List<String> commands = fleet.system.commands();
        assertEquals(IS_ACTIVE, commands.get(commands.size() - 1), "nothing after finding the unit busy: " + commands);
        assertTrue(commands.stream().noneMatch(c -> c.startsWith("nix-env") || c.startsWith("systemd-run")), commands.toString());
        assertEquals(initial, fleet.system.running());
        HostState state = fleet.localState();
        assertNull(state.lastAttempt(), "no attempt recorded against the version");
        assertEquals(List.of(), fleet.history());
        assertFalse(Files.exists(fleet.stateDir.retries()), "not counted against the version's retries");
        assertTrue(state.message().contains("another switch is running on this host"
                + " (nixos-rebuild-switch-to-configuration.service is active); npc tries again at the next poll"),
                state.message());
        assertEquals(Phase.IDLE, state.phase());

        Files.delete(manual);
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result(), "the next poll activates");
        assertTrue(fleet.localState().lastAttempt().attempt() == 1, "still the first attempt of the version");
    }

    // switch-to-configuration-ng (nixpkgs pkgs/by-name/sw/switch-to-configuration-ng/src/main.rs)
    // takes /run/nixos/switch-to-configuration.lock without waiting and exits "Could not acquire lock".
    @Test
    void switchToConfigurationsOwnLockHeldPutsTheProfileBackAndTriesAgainLater() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1", "switch-locked", ""));
        String initial = fleet.system.running();

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        String v1 = fleet.system.nixStore.resolve("v1").toString();
        List<String> commands = fleet.system.commands();
        assertEquals(List.of(IS_ACTIVE, LIST_FAILED,
                "nix-env -p " + fleet.system.systemProfile + " --set " + v1,
                systemdRun(v1, "switch"),
                v1 + "/bin/switch-to-configuration switch",
                "nix-env -p " + fleet.system.systemProfile + " --set " + initial), commands.subList(1, commands.size()));
        assertEquals(initial, fleet.system.profile(), "the profile names what runs again");
        assertNull(fleet.localState().lastAttempt());
        assertFalse(Files.exists(fleet.stateDir.retries()));
        assertTrue(fleet.localState().message().contains("Could not acquire lock"), fleet.localState().message());
    }

    @Test
    void aFailedLeftoverUnitIsResetSoSwitchesCanRun() throws Exception {
        fleet.publishSystem("prod", "v1");
        Files.writeString(fleet.system.transientUnits.resolve("nixos-rebuild-switch-to-configuration.service.failed"), "");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        assertEquals(List.of(IS_ACTIVE, "systemctl reset-failed nixos-rebuild-switch-to-configuration.service"),
                fleet.system.commands().subList(1, 3));
        assertEquals(Result.SUCCESS, fleet.localState().lastAttempt().result());
    }

    @Test
    void aSwitchThatDoesNotEndIsReportedThenStoppedThroughSystemdNeverKilled() throws Exception {
        fleet.publish("prod", Map.of("system-name", "v1", "switch-sleeps", "60"));
        String initial = fleet.system.running();

        assertEquals(1, fleet.run("follow", "--once", "--switch-timeout", "1s"));

        String err = fleet.err();
        assertTrue(err.contains("npc-daemon: switch-to-configuration switch still running after 1s; npc does not"
                + " interrupt a switch and waits up to 1s more"), err);
        assertTrue(err.contains("switch-to-configuration switch still running after 2s; asking systemd to stop"
                + " nixos-rebuild-switch-to-configuration.service"), err);
        List<String> commands = fleet.system.commands();
        String v1 = fleet.system.nixStore.resolve("v1").toString();
        int stop = commands.indexOf("systemctl stop nixos-rebuild-switch-to-configuration.service");
        assertTrue(stop > commands.indexOf(systemdRun(v1, "switch")), commands.toString());
        assertEquals(List.of("nix-env -p " + fleet.system.systemProfile + " --set " + initial,
                systemdRun(initial, "switch"), initial + "/bin/switch-to-configuration switch"),
                commands.subList(stop + 1, stop + 4), "then the rollback, through the same unit");
        Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.ROLLED_BACK, attempt.result());
        assertTrue(attempt.error().contains("switch-to-configuration switch did not finish within 2s; stopped"
                + " nixos-rebuild-switch-to-configuration.service with systemctl stop"), attempt.error());
        assertTrue(attempt.logTail().contains("switch-to-configuration: stopped by SIGTERM"), attempt.logTail());
        assertEquals(initial, fleet.system.running());
    }

    @Test
    void aHostAlreadyDegradedIsJudgedByWhatFailedSinceTheSwitch() throws Exception {
        fleet.system.failedUnits("fwupd.service");
        fleet.system.systemState("degraded");
        fleet.publishSystem("prod", "v1");

        assertEquals(0, fleet.run("follow", "--once"), fleet.err());

        Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.SUCCESS, attempt.result(), fleet.err());
        assertEquals(List.of("fwupd.service"), attempt.failedBefore(), "reported, not counted");
        assertTrue(fleet.err().contains("not counted against") && fleet.err().contains("fwupd.service"), fleet.err());
        String json = Files.readString(fleet.stateDir.state()).replaceAll("\\s", "");
        assertTrue(json.contains("\"failedBefore\":[\"fwupd.service\"]"), json);

        fleet.publish("prod", Map.of("system-name", "v2", "fails-unit", "nginx.service\n"));
        assertEquals(1, fleet.run("follow", "--once", "--health-timeout", "0s"));

        attempt = fleet.localState().lastAttempt();
        assertEquals(Result.ROLLED_BACK, attempt.result());
        assertTrue(attempt.error().contains("the system is 'degraded': nginx.service failed since the switch"
                + " (failed before it too, not counted: fwupd.service)"), attempt.error());
    }

    @Test
    void healthStrictCountsWhatHadFailedBefore() throws Exception {
        fleet.system.failedUnits("fwupd.service");
        fleet.system.systemState("degraded");
        fleet.publishSystem("prod", "v1");

        assertEquals(1, fleet.run("follow", "--once", "--health-strict", "--health-timeout", "0s"));

        Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.ROLLED_BACK, attempt.result());
        assertTrue(attempt.error().contains("the system is 'degraded': fwupd.service failed"), attempt.error());
    }

    // A generation staged with `boot` waits for the next boot; a failed switch afterwards must leave
    // the staged generation as both the profile and the bootloader default, and the old system running.
    @Test
    void aRollbackAfterABootStagedGenerationLeavesProfileAndBootloaderAgreeing() throws Exception {
        String initial = fleet.system.running();
        fleet.publishSystem("prod", "staged");
        fleet.desired("{\"remote\": \"prod\", \"action\": \"boot\"}");
        assertEquals(0, fleet.run("follow", "--once"), fleet.err());
        String staged = fleet.system.nixStore.resolve("staged").toString();
        assertEquals(staged, fleet.system.profile());
        assertEquals(initial, fleet.system.running());

        fleet.desired("{\"remote\": \"prod\", \"action\": \"switch\"}");
        fleet.publish("prod", Map.of("system-name", "broken", "switch-fails", ""));
        fleet.system.clearCalls();
        assertEquals(1, fleet.run("follow", "--once"));

        List<String> commands = fleet.system.commands();
        int rollback = commands.lastIndexOf("nix-env -p " + fleet.system.systemProfile + " --set " + staged);
        assertEquals(List.of("nix-env -p " + fleet.system.systemProfile + " --set " + staged,
                systemdRun(initial, "test"), initial + "/bin/switch-to-configuration test",
                systemdRun(staged, "boot"), staged + "/bin/switch-to-configuration boot"),
                commands.subList(rollback, commands.size()),
                "the old system runs again without touching the boot entry, then the staged one is the boot default again");
        assertEquals(initial, fleet.system.running());
        assertEquals(staged, fleet.system.profile());
        assertEquals(Result.ROLLED_BACK, fleet.localState().lastAttempt().result());
    }

    @Test
    void anIncompleteLockIsRefusedWithTheCommandThatFixesIt() {
        fleet.publish("prod", Map.of("system-name", "v1", "lock-incomplete", ""));

        assertEquals(1, fleet.run("follow", "--once"));

        Attempt attempt = fleet.localState().lastAttempt();
        assertEquals(Result.FAILED, attempt.result());
        assertTrue(attempt.error().contains("flake.lock does not lock every input of its flake.nix")
                && attempt.error().contains("run `nix flake lock` in the fleet flake, commit flake.lock and push again"),
                attempt.error());
        assertTrue(attempt.logTail().contains("--no-update-lock-file"), attempt.logTail());
        assertEquals(1, fleet.system.commands().size(), "nothing after the build: " + fleet.system.commands());
    }

    @Test
    void substituterKeysArePassedOnTheirOwnAndWithTheirSubstituters() {
        String prebuilt = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1";
        fleet.publishSystem("prod", "v1");
        fleet.desired("{\"remote\": \"prod\", \"prebuilt\": \"" + prebuilt + "\"}");

        assertEquals(0, fleet.run("follow", "--once", "--substituter-key", "cache-1:AAAA"), fleet.err());
        assertEquals("nix-store --realise " + prebuilt + " --add-root " + fleet.stateDir.result()
                + " --option extra-trusted-public-keys cache-1:AAAA", fleet.system.commands().get(0));

        fleet.publishSystem("prod", "v2");
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.system.clearCalls();
        assertEquals(0, fleet.run("follow", "--once", "--extra-substituter", "https://a.example",
                "--extra-substituter", "https://b.example", "--substituter-key", "a-1:AAAA",
                "--substituter-key", "b-1:BBBB"), fleet.err());
        assertTrue(fleet.system.commands().get(0).endsWith(" --option extra-substituters https://a.example https://b.example"
                + " --option extra-trusted-public-keys a-1:AAAA b-1:BBBB"), fleet.system.commands().get(0));
    }

    @Test
    void generationsArePrunedAfterAHealthySwitchKeepingTheRunningAndTheBootedOne() throws Exception {
        for (String name : List.of("v1", "v2", "v3")) {
            fleet.publishSystem("prod", name);
            assertEquals(0, fleet.run("follow", "--once", "--keep-generations", "2"), fleet.err());
        }
        // Generation 1 is the booted system: kept although it is older than the newest two.
        assertEquals(List.of(1, 3, 4), fleet.system.generations());

        fleet.system.clearCalls();
        fleet.publishSystem("prod", "v4");
        assertEquals(0, fleet.run("follow", "--once", "--keep-generations", "2"), fleet.err());

        String v4 = fleet.system.nixStore.resolve("v4").toString();
        List<String> commands = fleet.system.commands();
        assertEquals(List.of("systemctl is-system-running --wait",
                "nix-env -p " + fleet.system.systemProfile + " --delete-generations 3",
                systemdRun(v4, "boot"), v4 + "/bin/switch-to-configuration boot"),
                commands.subList(commands.size() - 4, commands.size()),
                "after the check: delete, then let the bootloader drop the deleted generations' entries");
        assertEquals(List.of(1, 4, 5), fleet.system.generations());
        assertEquals(v4, fleet.system.profile());
        assertEquals(v4, fleet.system.running());
    }
}
