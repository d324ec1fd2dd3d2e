package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.testing.StateBuilder;
import dev.npc.remote.RemoteCatalog.RemoteInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusClassifierTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final String V1 = "1".repeat(64);
    static final String V2 = "2".repeat(64);
    final StatusClassifier classifier = new StatusClassifier(NOW, 3);
    final Desired prod = Desired.of("prod");
    final RemoteInfo prodAtV2 = new RemoteInfo("prod", V2, 100, 3, NOW.minusSeconds(600), null, false, null, "\"e\"");

    static HostState state(Phase phase, Current current, Attempt attempt, Instant updatedAt) {
        return StateBuilder.host("web-1").at(updatedAt).phase(phase).current(current).attempt(attempt).build();
    }

    static Current running(String remote, String sha) {
        return new Current(remote, sha, "web-1", "/nix/store/x-nixos-system-web-1", NOW.minusSeconds(60));
    }

    static Attempt attempt(String sha, Result result) {
        return Attempt.ended(sha, result, 1, NOW.minusSeconds(30), NOW.minusSeconds(20))
                .withError("health check failed: nginx", "log");
    }

    HostStatus classify(Desired desired, HostState state, RemoteInfo remote) {
        return classifier.classify("web-1", desired, null, state, remote).status();
    }

    @Test
    void upToDateOnlyWhenRunningTheRemotesCurrentVersionFromThatRemote() {
        assertEquals(HostStatus.UP_TO_DATE, classify(prod, state(Phase.IDLE, running("prod", V2), null, NOW), prodAtV2));
        assertEquals(HostStatus.PENDING, classify(prod, state(Phase.IDLE, running("prod", V1), null, NOW), prodAtV2));
        assertEquals(HostStatus.PENDING, classify(prod, state(Phase.IDLE, running("staging", V2), null, NOW), prodAtV2));
    }

    @Test
    void aWrongConfigurationIsNotUpToDate() {
        Desired other = Desired.of("prod").withConfiguration("web-2");
        assertEquals(HostStatus.PENDING, classify(other, state(Phase.IDLE, running("prod", V2), null, NOW), prodAtV2));
    }

    @Test
    void failuresOnTheCurrentVersionAreProblems() {
        HostView rolledBack = classifier.classify("web-1", prod, null,
                state(Phase.IDLE, running("prod", V1), attempt(V2, Result.ROLLED_BACK), NOW), prodAtV2);
        assertEquals(HostStatus.ROLLED_BACK, rolledBack.status());
        assertEquals("health check failed: nginx", rolledBack.detail());
        assertTrue(rolledBack.status().isProblem());
        assertEquals(HostStatus.FAILED, classify(prod, state(Phase.IDLE, running("prod", V1), attempt(V2, Result.FAILED), NOW), prodAtV2));
    }

    @Test
    void aFailureOnAnOlderVersionDoesNotHideANewOne() {
        assertEquals(HostStatus.PENDING,
                classify(prod, state(Phase.IDLE, running("prod", V1), attempt(V1, Result.ROLLED_BACK), NOW), prodAtV2));
    }

    @Test
    void aBuiltVersionHeldBackByTheWindowIsWaitingWithTheNextOpening() {
        Instant next = Instant.parse("2026-11-28T02:00:00Z");
        HostState waiting = StateBuilder.host("web-1").at(NOW).running("prod", V1).build()
                .withWaiting(new HostState.Waiting("Sat 02:00-04:00 UTC", next, "prod", "web-1", V2, "/nix/store/y"));
        HostView view = classifier.classify("web-1", prod, null, waiting, prodAtV2);
        assertEquals(HostStatus.WAITING, view.status());
        assertEquals("waiting for window Sat 02:00-04:00 UTC (next: 2026-11-28T02:00:00Z): 22222222 is built and"
                + " switches then", view.detail());
        assertFalse(view.status().isProblem(), "held back on purpose");
        HostState older = waiting.withWaiting(waiting.waiting() == null ? null : new HostState.Waiting(
                "Sat 02:00-04:00 UTC", next, "prod", "web-1", V1, "/nix/store/y"));
        assertEquals(HostStatus.PENDING, classify(prod, older, prodAtV2), "a wait for an older version is not this one's");
    }

    @Test
    void aHostOnItsVersionWithANewKernelNotBootedNeedsAReboot() {
        HostState.Reboot reboot = new HostState.Reboot(List.of("kernel", "initrd"), "/nix/store/y", "/nix/store/x",
                NOW, null, null);
        HostState runs = StateBuilder.host("web-1").at(NOW).running("prod", V2).build();
        HostView inWindow = classifier.classify("web-1", prod, null,
                runs.withReboot(reboot.scheduled(Instant.parse("2026-11-28T02:00:00Z"), null)), prodAtV2);
        assertEquals(HostStatus.REBOOT_REQUIRED, inWindow.status());
        assertEquals("kernel, initrd changed; reboots in the maintenance window (next: 2026-11-28T02:00:00Z)",
                inWindow.detail());
        assertTrue(inWindow.status().runsDesired(), "it runs the version: npc wait and rollouts count it as done");
        HostView never = classifier.classify("web-1", prod, null,
                runs.withReboot(reboot.scheduled(null, "reboot = never: reboot the host")), prodAtV2);
        assertEquals("kernel, initrd changed; reboot = never: reboot the host", never.detail());
        assertEquals(HostStatus.UP_TO_DATE, classify(prod, runs, prodAtV2));
    }

    @Test
    void phasesOtherThanIdleAreInProgress() {
        HostView view = classifier.classify("web-1", prod, null, state(Phase.BUILDING, running("prod", V1), null, NOW), prodAtV2);
        assertEquals(HostStatus.IN_PROGRESS, view.status());
        assertEquals("building", view.detail());
    }

    @Test
    void aNewerDaemonsPhaseIsInProgressAndItsResultNoProblem() {
        HostView view = classifier.classify("web-1", prod, null,
                state(Phase.UNKNOWN, running("prod", V1), null, NOW), prodAtV2);
        assertEquals(HostStatus.IN_PROGRESS, view.status());
        assertEquals("unknown", view.detail());
        assertEquals(HostStatus.PENDING,
                classify(prod, state(Phase.IDLE, running("prod", V1), attempt(V2, Result.UNKNOWN), NOW), prodAtV2));
    }

    @Test
    void silenceForLongerThanTheMultipleIsStale() {
        Instant longAgo = NOW.minus(Duration.ofMinutes(16));
        assertEquals(HostStatus.STALE, classify(prod, state(Phase.IDLE, running("prod", V2), null, longAgo), prodAtV2));
        Instant recently = NOW.minus(Duration.ofMinutes(14));
        assertEquals(HostStatus.UP_TO_DATE, classify(prod, state(Phase.IDLE, running("prod", V2), null, recently), prodAtV2));
    }

    @Test
    void noReportIsUnknownAndAMissingRemoteIsAFailure() {
        assertEquals(HostStatus.UNKNOWN, classify(prod, null, prodAtV2));
        assertEquals(HostStatus.FAILED, classify(prod, state(Phase.IDLE, null, null, NOW), null));
    }

    @Test
    void pausedByDesiredOrByTheDaemon() {
        Desired paused = Desired.of("prod").withPaused(true);
        assertEquals(HostStatus.PAUSED, classify(paused, state(Phase.IDLE, running("prod", V1), null, NOW), prodAtV2));
        HostState pausedState = state(Phase.IDLE, running("prod", V1), null, NOW)
                .withPaused(new HostState.Paused(NOW, null, "maintenance"));
        HostView view = classifier.classify("web-1", prod, null, pausedState, prodAtV2);
        assertEquals(HostStatus.PAUSED, view.status());
        assertEquals("maintenance", view.detail());
    }

    @Test
    void anInvalidDesiredDocumentIsAFailureWithItsReason() {
        HostView view = classifier.classify("web-1", null, "desired.json is not valid: x", null, null);
        assertEquals(HostStatus.FAILED, view.status());
        assertEquals("desired.json is not valid: x", view.detail());
    }

    @Test
    void problemsSortFirst() {
        assertTrue(HostStatus.FAILED.compareTo(HostStatus.UP_TO_DATE) < 0);
        assertTrue(HostStatus.STALE.compareTo(HostStatus.PENDING) < 0);
        assertThrows(IllegalArgumentException.class, () -> new StatusClassifier(NOW, 0));
    }
}
